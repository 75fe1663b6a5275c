// The web farm `ipvs run` keeps healthy: three web servers behind one virtual address, each
// HTTP-checked every second; a failed one drains out, a returning one ramps up over 5 s, and a
// sorry server answers when none is left.
//
//   sudo ipvs run examples/web.csx                        on a host: 10.0.0.1 → 192.168.0.1-3
//   ipvs run examples/web.csx -- vip=10.9.0.1 sorry=10.9.1.4 servers=10.9.1.1,10.9.1.2,10.9.1.3 kind=dr
//
// Arguments (after --, all optional): vip=ADDRESS, sorry=ADDRESS, servers=A,B,C, kind=nat|dr,
// interval=SECONDS, weight=N.
var opt = Args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
string Opt(string key, string fallback) => opt.TryGetValue(key, out var v) ? v : fallback;

var vip = Opt("vip", "10.0.0.1");
var servers = Opt("servers", "192.168.0.1,192.168.0.2,192.168.0.3").Split(',', StringSplitOptions.RemoveEmptyEntries);
var every = double.Parse(Opt("interval", "1"), System.Globalization.CultureInfo.InvariantCulture).Seconds();
var weight = int.Parse(Opt("weight", "10"), System.Globalization.CultureInfo.InvariantCulture);

VirtualServer($"{vip}:80", vs =>
{
    vs.LbAlgo = "wrr";
    vs.LbKind = Opt("kind", "nat") == "dr" ? Dr : Nat;
    vs.SorryServer($"{Opt("sorry", "192.168.0.250")}:80");

    foreach (var server in servers)
    {
        vs.RealServer($"{server}:80", rs =>
        {
            rs.Weight = weight;
            rs.SlowStart(5.Seconds());
            // Out after 2 failed checks in a row, back after 2 good ones; no retries within a check,
            // so a dead server is out within 2 intervals.
            rs.HealthCheck(Check.Http("/").Expect(200), every: every, timeout: 1.Seconds(), retries: 0, fall: 2, rise: 2);
        });
    }
});
