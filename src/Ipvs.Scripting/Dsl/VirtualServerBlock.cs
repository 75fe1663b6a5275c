namespace Ipvs.Scripting;

/// <summary>
/// The body of a <c>VirtualServer("10.0.0.1:80", vs =&gt; { … })</c> block: keepalived's
/// virtual_server keywords as properties, real servers as nested blocks. Every setting reaches the
/// declared state (mruby-ipvs's DSL silently dropped lb_kind and protocol). Settings apply to the
/// whole block whatever their order, as in keepalived. A bad value is reported at the line that
/// sets it and not kept.
/// </summary>
public sealed class VirtualServerBlock
{
    private readonly Declaration _declaration;
    private readonly ServiceKey? _key;
    private readonly List<RealServerBlock> _realServers = [];
    private Scheduler _scheduler;
    private IpvsProtocol? _protocol;
    private Netmask? _netmask;
    private string? _persistenceEngine;
    private Destination? _sorryServer;
    private ForwardingMethod? _sorryServerKind;
    private Hook? _quorumUp;
    private Hook? _quorumDown;

    internal VirtualServerBlock(Declaration declaration, ServiceKey? key, SourceLocation? location)
    {
        _declaration = declaration;
        _key = key;
        Location = location;
    }

    internal SourceLocation? Location { get; }

    /// <summary>The service's key as it stands (with <see cref="Protocol"/> applied); empty when the address did not parse.</summary>
    public ServiceKey Key => _key is { } k ? Resolve(k) : default;

    /// <summary>The scheduler (lb_algo): rr, wrr, lc, wlc (the default), sh, mh, …; at most 15 characters.</summary>
    public string LbAlgo
    {
        get => _scheduler.Name;
        set
        {
            if (_declaration.TryCreate(() => new Scheduler(value), ScriptSites.Here(), out var s))
            {
                _scheduler = s;
            }
        }
    }

    /// <summary>
    /// How packets reach the real servers (lb_kind): <c>Nat</c> (the default), <c>Dr</c> or
    /// <c>Tun</c>; a real server may override it.
    /// </summary>
    public ForwardingMethod LbKind
    {
        get;
        set
        {
            if (!Enum.IsDefined(value))
            {
                _declaration.Error("invalid-value", $"Service {Key}: {value} is not a forwarding method.", ScriptSites.Here());
                return;
            }
            field = value;
        }
    }

    /// <summary>
    /// The protocol: <c>Tcp</c> (the default), <c>Udp</c> or <c>Sctp</c>; overrides a <c>udp:</c>
    /// prefix in the address. A firewall-mark service has none.
    /// </summary>
    public IpvsProtocol Protocol
    {
        get => Key.Protocol;
        set
        {
            var at = ScriptSites.Here();
            if (_key is { IsFirewallMark: true } k)
            {
                _declaration.Error("protocol-on-fwmark", $"Service {k}: a firewall-mark service has no protocol; the mark selects the packets.", at,
                    "Leave Protocol unset, or key the service by address and port.");
                return;
            }
            if (!Enum.IsDefined(value))
            {
                _declaration.Error("invalid-value", $"Service {Key}: {(ushort)value} is not TCP, UDP or SCTP.", at);
                return;
            }
            _protocol = value;
        }
    }

    /// <summary>Persistence timeout in seconds (persistence_timeout); 0, the default, means not persistent.</summary>
    public int PersistenceTimeout
    {
        get;
        set
        {
            if (value < 0)
            {
                _declaration.Error("invalid-value", $"Service {Key}: the persistence timeout {value} is negative; 0 means not persistent.", ScriptSites.Here());
                return;
            }
            field = value;
        }
    }

    /// <summary>
    /// Persistence granularity (persistence_granularity): a dotted IPv4 mask such as
    /// <c>255.255.255.0</c>, or a prefix length (<c>24</c>, <c>/64</c>; 1 to 128 for IPv6).
    /// </summary>
    public string? PersistenceGranularity
    {
        get => _netmask?.ToString();
        set
        {
            if (value is null)
            {
                _netmask = null;
                return;
            }
            var family = _key?.Family ?? AddressFamily.InterNetwork;
            if (_declaration.TryCreate(() => Netmask.Parse(value, family), ScriptSites.Here(), out var mask))
            {
                _netmask = mask;
            }
        }
    }

    /// <summary>The persistence engine (persistence_engine), such as <c>sip</c>, or null.</summary>
    public string? PersistenceEngine
    {
        get => _persistenceEngine;
        set
        {
            if (string.IsNullOrEmpty(value))
            {
                _persistenceEngine = null;
                return;
            }
            if (_declaration.TryCreate(() => new VirtualService(ServiceKey.ForFirewallMark(1)) { PersistenceEngine = value }, ScriptSites.Here(), out _))
            {
                _persistenceEngine = value;
            }
        }
    }

    /// <summary>One-packet scheduling (ops), for UDP: every datagram is scheduled on its own.</summary>
    public bool OnePacket { get; set; }

    /// <summary>Scheduler flags (lvs_sched's sh-fallback, sh-port, mh-fallback, mh-port), such as <c>ServiceFlags.ShPort</c>.</summary>
    public ServiceFlags SchedulerFlags { get; set; }

    /// <summary>The least total weight of healthy real servers for the service to be up (quorum); 1 by default.</summary>
    public int Quorum { get; set; } = 1;

    /// <summary>Hysteresis around the quorum (hysteresis).</summary>
    public int Hysteresis { get; set; }

    /// <summary>The default time between health checks (delay_loop), or null for the daemon's.</summary>
    public TimeSpan? DelayLoop { get; set; }

    /// <summary>The default HTTP Host header of the service's HTTP checks (virtualhost).</summary>
    public string? VirtualHost { get; set; }

    /// <summary>Start every real server as failed until its first successful check (alpha).</summary>
    public bool Alpha { get; set; }

    /// <summary>Run the down hooks when the daemon stops (omega).</summary>
    public bool Omega { get; set; }

    /// <summary>Set a failed real server's weight to 0 instead of removing it (inhibit_on_failure).</summary>
    public bool InhibitOnFailure { get; set; }

    /// <summary>Keep the sorry server in with weight 0 while the quorum holds (sorry_server_inhibit).</summary>
    public bool SorryServerInhibit { get; set; }

    /// <summary>Declares a real server (real_server) and runs its block; the address is <c>ADDRESS:PORT</c> or an address alone (port 0).</summary>
    /// <returns>The real server, for further settings.</returns>
    public RealServerBlock RealServer(string address, Action<RealServerBlock>? body = null)
    {
        var at = ScriptSites.Here();
        _declaration.TryCreate(() => DestinationKey.Parse(address), at, out var key);
        var rs = new RealServerBlock(_declaration, this, key.Address is null ? null : key, at);
        _realServers.Add(rs);
        body?.Invoke(rs);
        return rs;
    }

    /// <summary>Declares a real server with an async block (<c>async rs =&gt; …</c>), which is awaited before the state is built.</summary>
    public RealServerBlock RealServer(string address, Func<RealServerBlock, Task> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return RealServer(address, rs => _declaration.Track(body(rs)));
    }

    /// <summary>
    /// The server put in when no real server is healthy (sorry_server), forwarded by
    /// <paramref name="lbKind"/> or the service's <see cref="LbKind"/>. Its problems (a family the
    /// forwarding cannot reach, …) are reported at the VirtualServer line.
    /// </summary>
    public void SorryServer(string address, ForwardingMethod? lbKind = null, int weight = 1)
    {
        var at = ScriptSites.Here();
        if (_declaration.TryCreate(() => new Destination(DestinationKey.Parse(address)) { Weight = weight }, at, out var sorry))
        {
            _sorryServer = sorry;
            _sorryServerKind = lbKind;
        }
    }

    /// <summary>Runs a program (with arguments, never through a shell) when the quorum is gained (quorum_up).</summary>
    public void QuorumUp(string program, params string[] arguments) => _quorumUp = Hooks.Program(program, arguments, ScriptSites.Here());

    /// <summary>Runs a lambda when the quorum is gained.</summary>
    public void QuorumUp(Func<HookContext, Task> action) => _quorumUp = Hooks.Lambda(action, ScriptSites.Here());

    /// <summary>Runs a lambda when the quorum is gained.</summary>
    public void QuorumUp(Action<HookContext> action) => _quorumUp = Hooks.Lambda(action, ScriptSites.Here());

    /// <summary>Runs a program (with arguments, never through a shell) when the quorum is lost (quorum_down).</summary>
    public void QuorumDown(string program, params string[] arguments) => _quorumDown = Hooks.Program(program, arguments, ScriptSites.Here());

    /// <summary>Runs a lambda when the quorum is lost.</summary>
    public void QuorumDown(Func<HookContext, Task> action) => _quorumDown = Hooks.Lambda(action, ScriptSites.Here());

    /// <summary>Runs a lambda when the quorum is lost.</summary>
    public void QuorumDown(Action<HookContext> action) => _quorumDown = Hooks.Lambda(action, ScriptSites.Here());

    /// <summary>The service's key, as written (<c>tcp:10.0.0.1:80</c>).</summary>
    public override string ToString() => Key.ToString();

    private ServiceKey Resolve(ServiceKey k) =>
        _protocol is { } p && !k.IsFirewallMark && p != k.Protocol ? ServiceKey.Create(p, k.Address!, k.Port) : k;

    internal DesiredService? Build()
    {
        if (_key is null)
        {
            return null;
        }
        var key = Key;
        var flags = SchedulerFlags | (OnePacket ? ServiceFlags.OnePacket : ServiceFlags.None);
        if (!_declaration.TryCreate(
                () => new VirtualService(key)
                {
                    Scheduler = _scheduler,
                    PersistenceTimeout = (uint)PersistenceTimeout,
                    Flags = flags,
                    PersistenceEngine = _persistenceEngine,
                    Netmask = _netmask ?? Netmask.Full(key.Family),
                },
                Location,
                out var service))
        {
            return null;
        }
        var destinations = new List<DesiredDestination>(_realServers.Count);
        foreach (var rs in _realServers)
        {
            if (rs.Build(LbKind) is { } d)
            {
                destinations.Add(d);
            }
        }
        var policy = new ServicePolicy
        {
            Quorum = Quorum,
            Hysteresis = Hysteresis,
            QuorumUp = _quorumUp,
            QuorumDown = _quorumDown,
            SorryServer = _sorryServer is { } sorry ? sorry with { Forwarding = _sorryServerKind ?? LbKind } : null,
            SorryServerInhibit = SorryServerInhibit,
            InhibitOnFailure = InhibitOnFailure,
            Alpha = Alpha,
            Omega = Omega,
            DelayLoop = DelayLoop,
            VirtualHost = VirtualHost,
        };
        return new DesiredService(service, destinations) { Policy = policy, Location = Location };
    }
}
