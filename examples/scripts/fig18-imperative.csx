// The thesis's Fig. 18 in C#: an imperative health-check loop. Each round GETs every web server;
// a server that does not answer is taken out (after a restart attempt when its connection counts
// say it hangs), one that answers again is put back, and a sorry server stands in while none is
// left. The checks run in parallel, so a round takes one timeout however many servers there are
// (the thesis's own remark on Fig. 18).
//
//   ipvs script examples/scripts/fig18-imperative.csx -- [OPTIONS] [WEB:PORT ...]
//     --vip ADDR:PORT      the virtual service (10.0.0.1:80)
//     --sorry ADDR:PORT    the sorry server (192.168.0.3:80)
//     --rounds N           stop after N rounds (0, the default: run until Ctrl+C)
//     --interval SECONDS   pause between rounds (5)
//     --restart COMMAND    run for a hung server, with {addr} replaced (e.g. "ssh {addr} sudo /etc/init.d/httpd restart")
//   Web servers default to 192.168.0.1:80 and 192.168.0.2:80.

string Option(string name, string fallback)
{
    int i = Array.IndexOf(Args, name);
    return i >= 0 && i + 1 < Args.Length ? Args[i + 1] : fallback;
}

var rest = Args.Where((a, i) => !a.StartsWith("--") && (i == 0 || !Args[i - 1].StartsWith("--"))).ToArray();
var webs = (rest.Length > 0 ? rest : ["192.168.0.1:80", "192.168.0.2:80"]).Select(a => new Dest(a)).ToList();
var sorry = new Dest(Option("--sorry", "192.168.0.3:80"));
int rounds = int.Parse(Option("--rounds", "0"));
double interval = double.Parse(Option("--interval", "5"), System.Globalization.CultureInfo.InvariantCulture);
string? restart = Option("--restart", "") is { Length: > 0 } r ? r : null;

var service = new Service(Option("--vip", "10.0.0.1:80"), scheduler: "wrr").Add();
foreach (var web in webs)
{
    service.AddDest(web);
}

for (int round = 1; rounds == 0 || round <= rounds; round++)
{
    var replies = await Task.WhenAll(webs.Select(web => Http.GetAsync($"http://{web}/", timeout: 2.Seconds())));
    var dests = service.Dests;
    for (int i = 0; i < webs.Count; i++)
    {
        var web = webs[i];
        if (replies[i].Body == null)
        {
            if (!dests.Contains(web))
            {
                continue;
            }
            // Many idle connections and few active ones: httpd hangs rather than died; restart it first.
            if (restart != null && web.InactConns > 500 && web.ActiveConns < 50)
            {
                var result = Sh(restart.Replace("{addr}", web.Addr), timeout: 30.Seconds());
                Log($"{web}: restart exited with {result.ExitCode}{(result.TimedOut ? " (timed out)" : "")}");
            }
            Log($"{web} is down ({replies[i].Error}; active {web.ActiveConns}, inactive {web.InactConns}): removed");
            service.DelDest(web);
        }
        else if (!dests.Contains(web))
        {
            service.AddDest(web);
            Log($"{web} is back: added");
        }
    }

    dests = service.Dests;
    if (dests.Count == 0)
    {
        service.AddDest(sorry);
        Log($"no web server left: sorry server {sorry} added");
    }
    else if (dests.Count > 1 && dests.Contains(sorry))
    {
        service.DelDest(sorry);
        Log($"a web server is back: sorry server {sorry} removed");
    }
    Sleep(interval);
}
