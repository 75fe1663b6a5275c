using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ipvs.Desired;
using Ipvs.Keepalived;
using Ipvs.KernelTests.Infrastructure;
using static Ipvs.KernelTests.Infrastructure.KernelLab;

namespace Ipvs.KernelTests.Keepalived;

/// <summary>
/// The real keepalived 2.2.7 as the oracle of the import's HTTP_GET rise: a real server is made
/// to fail (503 on every url) until keepalived takes it out, then repaired; keepalived must put it
/// back after N + 1 passing GETs for N urls, (N) delay_loops after the first (at once with
/// fast_recovery), which is what the import's rise on each url's check says: (rise − 1) × delay_loop.
/// </summary>
public sealed class HttpRiseOracleTests
{
    private const int DelayLoop = 2;
    private static readonly IPAddress Director = IPAddress.Parse("172.31.254.1");
    private static readonly IPAddress Server = IPAddress.Parse("172.31.254.2");

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, false)]
    [InlineData(3, true)]
    public async Task Keepalived_puts_a_repaired_server_back_after_the_rise_the_import_gives_its_url_checks(int urls, bool fastRecovery)
    {
        Require();
        var config = Config(urls, fastRecovery);
        var imported = KeepalivedImport.FromConfig(KeepalivedParser.ParseText(config, "rise.conf", OracleRun.ParserOptions).Config!);
        var checks = Assert.Single(Assert.Single(imported.State!.Services).Destinations).Checks.Cast<HttpCheck>().ToList();
        Assert.Equal(urls, checks.Count);
        int rise = checks.Select(c => c.Rise).Distinct().Single();

        await using var ka = await Netns.CreateAsync();
        await using var rs = await Netns.CreateAsync();
        await ka.IpAsync("link", "add", "a0", "type", "veth", "peer", "name", "r0", "netns", rs.Name);
        await ka.IpAsync("addr", "add", $"{Director}/30", "dev", "a0");
        await ka.IpAsync("link", "set", "a0", "up");
        await rs.IpAsync("addr", "add", $"{Server}/30", "dev", "r0");
        await rs.IpAsync("link", "set", "r0", "up");
        await using var web = SwitchableWeb.Start(rs.Path, new IPEndPoint(Server, 80));
        var file = Path.Combine(Directory.CreateTempSubdirectory("ka-rise-").FullName, "keepalived.conf");
        await File.WriteAllTextAsync(file, config, Ct);
        await using var keepalived = KeepalivedProcess.Start(ka.Name, file, OracleRun.ConfigId);
        using var client = ka.OpenClient();
        string Context() => $"\n--- requests:\n{web}\n--- keepalived's log:\n{keepalived.Log}";

        // Up, after a whole first round (keepalived's has_run).
        await Until(async () => await InTableAsync(client) && web.Passed >= urls, TimeSpan.FromSeconds(30), "in after a first round", Context);
        web.Healthy = false;
        await Until(async () => !await InTableAsync(client), TimeSpan.FromSeconds(6 * DelayLoop), "taken out", Context);
        var repaired = DateTime.UtcNow;
        web.Healthy = true;
        await Until(() => InTableAsync(client), TimeSpan.FromSeconds((urls + 3) * DelayLoop), "put back", Context);
        var back = DateTime.UtcNow;

        var passes = web.Requests.Where(r => r.At >= repaired && r.At <= back && r.Passed).Select(r => r.At).ToList();
        Assert.True(passes.Count == urls + 1, $"{passes.Count} passing GETs before the return, not {urls + 1}{Context()}");
        // From the first passing GET to the return: (rise - 1) delay_loops, give or take the
        // polling (50 ms) and the lab's scheduling.
        double took = (back - passes[0]).TotalSeconds;
        double expected = (rise - 1) * DelayLoop;
        Assert.True(Math.Abs(took - expected) < 0.4 * DelayLoop,
            string.Create(CultureInfo.InvariantCulture, $"back {took:0.00} s after the first passing GET; the import's rise {rise} at delay_loop {DelayLoop} s says {expected} s{Context()}"));
        TestContext.Current.SendDiagnosticMessage(string.Create(CultureInfo.InvariantCulture,
            $"{urls} url(s), fast_recovery {fastRecovery}: keepalived back {took:0.00} s after the first of {passes.Count} passing GETs; import rise {rise} → {expected} s"));
    }

    private static string Config(int urls, bool fastRecovery) => $$"""
        virtual_server 10.10.10.1 80 {
            delay_loop {{DelayLoop}}
            lb_algo rr
            lb_kind NAT
            protocol TCP
            real_server {{Server}} 80 {
                HTTP_GET {
        {{string.Concat(Enumerable.Range(1, urls).Select(i => $"            url {{\n                path /u{i}\n            }}\n"))}}
                    connect_timeout 1
                    retry 0
                    delay_before_retry 1
                    warmup 0
        {{(fastRecovery ? "            fast_recovery\n" : "")}}
                }
            }
        }
        """;

    private static async Task<bool> InTableAsync(IpvsClient client) =>
        (await client.GetTableAsync(Ct)).Any(s => s.Destinations.Any(d => d.Destination.Address.Equals(Server)));

    private static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<string> context)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not {what} within {timeout.TotalSeconds} s{context()}");
            await Task.Delay(50, Ct);
        }
    }

    /// <summary>A web server in a namespace that answers every GET 200 while healthy, 503 otherwise, and logs each.</summary>
    private sealed class SwitchableWeb : IAsyncDisposable
    {
        private readonly Socket _listener;
        private readonly Task _loop;
        private readonly List<(DateTime At, string Path, bool Passed)> _requests = [];
        private readonly CancellationTokenSource _stop = new();

        private SwitchableWeb(Socket listener)
        {
            _listener = listener;
            _loop = Task.Run(ServeAsync);
        }

        private volatile bool _healthy = true;

        public bool Healthy
        {
            get => _healthy;
            set => _healthy = value;
        }

        public IReadOnlyList<(DateTime At, string Path, bool Passed)> Requests
        {
            get
            {
                lock (_requests)
                {
                    return [.. _requests];
                }
            }
        }

        public int Passed => Requests.Count(r => r.Passed);

        public static SwitchableWeb Start(string netnsPath, IPEndPoint at) => new(InNamespace.Run(netnsPath, () =>
        {
            var s = new Socket(at.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            s.Bind(at);
            s.Listen(16);
            return s;
        }));

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket connection;
                try
                {
                    connection = await _listener.AcceptAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
                using (connection)
                {
                    try
                    {
                        var request = new StringBuilder();
                        var buffer = new byte[2048];
                        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                        {
                            int n = await connection.ReceiveAsync(buffer, _stop.Token);
                            if (n == 0)
                            {
                                break;
                            }
                            request.Append(Encoding.ASCII.GetString(buffer, 0, n));
                        }
                        var line = request.ToString().Split("\r\n")[0].Split(' ');
                        bool healthy = _healthy;
                        lock (_requests)
                        {
                            _requests.Add((DateTime.UtcNow, line.Length > 1 ? line[1] : "?", healthy));
                        }
                        var reply = healthy
                            ? "HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"
                            : "HTTP/1.0 503 Service Unavailable\r\nContent-Length: 5\r\nConnection: close\r\n\r\ndown\n";
                        await connection.SendAsync(Encoding.ASCII.GetBytes(reply), _stop.Token);
                        connection.Shutdown(SocketShutdown.Both);
                    }
                    catch (Exception e) when (e is OperationCanceledException or SocketException)
                    {
                        // Stopping, or keepalived went away.
                    }
                }
            }
        }

        public override string ToString() =>
            string.Join('\n', Requests.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.At:HH:mm:ss.fff} {r.Path} {(r.Passed ? 200 : 503)}")));

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Dispose();
            await _loop;
            _stop.Dispose();
        }
    }
}
