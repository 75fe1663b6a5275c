namespace Ipvs.AdminTests;

/// <summary>
/// Counters and rates with real traffic (client, director and real servers in their own
/// namespaces, busybox httpd on the real servers), and the connection table: both programs
/// list the same director, so everything must match except what changes between the two
/// reads (the estimator updates rates every 2 s, connections count down): each listing of ours
/// must equal a real ipvsadm listing taken just before or just after it.
/// </summary>
[Collection("traffic")]
public sealed class TrafficTests : IDisposable
{
    private readonly string _prefix = AdminLab.Unique("tr");
    private readonly NsShell _real;
    private readonly NsShell _ours;

    public TrafficTests()
    {
        AdminLab.Require();
        Lab($"lab_topology {_prefix} 2");
        string dir = $"{_prefix}-dir";
        _real = new NsShell(dir, AdminLab.RealDir, "traffic-real");
        _ours = new NsShell(dir, AdminLab.OursDir, "traffic-ours");
    }

    public void Dispose()
    {
        _real.Dispose();
        _ours.Dispose();
        Lab($"lab_topology_del {_prefix}");
    }

    private string Lab(string script) =>
        Sh.Bash($"source {Sh.Quote(Path.Combine(AdminLab.RepoRoot, "lab/netns.sh"))}\n{script}", TimeSpan.FromSeconds(120));

    private string Env(string name) => Lab($"lab_topology_load {_prefix}; echo \"${name}\"").Trim();

    // ours must equal a real listing taken just before or just after it.
    private void Matches(params string[] args)
    {
        string last = "";
        for (int attempt = 0; attempt < 6; attempt++)
        {
            var before = _real.Run(args);
            var ours = _ours.Run(args);
            var after = _real.Run(args);
            Assert.Equal(0, ours.ExitCode);
            if (ours == before || ours == after)
            {
                return;
            }
            last = $"- real (before), + ours:\n{Listings.Diff(before.Stdout, ours.Stdout)}\n- real (after), + ours:\n{Listings.Diff(after.Stdout, ours.Stdout)}";
        }
        Assert.Fail($"ipvsadm {Sh.QuoteAll(args)} never matched:\n{last}");
    }

    // The connection table counts down: ours must equal a real listing taken before it and one
    // taken after it in everything but each entry's remaining time, which must lie between the two.
    private void MatchesConnections(params string[] args)
    {
        string last = "";
        for (int attempt = 0; attempt < 6; attempt++)
        {
            var before = _real.Run(args);
            var ours = _ours.Run(args);
            var after = _real.Run(args);
            Assert.Equal(0, ours.ExitCode);
            string[] b = before.Stdout.Split('\n'), o = ours.Stdout.Split('\n'), a = after.Stdout.Split('\n');
            bool ok = before.Stderr == ours.Stderr && b.Length == o.Length && a.Length == o.Length && o.Length > 3;
            for (int i = 0; ok && i < o.Length; i++)
            {
                if (i < 2 || o[i].Length < 11)
                {
                    ok = o[i] == b[i] && o[i] == a[i];
                    continue;
                }
                ok = Masked(o[i]) == Masked(b[i]) && Masked(o[i]) == Masked(a[i])
                    && Expire(b[i]) >= Expire(o[i]) && Expire(o[i]) >= Expire(a[i]);
            }
            if (ok)
            {
                return;
            }
            last = $"- real (before), + ours:\n{Listings.Diff(before.Stdout, ours.Stdout)}\n- real (after), + ours:\n{Listings.Diff(after.Stdout, ours.Stdout)}";
        }
        Assert.Fail($"ipvsadm {Sh.QuoteAll(args)} never matched:\n{last}");
    }

    // "TCP 01:43  TIME_WAIT ...": the protocol, then the expiry as "%-6s".
    private static string Masked(string line) => line[..4] + "~~~~~~" + line[10..];

    private static int Expire(string line)
    {
        string[] mmss = line[4..10].Trim().Split(':');
        return int.Parse(mmss[0]) * 60 + int.Parse(mmss[1]);
    }

    [Fact]
    public void Statistics_rates_and_connections_match_under_traffic()
    {
        string vip = Env("LAB_VIP");
        string vip6 = Env("LAB_VIP6");
        string[] rs = Env("LAB_RS_IPS_LIST").Split(' ');
        string[] rs6 = Env("LAB_RS_IPS6_LIST").Split(' ');
        var setup = _ours.Run(["-R"],
            $"-A -t {vip}:80 -s rr\n" +
            $"-a -t {vip}:80 -r {rs[0]}:80 -m -w 1\n" +
            $"-a -t {vip}:80 -r {rs[1]}:80 -m -w 3\n" +
            $"-A -t [{vip6}]:80 -s wrr -p 60\n" +
            $"-a -t [{vip6}]:80 -r [{rs6[0]}]:80 -m\n" +
            $"-a -t [{vip6}]:80 -r [{rs6[1]}]:80 -m\n");
        Assert.Equal(0, setup.ExitCode);

        Lab($"""
            lab_topology_load {_prefix}
            for i in $(seq 24); do lab_http_get "$LAB_NS_CLI" "http://$LAB_VIP/" >/dev/null; done
            for i in $(seq 8); do lab_http_get "$LAB_NS_CLI" "http://[$LAB_VIP6]/" >/dev/null; done
            """);
        // The estimator sums every 2 s; let it see the traffic before the rates are compared.
        Thread.Sleep(4500);

        var stats = _real.Run(["-L", "-n", "--stats", "--exact"]);
        Assert.Contains($"TCP  {vip}:80", stats.Stdout);
        Assert.DoesNotContain($"TCP  {vip}:80                          0", stats.Stdout);

        Matches("-L", "-n", "--stats", "--exact");
        Matches("-L", "-n", "--stats");
        Matches("-L", "--stats");
        Matches("-L", "-n", "--rate");
        Matches("-L", "-n", "--rate", "--exact");
        Matches("-L", "-n", "-t", $"{vip}:80", "--stats", "--exact");
        Matches("-L", "-n", "--persistent-conn");
        Matches("-L", "-n", "--thresholds");
        MatchesConnections("-L", "-n", "-c");
        MatchesConnections("-L", "-c");
        MatchesConnections("-L", "-n", "-c", "--persistent-conn");
        Matches("-S", "-n");

        // Zero by ours, read by both.
        Assert.Equal(0, _ours.Run(["-Z", "-t", $"{vip}:80"]).ExitCode);
        Matches("-L", "-n", "--stats", "--exact");
        Assert.Equal(0, _ours.Run(["-Z"]).ExitCode);
        Matches("-L", "-n", "--stats", "--exact");
    }
}
