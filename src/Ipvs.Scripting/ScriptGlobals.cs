namespace Ipvs.Scripting;

/// <summary>
/// What a script sees without qualification: its arguments and token, the DSL
/// (<c>VirtualServer</c>, <c>Nat</c>, <c>Dr</c>, <c>Tcp</c>, <c>Udp</c>, …), and the helpers for
/// imperative scripts (<c>Run</c>, <c>Sh</c>, <c>Sleep</c>, <c>Log</c>, <c>Exit</c>, <c>Client</c>).
/// The live objects (<see cref="Service"/>, <see cref="Dest"/>), the probes (<see cref="Http"/>,
/// <see cref="Tcp"/>) and the check declarations (<see cref="Check"/>) are types in the imported
/// namespaces. One globals type serves both modes, so any script compiles either way and only
/// what it does at run time decides whether it is configuration or a program.
/// </summary>
public sealed class ScriptGlobals
{
    private readonly ScriptContext _context;

    internal ScriptGlobals(ScriptContext context, IReadOnlyList<string> args)
    {
        _context = context;
        Args = [.. args];
    }

    /// <summary>The arguments after the script's name (<c>ipvs script FILE.csx ARGS…</c>).</summary>
    public string[] Args { get; }

    /// <summary>How the script is being run.</summary>
    public ScriptMode Mode => _context.Mode;

    /// <summary>Fires when the run is interrupted (Ctrl+C); Sleep, Run and the probes honour it already.</summary>
    public CancellationToken CancellationToken => _context.CancellationToken;

    /// <summary>The kernel's IPVS table through the whole library (imperative runs only): <c>await Client.GetTableAsync()</c>.</summary>
    public IIpvsClient Client => _context.KernelFor("Client", changes: true);

    /// <summary>NAT forwarding (lb_kind NAT, ipvsadm -m).</summary>
    public ForwardingMethod Nat => ForwardingMethod.Masquerade;

    /// <summary>Direct routing (lb_kind DR, ipvsadm -g).</summary>
    public ForwardingMethod Dr => ForwardingMethod.DirectRoute;

    /// <summary>Tunnelling (lb_kind TUN, ipvsadm -i).</summary>
    public ForwardingMethod Tun => ForwardingMethod.Tunnel;

    /// <summary>TCP, for <c>vs.Protocol = Tcp</c>; also the TCP probe, <c>Tcp.Connect(host, port)</c>.</summary>
    public Tcp Tcp => Tcp.Protocol;

    /// <summary>UDP, for <c>vs.Protocol = Udp</c>.</summary>
    public IpvsProtocol Udp => IpvsProtocol.Udp;

    /// <summary>SCTP, for <c>vs.Protocol = Sctp</c>.</summary>
    public IpvsProtocol Sctp => IpvsProtocol.Sctp;

    /// <summary>
    /// Declares a virtual server (virtual_server) and runs its block:
    /// <c>VirtualServer("10.0.0.1:80", vs =&gt; { vs.LbAlgo = "wrr"; vs.RealServer(…); });</c>.
    /// The address is <c>ADDRESS:PORT</c>, <c>udp:…</c>, <c>sctp:…</c> or <c>fwmark:N</c>.
    /// </summary>
    /// <returns>The block, for settings and real servers added later.</returns>
    public VirtualServerBlock VirtualServer(string address, Action<VirtualServerBlock>? body = null)
    {
        var at = ScriptSites.Here();
        var declaration = Declarative("VirtualServer(…)");
        declaration.TryCreate(() => ServiceKey.Parse(address), at, out var key);
        return Declare(declaration, key, at, body);
    }

    /// <summary>Declares a virtual server with an async block (<c>async vs =&gt; …</c>), which is awaited before the state is built.</summary>
    public VirtualServerBlock VirtualServer(string address, Func<VirtualServerBlock, Task> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var declaration = Declarative("VirtualServer(…)");
        return VirtualServer(address, b => declaration.Track(body(b)));
    }

    /// <summary>Declares a virtual server by key (such as <c>Fwmark(1)</c>) and runs its block.</summary>
    public VirtualServerBlock VirtualServer(ServiceKey key, Action<VirtualServerBlock>? body = null)
    {
        var at = ScriptSites.Here();
        var declaration = Declarative("VirtualServer(…)");
        if (key.Family == AddressFamily.Unspecified)
        {
            declaration.Error("invalid-value", "The service key is empty.", at);
        }
        return Declare(declaration, key, at, body);
    }

    /// <summary>Declares a virtual server by key with an async block, which is awaited before the state is built.</summary>
    public VirtualServerBlock VirtualServer(ServiceKey key, Func<VirtualServerBlock, Task> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var declaration = Declarative("VirtualServer(…)");
        return VirtualServer(key, b => declaration.Track(body(b)));
    }

    /// <summary>A firewall-mark service key (virtual_server fwmark N), IPv4 or IPv6.</summary>
    public ServiceKey Fwmark(uint mark, bool ipv6 = false) =>
        ServiceKey.ForFirewallMark(mark, ipv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);

    /// <summary>Declares the connection timeouts (lvs_timeouts); a value left out is not managed.</summary>
    public void LvsTimeouts(TimeSpan? tcp = null, TimeSpan? tcpFin = null, TimeSpan? udp = null)
    {
        var at = ScriptSites.Here();
        var declaration = Declarative("LvsTimeouts(…)");
        declaration.Timeouts = new Timeouts(tcp ?? TimeSpan.Zero, tcpFin ?? TimeSpan.Zero, udp ?? TimeSpan.Zero);
        declaration.TimeoutsLocation = at;
    }

    /// <summary>
    /// Runs a program with arguments, never through a shell, and waits for it (up to the timeout,
    /// 60 s by default, after which its whole process tree is killed):
    /// <c>Run("ssh", [web1.Addr, "sudo", "/etc/init.d/httpd", "restart"], timeout: 10.Seconds())</c>.
    /// </summary>
    public RunResult Run(string command, IEnumerable<string>? args = null, TimeSpan? timeout = null) =>
        Programs.RunAsync(command, args, timeout, CancellationToken).GetAwaiter().GetResult();

    /// <summary>Like <see cref="Run"/>, without blocking.</summary>
    public Task<RunResult> RunAsync(string command, IEnumerable<string>? args = null, TimeSpan? timeout = null) =>
        Programs.RunAsync(command, args, timeout, CancellationToken);

    /// <summary>Runs a command line through /bin/sh -c, as the thesis's backticks did; prefer <see cref="Run"/>, which needs no quoting.</summary>
    public RunResult Sh(string commandLine, TimeSpan? timeout = null) => Run("/bin/sh", ["-c", commandLine], timeout);

    /// <summary>Waits; an interrupted run ends here at once.</summary>
    public void Sleep(TimeSpan duration)
    {
        if (CancellationToken.WaitHandle.WaitOne(duration))
        {
            CancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Waits this many seconds.</summary>
    public void Sleep(double seconds) => Sleep(TimeSpan.FromSeconds(seconds));

    /// <summary>Writes a line with the time of day to the run's log (standard output for <c>ipvs script</c>).</summary>
    public void Log(string message) =>
        _context.Log.WriteLine($"{DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {message}");

    /// <summary>Ends the script with this exit code.</summary>
    public void Exit(int code = 0) => throw new ScriptExitException(code);

    private Declaration Declarative(string call) => _context.Declaration ?? throw new InvalidOperationException(
        $"{call} declares a desired state, which `ipvs check|plan|apply FILE.csx` evaluates; `ipvs script` runs live objects (new Service(…).Add()) instead.");

    // A block whose key did not parse still runs, so the problems inside it are found too.
    private static VirtualServerBlock Declare(Declaration declaration, ServiceKey key, SourceLocation? at, Action<VirtualServerBlock>? body)
    {
        var block = new VirtualServerBlock(declaration, key.Family == AddressFamily.Unspecified ? null : key, at);
        declaration.Add(block);
        body?.Invoke(block);
        return block;
    }
}

/// <summary>Thrown by <c>Exit(n)</c> to end the script with an exit code.</summary>
internal sealed class ScriptExitException(int code) : Exception($"Exit({code})")
{
    public int Code { get; } = code;
}
