using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ipvs.Desired;
using Ipvs.Keepalived;
using Ipvs.KernelTests.Infrastructure;

namespace Ipvs.KernelTests.Keepalived;

/// <summary>
/// What ipvsadm lists for one table: the rules (with tunnel settings), the thresholds (which -S
/// leaves out), and the timeouts and sync daemons when the configuration sets them.
/// </summary>
internal sealed record TableListings(string[] Save, string[] Thresholds, string[] Timeouts, string[] Daemons)
{
    public bool SameAs(TableListings other) =>
        Save.SequenceEqual(other.Save) && Thresholds.SequenceEqual(other.Thresholds)
        && Timeouts.SequenceEqual(other.Timeouts) && Daemons.SequenceEqual(other.Daemons);
}

/// <summary>
/// One configuration through both: the real keepalived 2.2.7 (checker process only) in namespace
/// A, its real servers healthy in namespace R (a veth away, so that IPVS in A does not see their
/// addresses as local and turn the destinations into "local" ones), and the same file through
/// KeepalivedImport → Planner → Applier, as `ipvs apply` runs it, in namespace B.
/// </summary>
internal sealed class OracleRun
{
    public const string ConfigId = "ipvs-lab";
    private static readonly IPAddress DirectorV4 = IPAddress.Parse("172.31.255.1");
    private static readonly IPAddress ServersV4 = IPAddress.Parse("172.31.255.2");
    private static readonly IPAddress DirectorV6 = IPAddress.Parse("fd00:ffff::1");
    private static readonly IPAddress ServersV6 = IPAddress.Parse("fd00:ffff::2");

    private Responders? _responders;
    private KeepalivedProcess? _keepalived;
    private string _finalLog = "";
    private IReadOnlyList<EndpointSpec> _finalUnprobed = [];
    private string _finalSummary = "";

    public OracleRun(string path)
    {
        Path = path;
        var id = "ko" + Guid.NewGuid().ToString("N")[..6];
        (KeepalivedNs, ServersNs, OursNs) = (id + "-ka", id + "-rs", id + "-ip");
        var parsed = KeepalivedParser.ParseFile(path, ParserOptions);
        var imported = KeepalivedImport.Load(path, ParserOptions);
        if (parsed.Config is null || imported.State is null)
        {
            throw new InvalidOperationException($"{path} does not import:\n{string.Join('\n', imported.Diagnostics)}");
        }
        Config = parsed.Config;
        State = imported.State;
        Plan = RealServerPlan.For(Config);
    }

    public static KeepalivedParserOptions ParserOptions { get; } = new() { ConfigId = ConfigId };

    public string Path { get; }

    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>keepalived's namespace.</summary>
    public string KeepalivedNs { get; }

    /// <summary>The real servers' namespace.</summary>
    public string ServersNs { get; }

    /// <summary>The namespace `ipvs apply` fills.</summary>
    public string OursNs { get; }

    public IEnumerable<string> Namespaces => [KeepalivedNs, ServersNs, OursNs];

    public KeepalivedConfig Config { get; }

    public DesiredState State { get; }

    public RealServerPlan Plan { get; }

    public ApplyReport? Report { get; private set; }

    public DateTime Started { get; private set; }

    /// <summary>When keepalived's table first matched ours with every checker's server probed; null if it never did.</summary>
    public TimeSpan? Converged { get; private set; }

    public string Log => _keepalived?.Log ?? _finalLog;

    /// <summary>Endpoints no checker has probed successfully (kept when the responders stop).</summary>
    public IReadOnlyList<EndpointSpec> Unprobed => _responders?.Unprobed ?? _finalUnprobed;

    /// <summary>Probes answered per endpoint (kept when the responders stop).</summary>
    public string ProbeSummary => _responders?.Summary ?? _finalSummary;

    /// <summary>keepalived's own word that it took a server out.</summary>
    public IEnumerable<string> Removals => Log.Split('\n').Where(l => l.Contains("Removing service", StringComparison.Ordinal) || l.Contains("Disabling service", StringComparison.Ordinal));

    /// <summary>Creates the namespaces of every run with one process.</summary>
    public static async Task CreateNamespacesAsync(IEnumerable<OracleRun> runs) =>
        await BatchAsync(null, string.Concat(runs.SelectMany(r => r.Namespaces).Select(ns => $"netns add {ns}\n")));

    /// <summary>Deletes the namespaces of every run with one process (their processes are gone by then).</summary>
    public static async Task DeleteNamespacesAsync(IEnumerable<OracleRun> runs)
    {
        // -force: go on past a namespace that is already gone.
        await Proc.RunAsync("ip", ["-force", "-batch", "-"], string.Concat(runs.SelectMany(r => r.Namespaces).Select(ns => $"netns del {ns}\n")));
    }

    /// <summary>Wires the namespaces, starts the responders and keepalived, and applies the import in B.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        await WireAsync();
        foreach (var file in Plan.TrackFiles)
        {
            // The lab's /run and /tmp are its own; anything else would write to the host.
            if (!IsLabPrivate(file))
            {
                throw new InvalidOperationException($"{Name}: track file {file} is outside the lab's private /run and /tmp");
            }
            // 0: the weight stays as configured and the checker is up.
            await File.WriteAllTextAsync(file, "0\n", ct);
        }
        _responders = Responders.Start(NetnsPath(ServersNs), Plan.Endpoints);
        _keepalived = KeepalivedProcess.Start(KeepalivedNs, Path, ConfigId);
        Started = _keepalived.Started;
        await BatchAsync(OursNs, "link set lo up\n");
        using var client = IpvsClient.Open(new IpvsClientOptions { NetworkNamespace = OursNs });
        var plan = await Planner.PlanAsync(client, State, cancellationToken: ct);
        Report = await Applier.ApplyAsync(client, plan, cancellationToken: ct);
    }

    private static string NetnsPath(string name) => "/run/netns/" + name;

    private static bool IsLabPrivate(string file) => file.StartsWith("/run/", StringComparison.Ordinal) || file.StartsWith("/tmp/", StringComparison.Ordinal);

    // A ⇄ R over a veth; the real servers' addresses are on R's end, and A reaches each on-link
    // (ARP and neighbour discovery answer for them), so A needs no gateway and no default route:
    // keepalived looks its host name up at start-up, and a resolver it could reach but that never
    // answers would cost it 10 s. The checkers' bindto addresses are A's; R routes back to A.
    private async Task WireAsync()
    {
        var director = new StringBuilder()
            .AppendLine("link set lo up")
            .AppendLine($"link add a0 type veth peer name r0 netns {ServersNs}")
            .AppendLine("link set a0 up")
            .AppendLine($"addr add {DirectorV4}/30 dev a0")
            .AppendLine($"addr add {DirectorV6}/64 dev a0 nodad");
        foreach (var bind in Plan.BindAddresses)
        {
            director.AppendLine(bind.AddressFamily == AddressFamily.InterNetworkV6 ? $"addr add {bind}/128 dev a0 nodad" : $"addr add {bind}/32 dev a0");
        }
        var servers = new StringBuilder()
            .AppendLine("link set lo up")
            .AppendLine("link set r0 up")
            .AppendLine($"addr add {ServersV4}/30 dev r0")
            .AppendLine($"addr add {ServersV6}/64 dev r0 nodad");
        foreach (var address in Plan.Addresses)
        {
            bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
            servers.AppendLine(v6 ? $"addr add {address}/128 dev r0 nodad" : $"addr add {address}/32 dev r0");
            director.AppendLine(v6 ? $"route add {address}/128 dev a0" : $"route add {address}/32 dev a0");
        }
        servers.AppendLine($"route add default via {DirectorV4}").AppendLine($"route add default via {DirectorV6}");
        await BatchAsync(KeepalivedNs, director.ToString());
        await BatchAsync(ServersNs, servers.ToString());
        // PING_CHECK uses ICMP datagram sockets, which a fresh namespace allows no group.
        InNamespace.Run(NetnsPath(KeepalivedNs), () =>
        {
            File.WriteAllText("/proc/sys/net/ipv4/ping_group_range", "0 2147483647\n");
            return true;
        });
    }

    private static async Task BatchAsync(string? netns, string commands)
    {
        string[] args = netns is null ? ["-batch", "-"] : ["-n", netns, "-batch", "-"];
        (await Proc.RunAsync("ip", args, commands)).EnsureSuccess();
    }

    /// <summary>
    /// Waits until every checker's server has answered a probe and keepalived's table has matched
    /// ours for two reads a second apart, or until the longest warm-up (the first check comes at a
    /// random time up to it) plus a margin has passed. The table is read with the library and
    /// compared by the planner (an empty plan, pruning included, means equal): cheap enough to poll
    /// while other runs start; the verdict is ipvsadm's, read in <see cref="SnapshotAsync"/>.
    /// </summary>
    public async Task ConvergeAsync(CancellationToken ct)
    {
        var deadline = Started + Plan.LongestWarmup + TimeSpan.FromSeconds(45);
        var target = State with { Timeouts = null };
        using var theirs = IpvsClient.Open(new IpvsClientOptions { NetworkNamespace = KeepalivedNs });
        bool previous = false;
        while (!_keepalived!.HasExited)
        {
            var table = await theirs.GetTableAsync(ct);
            bool same = Planner.Plan(table, target, new PlanOptions { Prune = true }).IsEmpty;
            if (same && previous && Unprobed.Count == 0)
            {
                Converged = DateTime.UtcNow - Started;
                return;
            }
            previous = same;
            if (DateTime.UtcNow > deadline)
            {
                return;
            }
            await Task.Delay(1000, ct);
        }
    }

    /// <summary>
    /// Both tables as ipvsadm lists them. Called when no namespace changes any more, so one read
    /// is exact; when the two differ they are read once more, in case a check failed meanwhile.
    /// </summary>
    public async Task<(TableListings Keepalived, TableListings Ours)> SnapshotAsync()
    {
        var keepalived = await ListingsAsync(KeepalivedNs);
        var ours = await ListingsAsync(OursNs);
        if (!keepalived.SameAs(ours))
        {
            (keepalived, ours) = (await ListingsAsync(KeepalivedNs), await ListingsAsync(OursNs));
        }
        return (keepalived, ours);
    }

    private async Task<TableListings> ListingsAsync(string netns)
    {
        string[][] commands =
        [
            ["-Sn"],
            ["-Ln", "--thresholds"],
            Config.Global.LvsTimeouts is null ? [] : ["-L", "--timeout"],
            Config.Global.LvsSyncDaemon is null ? [] : ["-L", "--daemon"],
        ];
        // One shell for the listings: in the lab every process start costs tens of milliseconds.
        const string Separator = "@@";
        var script = "set -e; " + string.Join($"; echo {Separator}; ", commands.Select(c => c.Length == 0 ? "true" : "ipvsadm " + string.Join(' ', c)));
        var output = (await Proc.RunAsync("ip", "netns", "exec", netns, "bash", "-c", script)).EnsureSuccess().Lines;
        var parts = new List<string[]>();
        var current = new List<string>();
        foreach (var line in output)
        {
            if (line == Separator)
            {
                parts.Add([.. current]);
                current.Clear();
            }
            else
            {
                current.Add(line);
            }
        }
        parts.Add([.. current]);
        return new TableListings(parts[0], parts[1], parts[2], parts[3]);
    }

    /// <summary>Stops keepalived (SIGTERM, then SIGKILL for its whole tree after 10 s) and the responders.</summary>
    public async Task StopAsync()
    {
        if (_keepalived is { } keepalived)
        {
            _finalLog = keepalived.Log;
            await keepalived.DisposeAsync();
            _keepalived = null;
        }
        if (_responders is not null)
        {
            (_finalUnprobed, _finalSummary) = (_responders.Unprobed, _responders.Summary);
            await _responders.DisposeAsync();
            _responders = null;
        }
        foreach (var file in Plan.TrackFiles.Where(IsLabPrivate))
        {
            File.Delete(file);
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} (A={KeepalivedNs}, R={ServersNs}, B={OursNs})");
}
