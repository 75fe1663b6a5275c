// Shared by scripts with #load: how this site declares a web server, in one function.
void WebServer(VirtualServerBlock vs, string address, int weight = 1, bool tls = false)
{
    vs.RealServer(address, rs =>
    {
        rs.Weight = weight;
        rs.SlowStart(30.Seconds());

        // keepalived's HTTP_GET (Fig. 7): GET /health, status 200, 2 retries.
        var health = tls ? Check.Https("/health") : Check.Http("/health");
        rs.HealthCheck(health.Expect(200), every: 5.Seconds(), timeout: 2.Seconds(), retries: 2);

        // A check written in C#: the application must say it is ready, not just answer.
        rs.HealthCheck(async c => (await Http.GetAsync($"http://{c.Target.Address}/ready", 2.Seconds())).Body?.Contains("ready") == true,
            every: 10.Seconds());

        rs.NotifyDown("/usr/bin/logger", "-t", "ipvs", $"{address} is down");
        rs.NotifyUp(e => Console.Error.WriteLine($"{e.Destination} of {e.Service} is up"));
    });
}
