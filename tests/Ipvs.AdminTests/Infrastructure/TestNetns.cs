namespace Ipvs.AdminTests.Infrastructure;

/// <summary>
/// A network namespace with its own IPVS table: loopback up, and a dummy "eth0" (the default
/// sync-daemon interface) holding 192.168.77.1/24 and 2001:db8:77::1/64, so that daemons start
/// and real servers on those addresses become "Local".
/// </summary>
internal sealed class TestNetns : IDisposable
{
    public TestNetns(string name)
    {
        Name = name;
        Sh.Bash($"""
            ip netns add {name}
            ip -n {name} -batch - <<'EOF'
            link set lo up
            link add eth0 type dummy
            link set eth0 up
            addr add 192.168.77.1/24 dev eth0
            addr add 2001:db8:77::1/64 dev eth0 nodad
            EOF
            """);
    }

    public string Name { get; }

    public void Dispose() => Sh.Run("ip", ["netns", "del", Name]);
}

/// <summary>One command's outcome.</summary>
internal sealed record RunResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// A bash that stays alive inside a network namespace and runs "ipvsadm ..." lines: no
/// `ip netns exec` and no new shell per command, which matters where every process costs tens
/// of milliseconds. PATH decides which ipvsadm runs, so argv[0] is "ipvsadm" for both.
/// Output goes through files in the lab's /tmp, read back directly.
/// </summary>
internal sealed class NsShell : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly System.Diagnostics.Process _bash;
    private readonly string _dir;
    private int _n;

    public NsShell(string netns, string binDir, string label)
    {
        Label = label;
        _dir = Path.Combine(AdminLab.Root, AdminLab.Unique("sh-" + label));
        Directory.CreateDirectory(_dir);
        var psi = new System.Diagnostics.ProcessStartInfo("ip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
            StandardInputEncoding = Encoding.Latin1,
            StandardOutputEncoding = Encoding.Latin1,
        };
        foreach (var a in new[] { "netns", "exec", netns, "bash", "--noprofile", "--norc" })
        {
            psi.ArgumentList.Add(a);
        }
        Sh.Clean(psi);
        psi.Environment["PATH"] = binDir + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        _bash = System.Diagnostics.Process.Start(psi)!;
        _bash.StandardInput.AutoFlush = true;
        Send($"cd {Sh.Quote(_dir)} && exec 2>{Sh.Quote(Path.Combine(_dir, "bash.err"))}; echo ready");
        if (ReadLine() != "ready")
        {
            Assert.Fail($"the {label} shell in netns {netns} did not start");
        }
    }

    public string Label { get; }

    /// <summary>Starts "ipvsadm ARGS" (stdin from <paramref name="stdin"/>); finish with <see cref="End"/>.</summary>
    public void Begin(IReadOnlyList<string> args, string? stdin = null)
    {
        _n++;
        File.WriteAllText(Path.Combine(_dir, "in"), stdin ?? "", Encoding.Latin1);
        Send($"ipvsadm {Sh.QuoteAll(args)} <in >out 2>err; echo \"rc $?\"");
    }

    /// <summary>Starts an arbitrary bash line whose stdout and stderr are captured; finish with <see cref="End"/>.</summary>
    public void BeginScript(string script, string? stdin = null)
    {
        _n++;
        File.WriteAllText(Path.Combine(_dir, "in"), stdin ?? "", Encoding.Latin1);
        Send($"{{ {script} ; }} <in >out 2>err; echo \"rc $?\"");
    }

    public RunResult End()
    {
        string? line = ReadLine();
        if (line is null || !line.StartsWith("rc ", StringComparison.Ordinal))
        {
            Assert.Fail($"the {Label} shell stopped answering (got '{line}'); its stderr: {SafeRead("bash.err")}");
        }
        int rc = int.Parse(line![3..]);
        return new RunResult(rc, SafeRead("out"), SafeRead("err"));
    }

    public RunResult Run(IReadOnlyList<string> args, string? stdin = null)
    {
        Begin(args, stdin);
        return End();
    }

    public RunResult Script(string script, string? stdin = null)
    {
        BeginScript(script, stdin);
        return End();
    }

    private string SafeRead(string name)
    {
        string p = Path.Combine(_dir, name);
        return File.Exists(p) ? File.ReadAllText(p, Encoding.Latin1) : "";
    }

    private void Send(string line) => _bash.StandardInput.Write(line + "\n");

    private string? ReadLine()
    {
        var t = _bash.StandardOutput.ReadLineAsync();
        if (!t.Wait(Timeout))
        {
            Assert.Fail($"the {Label} shell did not answer within {Timeout.TotalSeconds} s (a hung ipvsadm?)");
        }
        return t.Result;
    }

    public void Dispose()
    {
        try
        {
            _bash.StandardInput.Close();
            if (!_bash.WaitForExit(5000))
            {
                _bash.Kill(true);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _bash.Dispose();
    }
}

/// <summary>A pair of namespaces, the real ipvsadm in A and ours in B, driven in lockstep.</summary>
internal sealed class DiffPair : IDisposable
{
    public DiffPair()
    {
        AdminLab.Require();
        NsA = new TestNetns(AdminLab.Unique("adma"));
        NsB = new TestNetns(AdminLab.Unique("admb"));
        Real = new NsShell(NsA.Name, AdminLab.RealDir, "real");
        Ours = new NsShell(NsB.Name, AdminLab.OursDir, "ours");
        RealInB = new NsShell(NsB.Name, AdminLab.RealDir, "real-in-b");
    }

    /// <summary>The real ipvsadm in B: the reference for formatting on exactly our table.</summary>
    public NsShell RealInB { get; }

    public TestNetns NsA { get; }

    public TestNetns NsB { get; }

    public NsShell Real { get; }

    public NsShell Ours { get; }

    /// <summary>Runs the same command line on both sides (concurrently).</summary>
    public (RunResult Real, RunResult Ours) Run(IReadOnlyList<string> args, string? stdin = null)
    {
        Real.Begin(args, stdin);
        Ours.Begin(args, stdin);
        return (Real.End(), Ours.End());
    }

    public void Dispose()
    {
        Real.Dispose();
        Ours.Dispose();
        RealInB.Dispose();
        NsA.Dispose();
        NsB.Dispose();
    }
}
