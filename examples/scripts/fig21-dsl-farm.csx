// Fig. 19–21 grown up: the DSL is C#, so variables, loops, conditions, functions and #load work,
// and health checks and hooks are declared next to the servers (the slides' Fig. 20–21). Checks
// and hooks are data for the health-checking daemon: `ipvs plan` shows them, nothing here runs
// them.
//   ipvs check examples/scripts/fig21-dsl-farm.csx -- [VIP]
#load "shared/web-farm.csx"

var vip = Args.Length > 0 ? Args[0] : "10.0.0.1";
string[] webs = ["192.168.0.1", "192.168.0.2", "192.168.0.3"];

// The same farm behind HTTP and HTTPS, by direct routing.
foreach (var port in new[] { 80, 443 })
{
    VirtualServer($"{vip}:{port}", vs =>
    {
        vs.LbAlgo = "wrr";
        vs.LbKind = Dr;
        vs.PersistenceTimeout = port == 443 ? 300 : 0;
        vs.Quorum = 2;
        vs.SorryServer($"192.168.0.250:{port}");
        vs.QuorumDown("/usr/bin/logger", "-t", "ipvs", $"{vip}:{port} lost its quorum");

        for (int i = 0; i < webs.Length; i++)
        {
            WebServer(vs, $"{webs[i]}:{port}", weight: i == 0 ? 2 : 1, tls: port == 443);
        }
    });
}

// DNS over UDP, by NAT, checked with real queries.
VirtualServer($"{vip}:53", vs =>
{
    vs.Protocol = Udp;
    vs.LbAlgo = "rr";
    foreach (var dns in new[] { "192.168.0.21", "192.168.0.22" })
    {
        vs.RealServer($"{dns}:53", rs => rs.HealthCheck(Check.Dns("example.com"), every: 10.Seconds()));
    }
});

// Packets marked 1 by the firewall, spread by source hash; the real servers' port follows the client's.
VirtualServer(Fwmark(1), vs =>
{
    vs.LbAlgo = "sh";
    vs.SchedulerFlags = ServiceFlags.ShPort;
    vs.LbKind = Dr;
    foreach (var web in webs)
    {
        vs.RealServer(web, rs => rs.HealthCheck(Check.Tcp().Port(80), every: 5.Seconds()));
    }
});

LvsTimeouts(tcp: 15.Minutes(), tcpFin: 2.Minutes(), udp: 5.Minutes());
