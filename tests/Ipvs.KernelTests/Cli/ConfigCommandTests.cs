using Ipvs.KernelTests.Infrastructure;
using static Ipvs.KernelTests.Infrastructure.KernelLab;

namespace Ipvs.KernelTests.Cli;

/// <summary>`ipvs plan` and `ipvs apply` on the real kernel, with ipvsadm reading back the result.</summary>
public sealed class ConfigCommandTests
{
    private static async Task<string> Write(string name, string text)
    {
        string path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}-{name}");
        await File.WriteAllTextAsync(path, text, Ct);
        return path;
    }

    [Fact]
    public async Task Apply_builds_the_configured_table_and_a_second_apply_changes_nothing()
    {
        await using var ns = await Netns.CreateAsync();
        string rules = await Write("rules", "-A -t 10.0.0.1:80 -s wrr\n-a -t 10.0.0.1:80 -r 192.168.0.1:80 -m -w 1\n-a -t 10.0.0.1:80 -r 192.168.0.2:80 -m -w 3\n");

        var first = await IpvsCommand.OkAsync("apply", "--yes", rules, "--netns", ns.Name);
        var second = await IpvsCommand.OkAsync("apply", "--yes", rules, "--netns", ns.Name);

        Assert.Contains("Plan: 3 to add, 0 to change, 0 to delete.", first.Stdout, StringComparison.Ordinal);
        Lines.Equal(["-A -t 10.0.0.1:80 -s wrr", "-a -t 10.0.0.1:80 -r 192.168.0.1:80 -m -w 1", "-a -t 10.0.0.1:80 -r 192.168.0.2:80 -m -w 3"], await ns.SaveAsync());
        Assert.Equal("No changes.\n", second.Stdout);
    }

    [Fact]
    public async Task Plan_edits_in_place_leaves_undeclared_services_alone_and_prune_deletes_them()
    {
        await using var ns = await Netns.CreateAsync();
        await ns.RestoreAsync(["-A -t 10.0.0.1:80 -s wrr", "-a -t 10.0.0.1:80 -r 192.168.0.1:80 -m -w 1", "-A -t 10.9.9.9:80 -s rr"]);
        string rules = await Write("rules", "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 192.168.0.1:80 -m -w 5\n");

        var plan = await IpvsCommand.OkAsync("plan", rules, "--netns", ns.Name);
        var pruned = await IpvsCommand.OkAsync("plan", "--prune", rules, "--netns", ns.Name);
        await IpvsCommand.OkAsync("apply", "--yes", "--prune", rules, "--netns", ns.Name);

        Assert.Contains("Plan: 0 to add, 2 to change, 0 to delete.", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains("~ ", plan.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("10.9.9.9", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains("Plan: 0 to add, 2 to change, 1 to delete.", pruned.Stdout, StringComparison.Ordinal);
        Lines.Equal(["-A -t 10.0.0.1:80 -s rr", "-a -t 10.0.0.1:80 -r 192.168.0.1:80 -m -w 5"], await ns.SaveAsync());
    }

    [Fact]
    public async Task Apply_without_yes_and_without_a_terminal_applies_nothing()
    {
        await using var ns = await Netns.CreateAsync();
        string rules = await Write("rules", "-A -t 10.0.0.1:80 -s wrr\n");

        var run = await IpvsCommand.RunAsync("apply", rules, "--netns", ns.Name);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("give --yes", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(await ns.SaveAsync());
    }

    [Fact]
    public async Task A_kernel_refusal_during_apply_is_reported_per_change_and_atomic_rolls_back()
    {
        await using var ns = await Netns.CreateAsync();
        await ns.RestoreAsync(["-A -t 10.0.0.1:80 -s wrr"]);
        var before = await ns.SaveAsync();
        string rules = await Write("rules", "-A -t 10.0.0.1:80 -s rr\n-A -t 10.0.0.2:80 -s nosuchsched\n-A -t 10.0.0.3:80\n");

        var run = await IpvsCommand.RunAsync("apply", "--yes", "--atomic", rules, "--netns", ns.Name);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("nosuchsched", run.Stdout + run.Stderr, StringComparison.Ordinal);
        Lines.Equal(before, await ns.SaveAsync(), "the table after an atomic apply the kernel refused");
    }
}

/// <summary>The thesis's scripting styles through the `ipvs` command, on the real kernel.</summary>
public sealed class ScriptCommandTests
{
    private static string Example(string name) => Path.Combine(RepoRoot, "examples", "scripts", name);

    [Fact]
    public async Task The_fig19_dsl_script_applies_the_declared_table_and_replans_empty()
    {
        await using var ns = await Netns.CreateAsync();

        var apply = await IpvsCommand.OkAsync("apply", "--yes", Example("fig19-dsl.csx"), "--netns", ns.Name);
        var again = await IpvsCommand.OkAsync("plan", Example("fig19-dsl.csx"), "--netns", ns.Name);

        Assert.Contains("Plan: 3 to add, 0 to change, 0 to delete.", apply.Stdout, StringComparison.Ordinal);
        Lines.Equal(["-A -t 10.0.0.1:80 -s wrr", "-a -t 10.0.0.1:80 -r 192.168.0.1:80 -m -w 1", "-a -t 10.0.0.1:80 -r 192.168.0.2:80 -m -w 2"], await ns.SaveAsync());
        Assert.Equal("No changes.\n", again.Stdout);
    }

    [Fact]
    public async Task The_fig21_dsl_farm_applies_all_four_services_and_the_timeouts_and_replans_empty()
    {
        await using var ns = await Netns.CreateAsync();
        // The script's timeouts are the kernel's defaults: set others first, so that applying has to change them.
        await ns.IpvsadmOkAsync("--set", "10", "20", "30");

        var apply = await IpvsCommand.OkAsync("apply", "--yes", Example("fig21-dsl-farm.csx"), "--netns", ns.Name, "--", "10.0.0.9");
        var again = await IpvsCommand.OkAsync("plan", Example("fig21-dsl-farm.csx"), "--netns", ns.Name, "--", "10.0.0.9");

        // 4 services, 11 destinations and the timeouts; checks, hooks, quorum and the sorry server
        // are the daemon's, not the kernel's.
        Assert.Contains("Plan: 15 to add, 1 to change, 0 to delete.", apply.Stdout, StringComparison.Ordinal);
        Lines.SameSet(
            [
                "-A -t 10.0.0.9:80 -s wrr",
                "-a -t 10.0.0.9:80 -r 192.168.0.1:80 -g -w 2",
                "-a -t 10.0.0.9:80 -r 192.168.0.2:80 -g -w 1",
                "-a -t 10.0.0.9:80 -r 192.168.0.3:80 -g -w 1",
                "-A -t 10.0.0.9:443 -s wrr -p 300",
                "-a -t 10.0.0.9:443 -r 192.168.0.1:443 -g -w 2",
                "-a -t 10.0.0.9:443 -r 192.168.0.2:443 -g -w 1",
                "-a -t 10.0.0.9:443 -r 192.168.0.3:443 -g -w 1",
                "-A -u 10.0.0.9:53 -s rr",
                "-a -u 10.0.0.9:53 -r 192.168.0.21:53 -m -w 1",
                "-a -u 10.0.0.9:53 -r 192.168.0.22:53 -m -w 1",
                "-A -f 1 -s sh -b sh-port",
                "-a -f 1 -r 192.168.0.1:0 -g -w 1",
                "-a -f 1 -r 192.168.0.2:0 -g -w 1",
                "-a -f 1 -r 192.168.0.3:0 -g -w 1",
            ],
            await ns.SaveAsync(),
            "ipvsadm -Sn");
        Lines.Equal(["Timeout (tcp tcpfin udp): 900 120 300"], await ns.IpvsadmOkAsync("-L", "--timeout"));
        Assert.Equal("No changes.\n", again.Stdout);
    }

    [Fact]
    public async Task Services_declared_by_a_script_carry_real_traffic_by_their_weights_and_a_reapply_edits_them_in_place()
    {
        await using var topo = await LabTopology.CreateAsync(2);
        var (vip, rs1, rs2) = (topo.Vip, topo.RealServers[0], topo.RealServers[1]);
        var script = Path.Combine(Path.GetTempPath(), $"farm-{Guid.NewGuid():N}.csx");
        await File.WriteAllTextAsync(script,
            """
            // ARGS: VIP RS1 RS2 WEIGHT1 WEIGHT2
            VirtualServer($"{Args[0]}:80", vs =>
            {
                vs.LbAlgo = "wrr";
                vs.LbKind = Nat;
                for (int i = 1; i <= 2; i++)
                {
                    var weight = int.Parse(Args[2 + i]);
                    vs.RealServer($"{Args[i]}:80", rs =>
                    {
                        rs.Weight = weight;
                        rs.HealthCheck(Check.Http("/").Expect(200), every: 5.Seconds());
                    });
                }
            });
            """, Ct);
        try
        {
            var apply = await IpvsCommand.OkAsync("apply", "--yes", script, "--netns", topo.Director, "--", vip, rs1, rs2, "1", "3");
            Assert.Contains("Plan: 3 to add, 0 to change, 0 to delete.", apply.Stdout, StringComparison.Ordinal);

            // wrr with weights 1 and 3 over 20 new connections: exactly five rounds.
            var bodies = await topo.HttpGetManyAsync($"http://{vip}/", 20);
            Assert.Equal((5, 15), (bodies.Count(b => b == "rs1"), bodies.Count(b => b == "rs2")));

            // The same script with the weights swapped: two in-place edits, the service and its counters kept.
            var swap = await IpvsCommand.OkAsync("apply", "--yes", script, "--netns", topo.Director, "--", vip, rs1, rs2, "3", "1");
            Assert.Contains("Plan: 0 to add, 2 to change, 0 to delete.", swap.Stdout, StringComparison.Ordinal);
            bodies = await topo.HttpGetManyAsync($"http://{vip}/", 20);
            Assert.Equal((15, 5), (bodies.Count(b => b == "rs1"), bodies.Count(b => b == "rs2")));

            // The real ipvsadm counts all 40 connections on the one service: it was never deleted and
            // re-added. The kernel folds its per-CPU counters into the totals every 2 s: wait for that.
            string connections = "";
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while ((connections = (await topo.IpvsadmAsync("-Ln", "--stats", "--exact", "-t", $"{vip}:80"))[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[2]) != "40"
                && clock.Elapsed < TimeSpan.FromSeconds(8))
            {
                await Task.Delay(250, Ct);
            }
            Assert.Equal("40", connections);
            Lines.SameSet(
                [$"-A -t {vip}:80 -s wrr", $"-a -t {vip}:80 -r {rs1}:80 -m -w 3", $"-a -t {vip}:80 -r {rs2}:80 -m -w 1"],
                await topo.IpvsadmAsync("-Sn"),
                "ipvsadm -Sn");
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public async Task The_fig13_object_script_changes_the_kernel_at_once()
    {
        await using var ns = await Netns.CreateAsync();

        var run = await IpvsCommand.RunAsync("script", Example("fig13-objects.csx"), "--netns", ns.Name);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("d1.Weight => 3", run.Stderr, StringComparison.Ordinal);
        Lines.Equal(["-A -t 10.0.0.1:80 -s wrr", "-a -t 10.0.0.1:80 -r 192.168.0.1:80 -m -w 3", "-a -t 10.0.0.1:80 -r 192.168.0.2:80 -m -w 3"], await ns.SaveAsync());
    }

    [Fact]
    public async Task Checking_a_script_with_live_objects_is_a_located_error_and_touches_nothing()
    {
        await using var ns = await Netns.CreateAsync();

        var run = await IpvsCommand.RunAsync("apply", "--yes", Example("fig13-objects.csx"), "--netns", ns.Name);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("fig13-objects.csx:4:", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("use `ipvs script`", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(await ns.SaveAsync());
    }
}

/// <summary>keepalived.conf through the `ipvs` command: strict errors, and convert giving what import gives.</summary>
public sealed class KeepalivedCommandTests
{
    private static string Corpus(string kind) => Path.Combine(RepoRoot, "tests", "Ipvs.KeepalivedTests", "corpus", kind);

    [Fact]
    public async Task The_thesis_fig8_config_is_rejected_at_the_unclosed_block_and_nothing_is_applied()
    {
        await using var ns = await Netns.CreateAsync();
        string fig8 = Directory.GetFiles(Corpus("invalid"), "01-*.conf").Single();

        var run = await IpvsCommand.RunAsync("apply", "--yes", fig8, "--netns", ns.Name);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(":9:5: error unclosed-block", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(await ns.SaveAsync());
    }

    [Fact]
    public async Task Converting_every_valid_config_to_a_script_gives_the_table_that_importing_it_gives()
    {
        var failures = new List<string>();
        foreach (string conf in Directory.GetFiles(Corpus("valid"), "*.conf").Order(StringComparer.Ordinal))
        {
            await using var ns = await Netns.CreateAsync();
            string script = Path.Combine(Path.GetTempPath(), Path.GetFileNameWithoutExtension(conf) + "-" + ns.Name + ".csx");
            try
            {
                var applied = await IpvsCommand.RunAsync("apply", "--yes", conf, "--netns", ns.Name);
                var converted = await IpvsCommand.RunAsync("convert", conf, "-o", script);
                var replanned = converted.ExitCode == 0 ? await IpvsCommand.RunAsync("plan", script, "--netns", ns.Name) : converted;
                if (applied.ExitCode != 0 || replanned.ExitCode != 0 || replanned.Stdout != "No changes.\n")
                {
                    failures.Add($"{Path.GetFileName(conf)}:\napply: {applied}\nconvert+plan: {replanned}");
                }
            }
            finally
            {
                File.Delete(script);
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }
}
