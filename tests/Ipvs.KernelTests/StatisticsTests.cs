using System.Diagnostics;
using System.Globalization;
using Ipvs.KernelTests.Infrastructure;
using Ipvs.Model;
using static Ipvs.KernelTests.Infrastructure.KernelLab;

namespace Ipvs.KernelTests;

/// <summary>Counters of real traffic through a NAT director (client, director, two real servers).</summary>
public sealed class StatisticsTests
{
    [Fact]
    public async Task Counters_CountRealHttpTraffic_AndZeroClearsThem()
    {
        // lab/netns.sh builds PREFIX-dir, PREFIX-cli, PREFIX-rs1 and -rs2 with busybox httpd on each real server.
        await using var topo = await LabTopology.CreateAsync(2);
        var (director, vip, rs1, rs2) = (topo.Director, topo.Vip, topo.RealServers[0], topo.RealServers[1]);
        using var client = IpvsClient.Open(new IpvsClientOptions { NetworkNamespace = director });
        var web = ServiceKey.Tcp($"{vip}:80");
        var alt = ServiceKey.Tcp($"{vip}:81");
        await client.AddServiceAsync(new VirtualService(web) { Scheduler = "wrr" }, Ct);
        await client.AddDestinationAsync(web, new Destination($"{rs1}:80", 1), Ct);
        await client.AddDestinationAsync(web, new Destination($"{rs2}:80", 3), Ct);
        await client.AddServiceAsync(new VirtualService(alt) { Scheduler = "rr" }, Ct);
        await client.AddDestinationAsync(alt, new Destination($"{rs1}:80", 1), Ct);
        await client.AddDestinationAsync(alt, new Destination($"{rs2}:80", 1), Ct);

        var bodies = await topo.HttpGetManyAsync($"http://{vip}/", 20);
        Assert.Equal(20, bodies.Length);
        // wrr with weights 1 and 3 over 20 connections: exactly five full rounds.
        Assert.Equal((5, 15), (bodies.Count(b => b == "rs1"), bodies.Count(b => b == "rs2")));
        Assert.Equal(4, (await topo.HttpGetManyAsync($"http://{vip}:81/", 4)).Length);

        // The estimator folds the per-CPU counters in every 2 s: wait for them, then for a quiet round.
        await Settle(client, t => t.Single(e => e.Key == web).Info.Stats.Connections == 20 && t.Single(e => e.Key == alt).Info.Stats.Connections == 4);
        var table = await client.GetTableAsync(Ct);
        var webEntry = table.Single(e => e.Key == web);
        var s = webEntry.Info.Stats;
        Assert.Equal(20ul, s.Connections);
        // At least handshake, request and close each way, for every connection.
        Assert.True(s.InPackets >= 20 * 3 && s.OutPackets >= 20 * 3, $"packets {s.InPackets} in, {s.OutPackets} out");
        Assert.True(s.InBytes > 0 && s.OutBytes > s.InBytes, $"bytes {s.InBytes} in, {s.OutBytes} out");
        Assert.Equal(20ul, webEntry.Destinations.Aggregate(0ul, (n, d) => n + d.Stats.Connections));
        Assert.Equal(s.InBytes, webEntry.Destinations.Aggregate(0ul, (n, d) => n + d.Stats.InBytes));
        Assert.Equal([5ul, 15ul], webEntry.Destinations.OrderBy(d => d.Destination.Weight).Select(d => d.Stats.Connections));
        Assert.Equal(4ul, table.Single(e => e.Key == alt).Info.Stats.Connections);

        // ipvsadm reads the same counters.
        var stats = (await Proc.RunAsync("ip", "netns", "exec", director, "ipvsadm", "-Ln", "--stats", "--exact", "-t", $"{vip}:80")).EnsureSuccess().Lines;
        Lines.Equal(
            [
                StatsRow($"TCP  {vip}:80", s),
                .. webEntry.Destinations.OrderBy(d => d.Key.ToString(), StringComparer.Ordinal).Select(d => StatsRow($"  -> {d.Key,-28}", d.Stats)),
            ],
            stats.Skip(2),
            "ipvsadm -Ln --stats --exact");

        // Zero one service: its counters and its destinations' restart from 0; the other keeps its own.
        await client.ZeroAsync(web, Ct);
        table = await client.GetTableAsync(Ct);
        Assert.Equal(default, Counters(table.Single(e => e.Key == web).Info.Stats));
        Assert.All(table.Single(e => e.Key == web).Destinations, d => Assert.Equal(default, Counters(d.Stats)));
        Assert.Equal(4ul, table.Single(e => e.Key == alt).Info.Stats.Connections);

        // Zero all.
        await client.ZeroAsync(cancellationToken: Ct);
        table = await client.GetTableAsync(Ct);
        Assert.All(table, e => Assert.Equal(default, Counters(e.Info.Stats)));
        Assert.All(table.SelectMany(e => e.Destinations), d => Assert.Equal(default, Counters(d.Stats)));
        Assert.Contains(
            $"TCP  {vip}:81".PadRight(33) + string.Concat(Enumerable.Repeat("        0", 5)),
            (await Proc.RunAsync("ip", "netns", "exec", director, "ipvsadm", "-Ln", "--stats", "--exact")).EnsureSuccess().Lines);
    }

    // Waits (up to ~8 s) until the condition holds, then until a whole estimator period passes without change.
    private static async Task Settle(IpvsClient client, Func<IReadOnlyList<ServiceEntry>, bool> ready)
    {
        var clock = Stopwatch.StartNew();
        IReadOnlyList<ServiceEntry> t;
        while (!ready(t = await client.GetTableAsync(Ct)))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), "the estimator did not report the traffic within 8 s: " + Describe(t));
            await Task.Delay(250, Ct);
        }
        var last = Describe(t);
        for (int i = 0; i < 5; i++)
        {
            await Task.Delay(2200, Ct);
            var now = Describe(await client.GetTableAsync(Ct));
            if (now == last)
            {
                return;
            }
            last = now;
        }
    }

    private static string Describe(IReadOnlyList<ServiceEntry> t) =>
        string.Join("; ", t.Select(e => $"{e.Key}: {Counters(e.Info.Stats)} [{string.Join(", ", e.Destinations.Select(d => Counters(d.Stats)))}]"));

    private static (ulong, ulong, ulong, ulong, ulong) Counters(IpvsStats s) => (s.Connections, s.InPackets, s.OutPackets, s.InBytes, s.OutBytes);

    // ipvsadm's --stats --exact row: the name padded to 33 (or "  -> " and 28), then each number right-aligned in max(9, digits+1).
    private static string StatsRow(string name, IpvsStats s) =>
        name.PadRight(33) + string.Concat(new[] { s.Connections, s.InPackets, s.OutPackets, s.InBytes, s.OutBytes }
            .Select(v => v.ToString(CultureInfo.InvariantCulture)).Select(v => v.PadLeft(Math.Max(9, v.Length + 1))));
}
