using System.Diagnostics;
using Ipvs.Desired;
using Ipvs.KernelTests.Infrastructure;
using Ipvs.Model;
using Ipvs.Scripting;
using Ipvs.ScriptingTests.Support;
using static Ipvs.KernelTests.Infrastructure.KernelLab;

namespace Ipvs.KernelTests.Scripting;

/// <summary>
/// C# scripts on the real kernel: the thesis's live objects (Fig. 13) and imperative health-check
/// loop (Fig. 18) run as written with `ipvs script`'s entry point, and the DSL's settings reach
/// the kernel through plan and apply; the real ipvsadm reads back every result.
/// </summary>
public sealed class ScriptingTests
{
    private static string Example(string name) => Path.Combine(RepoRoot, "examples", "scripts", name);

    [Fact]
    public async Task Fig13ObjectScript_RunAsProgram_IpvsadmShowsTheWeightChangedAtOnce()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        var log = new StringWriter();

        var result = await ScriptEvaluator.RunAsync(Example("fig13-objects.csx"), [], client, new RunOptions { Log = log }, Ct);

        Assert.True(result.ExitCode == 0, $"{result}\n{log}");
        Lines.Equal(
            [
                .. Lines.PlainHeader,
                "TCP  10.0.0.1:80 wrr",
                Lines.Plain("192.168.0.1:80", "Masq", 3),
                Lines.Plain("192.168.0.2:80", "Masq", 3),
            ],
            await ns.IpvsadmOkAsync("-Ln"));
        Assert.Contains("d1.Weight => 3", log.ToString(), StringComparison.Ordinal);
        Assert.Contains("s.Dests.Contains(d1) => True", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiveObjects_EverySetterAndRead_ActOnTheKernelAtOnce()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        var script = Path.Combine(Path.GetTempPath(), $"live-{Guid.NewGuid():N}.csx");
        // Each step checks what the kernel says right after it; a wrong answer exits with 10 + the step's number.
        await File.WriteAllTextAsync(script,
            """
            void Expect(bool ok, int step) { if (!ok) Exit(step); }
            async Task<string> Table() => string.Join(" ", (await Client.GetTableAsync()).Select(e =>
                $"{e.Key}/{e.Info.Service.Scheduler}/{e.Info.Service.PersistenceTimeout}[{string.Join(",", e.Destinations.Select(d => $"{d.Key}:{d.Destination.Forwarding}:{d.Destination.Weight}").Order())}]"));

            var s = new Service("10.0.0.1", port: 80, scheduler: "wrr").Add();
            var d1 = s.AddDest(new Dest("192.168.0.1:80", weight: 1));
            var d2 = s.AddDest(new Dest("192.168.0.2:80", weight: 2, forwarding: Dr));
            var d3 = new Dest("192.168.0.3:80");
            Expect(await Table() == "tcp:10.0.0.1:80/wrr/0[192.168.0.1:80:Masquerade:1,192.168.0.2:80:DirectRoute:2]", 11);

            d3.Weight = 9;                         // not added: nothing changes
            Expect(!s.Dests.Contains(d3), 12);
            s.Scheduler = "rr";
            s.Persistence = 300;
            d1.Weight = 3;
            d2.Forwarding = Nat;
            Expect(await Table() == "tcp:10.0.0.1:80/rr/300[192.168.0.1:80:Masquerade:3,192.168.0.2:80:Masquerade:2]", 13);

            Expect(s.Dests.Contains(new Dest("192.168.0.1:80")) && s.Dests.Count == 2, 14);
            Expect(d1.ActiveConns == 0 && d1.InactConns == 0 && d1.PersistConns == 0 && d1.Stats.Connections == 0, 15);
            s.DelDest(d2);
            s.AddDest(d3);
            Expect(await Table() == "tcp:10.0.0.1:80/rr/300[192.168.0.1:80:Masquerade:3,192.168.0.3:80:Masquerade:9]", 16);

            var u = new Service("udp:10.0.0.2:53").Add();
            u.AddDest(new Dest("192.168.0.1:53"));
            u.Remove();
            Expect(!u.IsAdded && (await Client.GetTableAsync()).Count == 1, 17);
            """, Ct);
        try
        {
            var result = await ScriptEvaluator.RunAsync(script, [], client, new RunOptions { Log = TextWriter.Null }, Ct);
            Assert.True(result.ExitCode == 0, $"exit {result.ExitCode} (10 + the step that failed); {result}\n" + string.Join('\n', await ns.SaveAsync()));
            Lines.SameSet(
                [
                    "-A -t 10.0.0.1:80 -s rr -p 300",
                    "-a -t 10.0.0.1:80 -r 192.168.0.1:80 -m -w 3",
                    "-a -t 10.0.0.1:80 -r 192.168.0.3:80 -m -w 9",
                ],
                await ns.SaveAsync(),
                "ipvsadm -Sn");
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public async Task DslScript_LbKindAndProtocol_ReachTheKernelThroughPlanAndApply()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        var script = Path.Combine(Path.GetTempPath(), $"dsl-{Guid.NewGuid():N}.csx");
        await File.WriteAllTextAsync(script,
            """
            VirtualServer("10.0.0.1:53", vs =>
            {
                vs.LbAlgo = "rr";
                vs.LbKind = Dr;
                vs.Protocol = Udp;
                foreach (var i in new[] { 1, 2 })
                    vs.RealServer($"192.168.0.{i}:53", rs => rs.Weight = i);
            });
            """, Ct);
        try
        {
            var evaluation = await ScriptEvaluator.EvaluateAsync(script, [], new EvaluationOptions { Log = TextWriter.Null }, Ct);
            Assert.True(evaluation.Succeeded, evaluation.ToString());
            var plan = await Planner.PlanAsync(client, evaluation.State!, cancellationToken: Ct);
            var report = await Applier.ApplyAsync(client, plan, cancellationToken: Ct);
            Assert.True(report.Succeeded, report.ToString());

            // mruby-ipvs's DSL lost lb_kind and protocol on the way; here the kernel has UDP and direct routing.
            Lines.SameSet(
                [
                    "-A -u 10.0.0.1:53 -s rr",
                    "-a -u 10.0.0.1:53 -r 192.168.0.1:53 -g -w 1",
                    "-a -u 10.0.0.1:53 -r 192.168.0.2:53 -g -w 2",
                ],
                await ns.SaveAsync(),
                "ipvsadm -Sn");
            Assert.True((await Planner.PlanAsync(client, evaluation.State!, cancellationToken: Ct)).IsEmpty);
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public async Task Fig18ImperativeScript_RealBackends_RemovesReaddsAndFallsBackToTheSorryServer()
    {
        await using var topo = await LabTopology.CreateAsync(3);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        Task<ScriptRunResult>? run = null;
        var log = new SynchronizedLog();
        try
        {
            var (director, vip, rs1, rs2, sorry) = (topo.Director, topo.Vip, topo.RealServers[0], topo.RealServers[1], topo.RealServers[2]);
            using var client = IpvsClient.Open(new IpvsClientOptions { NetworkNamespace = director });
            var service = ServiceKey.Tcp($"{vip}:80");

            // The script's HTTP checks connect from the director's namespace, where the real servers are reachable.
            run = ScriptEvaluator.RunAsync(
                Example("fig18-imperative.csx"),
                ["--vip", $"{vip}:80", "--sorry", $"{sorry}:80", "--interval", "0.2", "--rounds", "400", $"{rs1}:80", $"{rs2}:80"],
                client,
                new RunOptions { Log = log, NetworkNamespace = director },
                cts.Token);

            async Task<string[]> Dests()
            {
                var table = await client.GetTableAsync(Ct);
                return [.. table.Where(e => e.Key == service).SelectMany(e => e.Destinations).Select(d => d.Key.Address.ToString()).Order(StringComparer.Ordinal)];
            }
            async Task Until(string[] expected, string what, int seconds = 15)
            {
                var clock = Stopwatch.StartNew();
                string[] now;
                while (!(now = await Dests()).SequenceEqual(expected.Order(StringComparer.Ordinal)))
                {
                    if (run.IsCompleted)
                    {
                        Assert.Fail($"the script ended while waiting for {what}: {await run}\n{log}");
                    }
                    Assert.True(clock.Elapsed < TimeSpan.FromSeconds(seconds), $"waited {seconds} s for {what}; destinations [{string.Join(", ", now)}]\n{log}");
                    await Task.Delay(100, Ct);
                }
            }

            await Until([rs1, rs2], "both web servers in", seconds: 60); // compiling the script comes first
            Lines.SameSet(
                [$"-A -t {vip}:80 -s wrr", $"-a -t {vip}:80 -r {rs1}:80 -m -w 1", $"-a -t {vip}:80 -r {rs2}:80 -m -w 1"],
                await Ipvsadm(director, "-Sn"), "ipvsadm -Sn with both web servers up");

            await topo.RealServerAsync("stop", 1);
            await Until([rs2], "rs1 removed after its HTTP server stopped");
            await topo.RealServerAsync("start", 1);
            await Until([rs1, rs2], "rs1 re-added after its HTTP server restarted");

            await topo.RealServerAsync("stop", 1);
            await topo.RealServerAsync("stop", 2);
            await Until([sorry], "the sorry server alone");
            Lines.SameSet([$"-A -t {vip}:80 -s wrr", $"-a -t {vip}:80 -r {sorry}:80 -m -w 1"], await Ipvsadm(director, "-Sn"), "ipvsadm -Sn with no web server up");
            // Clients really reach it through the VIP.
            var body = await topo.HttpGetAsync($"http://{vip}/");
            Assert.Equal("rs3", body);

            await cts.CancelAsync();
            var result = await run.WaitAsync(TimeSpan.FromSeconds(20), Ct);
            Assert.True(result.ExitCode == ScriptExitCodes.Interrupted, $"{result}\n{log}");
            var text = log.ToString();
            Assert.Contains($"{rs1}:80 is down", text, StringComparison.Ordinal);
            Assert.Contains($"{rs1}:80 is back: added", text, StringComparison.Ordinal);
            Assert.Contains($"sorry server {sorry}:80 added", text, StringComparison.Ordinal);
        }
        finally
        {
            await cts.CancelAsync();
            if (run is not null)
            {
                await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(20), CancellationToken.None));
            }
        }
    }

    private static async Task<string[]> Ipvsadm(string ns, params string[] args) =>
        (await Proc.RunAsync("ip", ["netns", "exec", ns, "ipvsadm", .. args])).EnsureSuccess().Lines;
}
