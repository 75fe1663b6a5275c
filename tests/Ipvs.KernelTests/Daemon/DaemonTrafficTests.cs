using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Ipvs.KernelTests.Infrastructure;
using Ipvs.Model;
using static Ipvs.KernelTests.Infrastructure.KernelLab;

namespace Ipvs.KernelTests.Daemon;

/// <summary>
/// `ipvs run` with real traffic: a client namespace sends a steady stream of HTTP requests to the
/// VIP while real servers fail, return, all go down, the configuration is reloaded (well and
/// badly), and the daemon is killed with SIGKILL and started again. examples/web.csx is the
/// configuration: HTTP checks every second, out after 2 failures, back after 2 passes, a 5 s slow
/// start, and a sorry server.
/// </summary>
public sealed class DaemonTrafficTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private const int Fall = 2;
    private static string WebCsx => Path.Combine(RepoRoot, "examples", "web.csx");

    private sealed class Farm : IAsyncDisposable
    {
        private Farm(LabTopology topo, string stateDir)
        {
            Topo = topo;
            StateDir = stateDir;
            Client = IpvsClient.Open(new IpvsClientOptions { NetworkNamespace = topo.Director });
        }

        public LabTopology Topo { get; }

        public string StateDir { get; }

        public IpvsClient Client { get; }

        public ServiceKey Service => ServiceKey.Tcp($"{Topo.Vip}:80");

        public IPEndPoint VipEndpoint => new(IPAddress.Parse(Topo.Vip), 80);

        /// <summary>The real servers (the first <paramref name="servers"/>) and the sorry server (the last), as web.csx arguments.</summary>
        public string[] Args(int servers, string kind = "nat", string weight = "10") =>
        [
            $"vip={Topo.Vip}",
            $"sorry={Topo.RealServers[^1]}",
            $"servers={string.Join(',', Topo.RealServers.Take(servers))}",
            $"kind={kind}",
            $"weight={weight}",
        ];

        public static async Task<Farm> CreateAsync(int realServers, string options = "")
        {
            var topo = await LabTopology.CreateAsync(realServers, options);
            var state = Path.Combine("/var/tmp", $"ipvs-run-{topo.Prefix}");
            Directory.CreateDirectory(state);
            return new Farm(topo, state);
        }

        /// <summary>Destination address → kernel weight, for the farm's service.</summary>
        public async Task<Dictionary<string, int>> WeightsAsync()
        {
            var table = await Client.GetTableAsync(Ct);
            var entry = table.SingleOrDefault(e => e.Key == Service);
            return entry is null ? [] : entry.Destinations.ToDictionary(d => d.Key.Address!.ToString(), d => d.Destination.Weight);
        }

        public async Task<TimeSpan> UntilAsync(Func<Dictionary<string, int>, bool> condition, string what, TimeSpan limit, DaemonProcess? daemon = null)
        {
            var clock = Stopwatch.StartNew();
            Dictionary<string, int> now;
            while (!condition(now = await WeightsAsync()))
            {
                Assert.True(clock.Elapsed < limit, $"waited {limit.TotalSeconds} s for {what}; weights {Show(now)}\n{daemon?.LogText}");
                await Task.Delay(100, Ct);
            }
            return clock.Elapsed;
        }

        public static string Show(Dictionary<string, int> w) => string.Join(", ", w.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Topo.DisposeAsync();
            Directory.Delete(StateDir, recursive: true);
        }
    }

    private static int FreePort() => 20000 + Random.Shared.Next(20000);

    // web.csx with its list of web servers fixed in the script instead of taken from the arguments.
    private static string WithServers(string webCsx, string[] servers)
    {
        const string line = "var servers = Opt(\"servers\", \"192.168.0.1,192.168.0.2,192.168.0.3\").Split(',', StringSplitOptions.RemoveEmptyEntries);";
        Assert.Contains(line, webCsx, StringComparison.Ordinal);
        return webCsx.Replace(line, $"string[] servers = [{string.Join(", ", servers.Select(s => $"\"{s}\""))}];", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nat")]
    [InlineData("dr")] // the VIP on the real servers' loopback, arp_ignore/arp_announce set (lab_topology --dr)
    public async Task A_failed_server_leaves_within_interval_times_fall_plus_1s_returns_with_slow_start_and_the_sorry_server_covers_a_total_outage(string kind)
    {
        await using var farm = await Farm.CreateAsync(4, kind == "dr" ? "--dr" : ""); // rs1-3 serve, rs4 is the sorry server
        var (rs1, sorry) = (farm.Topo.RealServers[0], farm.Topo.RealServers[3]);
        await using var daemon = await DaemonProcess.StartAsync(farm.Topo.Director, WebCsx, farm.StateDir, FreePort(), ["--drain-timeout", "5"], farm.Args(3, kind));
        var forwarding = kind == "dr" ? ForwardingMethod.DirectRoute : ForwardingMethod.Masquerade;
        Assert.All((await farm.Client.GetDestinationsAsync(farm.Service, Ct)).Where(d => d.Destination.Weight > 0), d => Assert.Equal(forwarding, d.Destination.Forwarding));
        await farm.UntilAsync(w => w.Count == 3 && w.Values.All(v => v == 10), "the three servers at weight 10", TimeSpan.FromSeconds(20), daemon);
        using var traffic = TrafficStream.Start(farm.Topo.Client, farm.VipEndpoint);
        await traffic.WaitForAsync(20, TimeSpan.FromSeconds(30));
        Assert.True(traffic.Samples.All(s => s.Ok), traffic.Describe());

        // (a) rs1 fails: it is out of rotation (weight 0, draining) within interval x fall + 1 s,
        // and after that no request fails or reaches it.
        await farm.Topo.RealServerAsync("stop", 1);
        var stopped = traffic.Now;
        var detection = await farm.UntilAsync(w => !w.TryGetValue(rs1, out int v) || v == 0, "rs1 out of rotation", TimeSpan.FromSeconds(15), daemon);
        var bound = (Interval * Fall) + TimeSpan.FromSeconds(1);
        Assert.True(detection <= bound, $"rs1 left after {detection.TotalSeconds:0.00} s; the bound is {bound.TotalSeconds} s\n{daemon.LogText}");
        var outAt = traffic.Now;
        await traffic.WaitForAsync(40, TimeSpan.FromSeconds(30));
        var after = traffic.Since(outAt);
        Assert.True(after.All(s => s.Ok && s.Server != "rs1"), $"requests after rs1 left (at {outAt.TotalSeconds:0.00}s):\n{traffic.Describe(outAt)}");
        // Out of rotation, it is deleted once its connections end or its 5 s drain timeout passes.
        await farm.UntilAsync(w => !w.ContainsKey(rs1), "rs1 deleted", TimeSpan.FromSeconds(20), daemon);

        // (b) rs1 returns: back after rise checks, and its weight ramps up (slow start) to 10.
        await farm.Topo.RealServerAsync("start", 1);
        var ramp = new List<int>();
        await farm.UntilAsync(w =>
        {
            if (w.TryGetValue(rs1, out int v) && (ramp.Count == 0 || ramp[^1] != v))
            {
                ramp.Add(v);
            }
            return v == 10;
        }, "rs1 back at weight 10", TimeSpan.FromSeconds(30), daemon);
        Assert.True(ramp.Count >= 3 && ramp[0] < 10 && ramp.SequenceEqual(ramp.Order()), $"slow start weights of rs1: {string.Join(" ", ramp)}");
        var backAt = traffic.Now;
        await traffic.WaitForAsync(30, TimeSpan.FromSeconds(30));
        Assert.Contains(traffic.Since(backAt), s => s.Server == "rs1");

        // (c) all three fail: the sorry server serves; when they return, it is withdrawn.
        foreach (int i in new[] { 1, 2, 3 })
        {
            await farm.Topo.RealServerAsync("stop", i);
        }
        await farm.UntilAsync(w => w.TryGetValue(sorry, out int v) && v > 0 && w.Where(p => p.Key != sorry).All(p => p.Value == 0), "the sorry server alone", TimeSpan.FromSeconds(15), daemon);
        var sorryAt = traffic.Now;
        await traffic.WaitForAsync(20, TimeSpan.FromSeconds(30));
        Assert.True(traffic.Since(sorryAt).All(s => s.Ok && s.Server == "rs4"), $"while only the sorry server serves:\n{traffic.Describe(sorryAt)}");
        foreach (int i in new[] { 1, 2, 3 })
        {
            await farm.Topo.RealServerAsync("start", i);
        }
        await farm.UntilAsync(w => w.Where(p => p.Key != sorry).Count(p => p.Value > 0) == 3 && (!w.TryGetValue(sorry, out int v) || v == 0), "the real servers back, the sorry server out", TimeSpan.FromSeconds(20), daemon);
        var restoredAt = traffic.Now;
        await traffic.WaitForAsync(30, TimeSpan.FromSeconds(30));
        Assert.True(traffic.Since(restoredAt).All(s => s.Ok && s.Server != "rs4"), traffic.Describe(restoredAt));

        Assert.Equal(0, await daemon.StopAsync());
        // SIGTERM leaves the table as it is.
        Assert.Equal(3, (await farm.WeightsAsync()).Count(p => p.Key != sorry && p.Value > 0));
    }

    [Fact]
    public async Task A_reload_under_traffic_changes_a_weight_adds_and_drains_out_servers_without_a_failed_request_and_a_bad_reload_changes_nothing()
    {
        await using var farm = await Farm.CreateAsync(5); // rs1-3 serve, rs4 joins on reload, rs5 is the sorry server
        var rs = farm.Topo.RealServers;
        var config = Path.Combine(farm.StateDir, "web.csx");
        File.Copy(WebCsx, config);
        var args = farm.Args(3);
        await using var daemon = await DaemonProcess.StartAsync(farm.Topo.Director, config, farm.StateDir, FreePort(), ["--drain-timeout", "4", "--no-watch"], args);
        await farm.UntilAsync(w => w.Count == 3 && w.Values.All(v => v == 10), "three servers at weight 10", TimeSpan.FromSeconds(20), daemon);
        using var traffic = TrafficStream.Start(farm.Topo.Client, farm.VipEndpoint);
        await traffic.WaitForAsync(20, TimeSpan.FromSeconds(30));

        // (d) The script now lists rs1, rs2 and rs4 (rs3 removed, rs4 added) and rs2 gets weight 20.
        var text = await File.ReadAllTextAsync(WebCsx, Ct);
        await File.WriteAllTextAsync(config, WithServers(text, [rs[0], rs[1], rs[3]]).Replace(
            "rs.Weight = weight;", $"rs.Weight = server == \"{rs[1]}\" ? 20 : weight;", StringComparison.Ordinal), Ct);
        int mark = daemon.Log.Length;
        daemon.Hup();
        await daemon.WaitForLogAsync("Reloaded", TimeSpan.FromSeconds(60), mark);
        await farm.UntilAsync(w => w.GetValueOrDefault(rs[1]) == 20 && w.GetValueOrDefault(rs[3]) == 10 && w.GetValueOrDefault(rs[0]) == 10, "the reloaded weights", TimeSpan.FromSeconds(20), daemon);
        var reloadedAt = traffic.Now;
        await farm.UntilAsync(w => !w.ContainsKey(rs[2]), "rs3 drained out and deleted", TimeSpan.FromSeconds(30), daemon);
        Assert.Contains(daemon.Log, l => l.Contains($"Draining {rs[2]}:80", StringComparison.Ordinal) && l.Contains("(removed)", StringComparison.Ordinal));
        await traffic.WaitForAsync(20, TimeSpan.FromSeconds(30));
        Assert.True(traffic.Samples.All(s => s.Ok), $"failed requests around the reload:\n{traffic.Describe()}");
        Assert.Contains(traffic.Since(reloadedAt), s => s.Server == "rs4");

        // (e) A broken configuration is rejected with its place, and the table stays as it is.
        var before = await farm.WeightsAsync();
        await File.WriteAllTextAsync(config, text.Replace("vs.LbAlgo = \"wrr\";", "vs.LbAlgo = \"wrr\"", StringComparison.Ordinal), Ct);
        mark = daemon.Log.Length;
        daemon.Hup();
        await daemon.WaitForLogAsync("Reload rejected", TimeSpan.FromSeconds(60), mark);
        Assert.Contains(daemon.Log.Skip(mark), l => l.Contains("web.csx:", StringComparison.Ordinal) && l.Contains("; expected", StringComparison.Ordinal));
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        Assert.Equal(Farm.Show(before), Farm.Show(await farm.WeightsAsync()));
        using (var status = daemon.Status())
        {
            Assert.Contains("web.csx:", status.RootElement.GetProperty("lastReloadError").GetString(), StringComparison.Ordinal);
        }
        Assert.True(traffic.Samples.All(s => s.Ok), traffic.Describe());
    }

    [Fact]
    public async Task Killed_with_SIGKILL_under_traffic_the_table_keeps_serving_and_a_restart_adopts_it_and_finishes_the_drain()
    {
        await using var farm = await Farm.CreateAsync(4);
        var rs = farm.Topo.RealServers;
        var config = Path.Combine(farm.StateDir, "web.csx");
        File.Copy(WebCsx, config);
        int port = FreePort();
        var daemon = await DaemonProcess.StartAsync(farm.Topo.Director, config, farm.StateDir, port, ["--drain-timeout", "20", "--no-watch"], farm.Args(3));
        try
        {
            await farm.UntilAsync(w => w.Count == 3 && w.Values.All(v => v == 10), "three servers at weight 10", TimeSpan.FromSeconds(20), daemon);
            using var traffic = TrafficStream.Start(farm.Topo.Client, farm.VipEndpoint);
            await traffic.WaitForAsync(20, TimeSpan.FromSeconds(30));

            // Start a drain: rs3 leaves the configuration; its finished connections keep it draining for a while.
            await File.WriteAllTextAsync(config, WithServers(await File.ReadAllTextAsync(WebCsx, Ct), [rs[0], rs[1]]), Ct);
            int mark = daemon.Log.Length;
            daemon.Hup();
            await daemon.WaitForLogAsync($"Draining {rs[2]}:80", TimeSpan.FromSeconds(60), mark);
            await farm.UntilAsync(w => w.GetValueOrDefault(rs[2], -1) == 0, "rs3 draining at weight 0", TimeSpan.FromSeconds(10), daemon);
            var counterBefore = (await farm.Client.GetServiceAsync(farm.Service, Ct)).Stats.Connections;

            // (f) kill -9: nothing is cleaned up, so traffic goes on.
            await daemon.KillHardAsync();
            var killedAt = traffic.Now;
            await traffic.WaitForAsync(20, TimeSpan.FromSeconds(30));
            Assert.True(traffic.Since(killedAt).All(s => s.Ok), traffic.Describe(killedAt));
            Assert.Equal(0, (await farm.WeightsAsync()).GetValueOrDefault(rs[2], -1)); // still draining, at weight 0

            await using var restarted = await DaemonProcess.StartAsync(farm.Topo.Director, config, farm.StateDir, port, ["--drain-timeout", "20", "--no-watch"], farm.Args(3));
            Assert.Contains(restarted.Log, l => l.Contains("1 drain(s) carried over", StringComparison.Ordinal));
            // No flush, no re-adding: the service's counter goes on from where it was.
            Assert.True((await farm.Client.GetServiceAsync(farm.Service, Ct)).Stats.Connections >= counterBefore);
            await farm.UntilAsync(w => !w.ContainsKey(rs[2]), "the carried-over drain finishing", TimeSpan.FromSeconds(40), restarted);
            await traffic.WaitForAsync(20, TimeSpan.FromSeconds(30));
            Assert.True(traffic.Samples.All(s => s.Ok), $"failed requests around kill -9 and the restart:\n{traffic.Describe()}");
            Assert.Equal(0, await restarted.StopAsync());
        }
        finally
        {
            await daemon.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_hung_program_check_is_killed_at_its_timeout_and_the_daemon_stays_responsive()
    {
        await using var farm = await Farm.CreateAsync(2);
        var script = Path.Combine(farm.StateDir, "hang.csx");
        await File.WriteAllTextAsync(script, $$"""
            VirtualServer("{{farm.Topo.Vip}}:80", vs =>
            {
                vs.LbAlgo = "rr";
                vs.RealServer("{{farm.Topo.RealServers[0]}}:80", rs => rs.HealthCheck(Check.Http("/"), every: 1.Seconds()));
                // A check program that never ends (its child too): killed after 2 s, counted as a failure.
                vs.RealServer("{{farm.Topo.RealServers[1]}}:80", rs => rs.HealthCheck(
                    Check.Program("/bin/sh", "-c", "sleep 3001 & exec sleep 3002").Timeout(2.Seconds()), every: 1.Seconds()));
            });
            """, Ct);
        await using var daemon = await DaemonProcess.StartAsync(farm.Topo.Director, script, farm.StateDir, FreePort(), ["--drain-timeout", "0"]);
        await farm.UntilAsync(w => w.Count == 1 && w.ContainsKey(farm.Topo.RealServers[0]), "only rs1 (rs2's check hangs)", TimeSpan.FromSeconds(20), daemon);
        for (int i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            Assert.Equal("ok\n", daemon.Get("/healthz"));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"/healthz took {clock.Elapsed.TotalSeconds:0.00} s while a check hangs");
            await Task.Delay(700, Ct);
        }
        using (var status = daemon.Status())
        {
            var rs2 = status.RootElement.GetProperty("services")[0].GetProperty("destinations").EnumerateArray()
                .Single(d => d.GetProperty("destination").GetString() == $"{farm.Topo.RealServers[1]}:80");
            Assert.Equal("down", rs2.GetProperty("state").GetString());
            Assert.Contains("timed out", rs2.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        }
        // Every hung program and its child were killed: at most the current run's pair is alive.
        var alive = (await Proc.RunAsync("pgrep", ["-f", "sleep 300[12]"])).Lines.Length;
        Assert.True(alive <= 2, $"{alive} processes of the hung check are alive");
    }

    [Fact]
    public async Task Under_systemd_it_reports_ready_reloading_and_stopping_and_its_metrics_use_node_exporters_names()
    {
        await using var farm = await Farm.CreateAsync(2);
        var socketPath = Path.Combine(farm.StateDir, "notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(socketPath));
        var messages = new List<string>();
        var listening = Task.Run(() =>
        {
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    int n = notify.Receive(buffer);
                    lock (messages)
                    {
                        messages.Add(System.Text.Encoding.UTF8.GetString(buffer, 0, n));
                    }
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }, Ct);
        string[] Said()
        {
            lock (messages)
            {
                return [.. messages];
            }
        }

        await using var daemon = await DaemonProcess.StartAsync(farm.Topo.Director, WebCsx, farm.StateDir, FreePort(), ["--no-watch"], farm.Args(1),
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath });
        await farm.UntilAsync(w => w.Count == 1, "the one server", TimeSpan.FromSeconds(20), daemon);
        await WaitAsync(() => Said().Any(m => m.StartsWith("READY=1", StringComparison.Ordinal)), "READY=1");

        var metrics = daemon.Get("/metrics").Split('\n');
        var vip = farm.Topo.Vip;
        var rs1 = farm.Topo.RealServers[0];
        Assert.Contains($"node_ipvs_backend_weight{{local_address=\"{vip}\",local_port=\"80\",local_mark=\"\",proto=\"TCP\",remote_address=\"{rs1}\",remote_port=\"80\"}} 10", metrics);
        Assert.Contains(metrics, l => l.StartsWith("node_ipvs_backend_connections_active{", StringComparison.Ordinal));
        Assert.Contains(metrics, l => l.StartsWith($"ipvs_check_up{{check=\"http {rs1}:80 /\"}} 1", StringComparison.Ordinal));
        Assert.Contains(metrics, l => l.StartsWith("ipvs_reconcile_duration_seconds_count ", StringComparison.Ordinal));
        Assert.Equal("ok\n", daemon.Get("/healthz"));

        daemon.Hup();
        await WaitAsync(() => Said().Any(m => m.StartsWith("RELOADING=1", StringComparison.Ordinal)), "RELOADING=1");
        Assert.Equal(0, await daemon.StopAsync());
        await WaitAsync(() => Said().Any(m => m.StartsWith("STOPPING=1", StringComparison.Ordinal)), "STOPPING=1");
        notify.Dispose();
        await listening;

        async Task WaitAsync(Func<bool> condition, string what)
        {
            var clock = Stopwatch.StartNew();
            while (!condition())
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"no {what} on the notify socket; got [{string.Join(" | ", Said())}]\n{daemon.LogText}");
                await Task.Delay(100, Ct);
            }
        }
    }

    [Fact]
    public async Task Notify_hooks_run_as_programs_and_as_CSharp_callbacks_and_an_edited_file_reloads_by_itself()
    {
        await using var farm = await Farm.CreateAsync(2);
        var (rs1, rs2) = (farm.Topo.RealServers[0], farm.Topo.RealServers[1]);
        var events = Path.Combine(farm.StateDir, "events.txt");
        var script = Path.Combine(farm.StateDir, "hooks.csx");
        string Script(int weight) => $$"""
            VirtualServer("{{farm.Topo.Vip}}:80", vs =>
            {
                vs.LbAlgo = "wrr";
                vs.Quorum = 2;
                // A program with the event in its environment; no shell unless asked for.
                vs.QuorumDown("/bin/sh", "-c", "echo program $IPVS_EVENT $IPVS_SERVICE >> {{events}}");
                foreach (var ip in new[] { "{{rs1}}", "{{rs2}}" })
                {
                    vs.RealServer($"{ip}:80", rs =>
                    {
                        rs.Weight = {{weight}};
                        rs.HealthCheck(Check.Http("/"), every: 1.Seconds(), retries: 0);
                        rs.NotifyDown("/bin/sh", "-c", "echo program $IPVS_EVENT $IPVS_DESTINATION >> {{events}}");
                        // A C# callback, in the daemon's process.
                        rs.NotifyUp(e => System.IO.File.AppendAllText("{{events}}", $"csharp {e.Event} {e.Destination}\n"));
                    });
                }
            });
            """;
        await File.WriteAllTextAsync(script, Script(1), Ct);
        await using var daemon = await DaemonProcess.StartAsync(farm.Topo.Director, script, farm.StateDir, FreePort());
        await farm.UntilAsync(w => w.Count == 2 && w.Values.All(v => v == 1), "two servers at weight 1", TimeSpan.FromSeconds(20), daemon);

        await farm.Topo.RealServerAsync("stop", 1);
        await farm.UntilAsync(w => !w.ContainsKey(rs1) || w[rs1] == 0, "rs1 out", TimeSpan.FromSeconds(15), daemon);
        await farm.Topo.RealServerAsync("start", 1);
        await farm.UntilAsync(w => w.GetValueOrDefault(rs1) == 1, "rs1 back", TimeSpan.FromSeconds(15), daemon);
        await EventuallyAsync(() => File.Exists(events) && File.ReadAllLines(events).Length >= 3, "three hook events", daemon);
        string[] expected = [$"program down {rs1}:80", $"program quorum_down tcp:{farm.Topo.Vip}:80", $"csharp Up {rs1}:80"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), File.ReadAllLines(events).Order(StringComparer.Ordinal));

        // Saving the file is enough: no signal.
        int mark = daemon.Log.Length;
        await File.WriteAllTextAsync(script, Script(7), Ct);
        await daemon.WaitForLogAsync("Reloaded", TimeSpan.FromSeconds(60), mark);
        await farm.UntilAsync(w => w.Count == 2 && w.Values.All(v => v == 7), "both servers at weight 7 after the edit", TimeSpan.FromSeconds(20), daemon);
        Assert.Contains(daemon.Log.Skip(mark), l => l.Contains("hooks.csx changed", StringComparison.Ordinal));
    }

    private static async Task EventuallyAsync(Func<bool> condition, string what, DaemonProcess daemon)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"no {what} within 20 s\n{daemon.LogText}");
            await Task.Delay(100, Ct);
        }
    }
}
