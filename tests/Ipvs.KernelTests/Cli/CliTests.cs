using System.Globalization;
using System.Text.Json;
using Ipvs.KernelTests.Infrastructure;
using static Ipvs.KernelTests.Infrastructure.KernelLab;

namespace Ipvs.KernelTests.Cli;

/// <summary>
/// The `ipvs` command on the real kernel, with the real ipvsadm as the oracle: what ipvs saves,
/// ipvsadm prints identically; what ipvs restores, ipvsadm reads back as the source table.
/// </summary>
public sealed class CliTests
{
    // Every kind of setting ipvsadm -S can print: schedulers and their flags, one-packet,
    // persistence with netmasks and a PE, IPv6, firewall marks, SCTP, every forwarding method,
    // GUE tunnels with checksums, thresholds, a mixed-family tunnel, weight 0.
    private static readonly string[] Rules =
    [
        "-A -t 10.0.0.1:80 -s wrr",
        "-a -t 10.0.0.1:80 -r 192.168.0.1:80 -m -w 1",
        "-a -t 10.0.0.1:80 -r 192.168.0.2:80 -m -w 3 -x 100 -y 10",
        "-A -t 10.0.0.2:443 -s sh -b sh-port,sh-fallback -p 300 -M 255.255.255.0",
        "-a -t 10.0.0.2:443 -r 192.168.0.3:443 -g -w 2",
        "-A -u 10.0.0.3:53 -s rr -o",
        "-a -u 10.0.0.3:53 -r 192.168.0.4:53 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum",
        "-A -u 10.0.0.5:5060 -s rr -p 120 --pe sip",
        "-A -t [2001:db8::1]:80 -s mh -b mh-port -p 60 -M 64",
        "-a -t [2001:db8::1]:80 -r [2001:db8:1::10]:80 -m -w 5",
        "-a -t [2001:db8::1]:80 -r 192.168.0.9:80 -i -w 1",
        "-A -f 7 -s lc",
        "-a -f 7 -r 192.168.0.5:0 -g -w 1",
        "-A -f 8 -6 -s fo",
        "--add-service --sctp-service 10.0.0.4:9000 -s sed",
        "-a --sctp-service 10.0.0.4:9000 -r 192.168.0.6:9000 -m -w 0",
    ];

    [Fact]
    public async Task Save_prints_exactly_what_the_real_ipvsadm_prints_with_and_without_names()
    {
        await using var ns = await Netns.CreateAsync();
        await ns.RestoreAsync(Rules);

        var ours = await IpvsCommand.OkAsync("--netns", ns.Name, "save");
        Assert.Equal((await ns.IpvsadmAsync("-Sn")).EnsureSuccess().Stdout, ours.Stdout);
        var named = await IpvsCommand.OkAsync("save", "--names", "--netns", ns.Name);
        Assert.Equal((await ns.IpvsadmAsync("-S")).EnsureSuccess().Stdout, named.Stdout);
    }

    [Fact]
    public async Task Restoring_an_ipvsadm_save_rebuilds_the_table_that_ipvsadm_reads_back()
    {
        await using var a = await Netns.CreateAsync();
        await using var b = await Netns.CreateAsync();
        await a.RestoreAsync(Rules);
        string saved = (await a.IpvsadmAsync("-Sn")).EnsureSuccess().Stdout;

        var run = await IpvsCommand.WithInputAsync(saved, "restore", "-", "--netns", b.Name);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Stderr);
        Lines.Equal(await a.SaveAsync(), await b.SaveAsync(), "ipvsadm -Sn of the restored table");
    }

    [Fact]
    public async Task Json_save_and_restore_carry_the_whole_table_and_the_timeouts()
    {
        await using var a = await Netns.CreateAsync();
        await using var b = await Netns.CreateAsync();
        await a.RestoreAsync([.. Rules, "--set 100 20 30"]);

        var json = await IpvsCommand.OkAsync("save", "-o", "json", "--netns", a.Name);
        string file = Path.Combine(Path.GetTempPath(), $"ipvs-{b.Name}.json");
        await File.WriteAllTextAsync(file, json.Stdout, Ct);
        try
        {
            await IpvsCommand.OkAsync("restore", file, "--netns", b.Name);
        }
        finally
        {
            File.Delete(file);
        }

        Lines.Equal(await a.SaveAsync(), await b.SaveAsync(), "ipvsadm -Sn after a JSON round trip");
        Lines.Equal(await a.IpvsadmOkAsync("-L", "--timeout"), await b.IpvsadmOkAsync("-L", "--timeout"), "timeouts");
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal(1, doc.RootElement.GetProperty("version").GetInt32());
        Assert.Equal(100, doc.RootElement.GetProperty("timeouts").GetProperty("tcp").GetInt32());
    }

    [Fact]
    public async Task A_bad_line_is_reported_with_its_number_and_nothing_is_applied()
    {
        await using var ns = await Netns.CreateAsync();
        string rules = "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 192.168.0.1:80 -m\n# a comment\n-a -t 10.0.0.1:80 -r 192.168.0.2:80 -w 70000x\n-A -t 10.0.0.9:80\n";

        var run = await IpvsCommand.WithInputAsync(rules, "restore", "-", "--netns", ns.Name);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("ipvs: <stdin>:4: ", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(await ns.SaveAsync());
    }

    [Fact]
    public async Task A_bad_json_field_is_reported_by_its_path_and_nothing_is_applied()
    {
        await using var ns = await Netns.CreateAsync();
        string json = """
            { "version": 1, "services": [
              { "protocol": "tcp", "address": "10.0.0.1", "port": 80, "scheduler": "rr",
                "destinations": [ { "address": "192.168.0.1", "port": 80, "forward": "masq", "weight": 1 } ] },
              { "protocol": "tcp", "address": "10.0.0.2", "port": 80,
                "destinations": [ { "address": "192.168.0.2", "port": 80, "forward": "sideways" } ] } ] }
            """;

        var run = await IpvsCommand.WithInputAsync(json, "restore", "-", "--netns", ns.Name);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("ipvs: <stdin>: services[1].destinations[0].forward: 'sideways' is not masq, route, tunnel, local or bypass\n", run.Stderr);
        Assert.Empty(await ns.SaveAsync());
    }

    [Fact]
    public async Task A_kernel_refusal_stops_the_restore_and_states_exactly_what_was_applied()
    {
        await using var ns = await Netns.CreateAsync();
        // Line 3's scheduler is well-formed, so only the kernel can refuse it.
        string rules = "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 192.168.0.1:80 -m\n-A -t 10.0.0.2:80 -s nosuchsched\n-A -t 10.0.0.3:80\n";

        var run = await IpvsCommand.WithInputAsync(rules, "restore", "-", "--netns", ns.Name);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("<stdin>:3: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("applied 2 of 4 change(s)", run.Stderr, StringComparison.Ordinal);
        Lines.Equal(["-A -t 10.0.0.1:80 -s rr", "-a -t 10.0.0.1:80 -r 192.168.0.1:80 -m -w 1"], await ns.SaveAsync());
    }

    [Fact]
    public async Task An_atomic_restore_that_the_kernel_refuses_leaves_the_table_as_it_was()
    {
        await using var ns = await Netns.CreateAsync();
        await ns.RestoreAsync(["-A -t 10.0.0.1:80 -s wrr", "-a -t 10.0.0.1:80 -r 192.168.0.1:80 -m -w 2", "--set 100 20 30"]);
        var before = await ns.SaveAsync();
        var timeoutsBefore = await ns.IpvsadmOkAsync("-L", "--timeout");
        string rules = string.Join('\n',
            "-E -t 10.0.0.1:80 -s rr",
            "-e -t 10.0.0.1:80 -r 192.168.0.1:80 -g -w 7",
            "-a -t 10.0.0.1:80 -r 192.168.0.2:80 -m",
            "--set 1 2 3",
            "-A -u 10.0.0.5:53",
            "-A -t 10.0.0.6:80 -s nosuchsched",
            "-A -t 10.0.0.7:80") + "\n";

        var run = await IpvsCommand.WithInputAsync(rules, "restore", "--atomic", "-", "--netns", ns.Name);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("<stdin>:6: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("; the table is as it was", run.Stderr, StringComparison.Ordinal);
        Lines.Equal(before, await ns.SaveAsync(), "the table after the rollback");
        Lines.Equal(timeoutsBefore, await ns.IpvsadmOkAsync("-L", "--timeout"), "the timeouts after the rollback");
    }

    [Fact]
    public async Task Restore_with_flush_replaces_the_table()
    {
        await using var ns = await Netns.CreateAsync();
        await ns.RestoreAsync(["-A -t 10.9.9.9:80 -s rr"]);

        var run = await IpvsCommand.WithInputAsync("-A -t 10.0.0.1:80 -s wrr\n", "restore", "--flush", "-", "--netns", ns.Name);

        Assert.True(run.ExitCode == 0, run.ToString());
        Lines.Equal(["-A -t 10.0.0.1:80 -s wrr"], await ns.SaveAsync());
    }

    [Fact]
    public async Task List_shows_the_kernel_table_in_a_table_in_json_and_in_yaml()
    {
        await using var ns = await Netns.CreateAsync();
        await ns.RestoreAsync(Rules);

        var table = await IpvsCommand.OkAsync("list", "--netns", ns.Name);
        var lines = table.Stdout.Split('\n');
        Assert.StartsWith("SERVICE ", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("tcp 10.0.0.1:80 ", StringComparison.Ordinal) && l.Contains(" wrr ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("192.168.0.4:53", StringComparison.Ordinal) && l.Contains("tunnel/gue:6080,csum", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("tcp 10.0.0.2:443 ", StringComparison.Ordinal) && l.Contains("sh sh-fallback sh-port", StringComparison.Ordinal) && l.Contains("300s mask 255.255.255.0", StringComparison.Ordinal));

        var json = await IpvsCommand.OkAsync("list", "-o", "json", "--stats", "--rates", "--netns", ns.Name);
        using var doc = JsonDocument.Parse(json.Stdout);
        var services = doc.RootElement.GetProperty("services").EnumerateArray().ToList();
        Assert.Equal(Rules.Count(r => r.StartsWith("-A", StringComparison.Ordinal) || r.StartsWith("--add-service", StringComparison.Ordinal)), services.Count);
        // Every destination and weight that ipvsadm reports, and nothing else.
        var fromJson = services.SelectMany(s => s.GetProperty("destinations").EnumerateArray()
            .Select(d => $"{d.GetProperty("address").GetString()} {d.GetProperty("port").GetInt32()} {d.GetProperty("weight").GetInt32()} {d.GetProperty("forward").GetString()}"))
            .Order(StringComparer.Ordinal).ToList();
        var fromIpvsadm = (await ns.SaveAsync()).Where(l => l.StartsWith("-a", StringComparison.Ordinal)).Select(ParseDest).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(fromIpvsadm, fromJson);
        Assert.Equal(0UL, services[0].GetProperty("stats").GetProperty("connections").GetUInt64());
        Assert.True(services[0].TryGetProperty("rates", out _));

        var yaml = await IpvsCommand.OkAsync("list", "-o", "yaml", "--netns", ns.Name);
        Assert.Contains("scheduler: wrr", yaml.Stdout, StringComparison.Ordinal);
        Assert.Contains("  - address: 192.168.0.1\n", yaml.Stdout, StringComparison.Ordinal);
    }

    private static string ParseDest(string rule)
    {
        var w = rule.Split(' ');
        string r = w[Array.IndexOf(w, "-r") + 1];
        int colon = r.LastIndexOf(':');
        string address = r[..colon].Trim('[', ']');
        string weight = w[Array.IndexOf(w, "-w") + 1];
        string forward = w.Contains("-m") ? "masq" : w.Contains("-g") ? "route" : "tunnel";
        return $"{address} {int.Parse(r[(colon + 1)..], CultureInfo.InvariantCulture)} {weight} {forward}";
    }

    [Fact]
    public async Task Netns_takes_a_path_as_well_as_a_name()
    {
        await using var ns = await Netns.CreateAsync();
        await ns.RestoreAsync(["-A -t 10.0.0.1:80 -s rr"]);

        var byPath = await IpvsCommand.OkAsync("save", "--netns", ns.Path);

        Assert.Equal("-A -t 10.0.0.1:80 -s rr\n", byPath.Stdout);
        var missing = await IpvsCommand.RunAsync("list", "--netns", "kt-does-not-exist");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--netns kt-does-not-exist: no such network namespace", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Top_shows_per_second_rates_of_real_traffic()
    {
        await using var topo = await LabTopology.CreateAsync(2);
        var (director, clientNs, vip, rs1, rs2) = (topo.Director, topo.Client, topo.Vip, topo.RealServers[0], topo.RealServers[1]);
        var rules = $"-A -t {vip}:80 -s rr\n-a -t {vip}:80 -r {rs1}:80 -m -w 1\n-a -t {vip}:80 -r {rs2}:80 -m -w 2\n";
        Assert.Equal(0, (await IpvsCommand.WithInputAsync(rules, "restore", "-", "--netns", director)).ExitCode);

        // Traffic during the second and third frames.
        var traffic = Proc.BashAsync(
            """
            source lab/netns.sh
            sleep 0.5
            for ((i = 0; i < 40; i++)); do lab_http_get "$1" "$2" >/dev/null || exit 1; done
            """, clientNs, $"http://{vip}/");
        var top = await IpvsCommand.OkAsync("top", "-b", "-n", "4", "-d", "1", "--netns", director);
        (await traffic).EnsureSuccess();

        var frames = top.Stdout.Split("\n\n");
        Assert.Equal(4, frames.Length);
        Assert.All(frames, f => Assert.StartsWith("ipvs top - ", f, StringComparison.Ordinal));
        Assert.All(frames, f => Assert.Contains("1 service(s), 2 destination(s) - sorted by cps", f, StringComparison.Ordinal));
        // The service's row in some frame after the first counts new connections per second.
        var rates = frames.Skip(1).Select(f => f.Split('\n').First(l => l.StartsWith($"tcp {vip}:80", StringComparison.Ordinal)))
            .Select(l => int.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[5], CultureInfo.InvariantCulture)).ToList();
        Assert.True(rates.Max() > 0, $"no connections per second in any frame:\n{top.Stdout}");
    }

    [Fact]
    public async Task The_ipvs_binary_exits_0_1_and_2_as_documented()
    {
        await using var ns = await Netns.CreateAsync();
        string ipvs = Path.Combine(RepoRoot, "src/Ipvs.Cli/bin/Release/net10.0/ipvs");
        Assert.True(File.Exists(ipvs), $"{ipvs} is missing; build src/Ipvs.Cli first");

        var ok = await Proc.RunAsync(ipvs, ["restore", "-", "--netns", ns.Name], "-A -t 10.0.0.1:80 -s rr\n");
        var kernel = await Proc.RunAsync(ipvs, ["restore", "-", "--netns", ns.Name], "-A -t 10.0.0.1:80 -s rr\n");
        var bad = await Proc.RunAsync(ipvs, ["restore", "-", "--netns", ns.Name], "-A -t 10.0.0.1:99999\n");
        var usage = await Proc.RunAsync(ipvs, "list", "--no-such-option");

        Assert.Equal(0, ok.ExitCode);
        Assert.Equal(1, kernel.ExitCode);
        Assert.Contains("<stdin>:1: Service already exists", kernel.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("ipvs: <stdin>:1: ", bad.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, usage.ExitCode);
        Assert.Contains("--no-such-option", usage.Stderr, StringComparison.Ordinal);
    }
}
