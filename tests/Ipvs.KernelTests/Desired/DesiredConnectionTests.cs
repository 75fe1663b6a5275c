using Ipvs.Desired;
using Ipvs.KernelTests.Infrastructure;
using Ipvs.Model;
using static Ipvs.KernelTests.Infrastructure.KernelLab;

namespace Ipvs.KernelTests.Desired;

/// <summary>
/// In-place edits planned by the desired-state layer keep an established connection, the service's
/// counters and the kernel's destination entries; a key change (delete and add) drops the connection.
/// </summary>
public sealed class DesiredConnectionTests
{
    [Fact]
    public async Task Each_in_place_edit_keeps_an_established_connection_and_a_key_change_drops_it()
    {
        // NB: expire_nodest_conn=1 makes the kernel drop a connection at its next packet once its
        // destination is gone (the control at the end). A delete and re-add within one batch would
        // not show that way: the kernel revives the same destination from its trash list, with its
        // connections. What does show: a re-added destination moves to the front of the kernel's
        // list, and a re-added service counts from 0. Both are checked after every edit.
        await using var topo = await LabTopology.CreateAsync(2, "--dr", setup: "lab_sysctl \"$LAB_NS_DIR\" net.ipv4.vs.expire_nodest_conn=1 >&2 || exit 1");
        var (director, clientNs, vip, rs1, rs2) = (topo.Director, topo.Client, topo.Vip, topo.RealServers[0], topo.RealServers[1]);
        using var client = IpvsClient.Open(new IpvsClientOptions { NetworkNamespace = director });
        var key = ServiceKey.Tcp($"{vip}:9000");
        var service = new VirtualService(key) { Scheduler = "wrr" };
        var d1 = new Destination($"{rs1}:9000");
        var d2 = new Destination($"{rs2}:9000");

        await ConvergeAsync(client, State(service, d1, d2), editsOnly: false);
        await using var session = await TcpSession.OpenAsync(clientNs, vip, 9000);
        var mine = (session.Server == "rs1" ? d1 : d2).Key;
        Assert.Equal("hello", await session.EchoAsync("hello"));
        await AssertConnectedAsync(client, key, mine);
        await WaitForServiceCountAsync(client, key);
        // The kernel lists destinations newest first.
        var order = (await client.GetDestinationsAsync(key, Ct)).Select(d => d.Key).ToArray();

        var persistent = service with { Scheduler = "rr", PersistenceTimeout = 300, Netmask = Netmask.FromPrefixLength(24) };
        var hashed = new VirtualService(key) { Scheduler = "sh", Flags = ServiceFlags.ShFallback | ServiceFlags.ShPort };
        (string Step, DesiredState State)[] edits =
        [
            ("scheduler", State(service with { Scheduler = "rr" }, d1, d2)),
            ("persistence and netmask", State(persistent, d1, d2)),
            ("scheduler and its flags, no persistence", State(hashed, d1, d2)),
            ("weights", State(hashed, d1 with { Weight = 5 }, d2 with { Weight = 0 })),
            // One destination alone, the one listed last: re-adding it would reorder the list.
            ("weight of the last listed destination", order[^1] == d1.Key
                ? State(hashed, d1 with { Weight = 7 }, d2 with { Weight = 0 })
                : State(hashed, d1 with { Weight = 5 }, d2 with { Weight = 2 })),
            ("thresholds", State(hashed, d1 with { Weight = 5, UpperThreshold = 100, LowerThreshold = 10 }, d2 with { Weight = 0 })),
            ("forwarding", State(hashed, d1 with { Forwarding = ForwardingMethod.DirectRoute }, d2 with { Forwarding = ForwardingMethod.DirectRoute })),
            ("tunnel", State(hashed, Gue(d1), Gue(d2))),
            ("tunnel port and flags", State(hashed, Gue(d1) with { TunnelPort = 6081, TunnelFlags = TunnelFlags.NoChecksum }, Gue(d2))),
            ("back to NAT", State(service, d1, d2)),
        ];
        foreach (var (step, state) in edits)
        {
            await ConvergeAsync(client, state, editsOnly: true, step);
            Assert.True(await session.EchoAsync(step) == step, $"the connection died after the in-place edit of the {step}");
            await AssertConnectedAsync(client, key, mine);
            // A service deleted and added again would count from 0, and no new connection is made.
            Assert.True((await client.GetServiceAsync(key, Ct)).Stats.Connections >= 1, $"the service's counters restarted after the {step}");
            Assert.Equal(order, (await client.GetDestinationsAsync(key, Ct)).Select(d => d.Key));
        }

        // The control: the same real server on another port is another destination.
        var moved = new Destination(new DestinationKey(mine.Address, 80));
        var plan = await Planner.PlanAsync(client, State(service, mine == d1.Key ? [moved, d2] : [d1, moved]), cancellationToken: Ct);
        Assert.Equal([ChangeKind.Delete, ChangeKind.Add], plan.Changes.Select(c => c.Kind));
        Assert.True((await Applier.ApplyAsync(client, plan, cancellationToken: Ct)).Succeeded);
        Assert.Equal("DEAD", await session.EchoAsync("after delete"));
    }

    private static Destination Gue(Destination d) =>
        d with { Forwarding = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gue, TunnelPort = 6080, TunnelFlags = TunnelFlags.Checksum };

    private static DesiredState State(VirtualService service, params Destination[] destinations) =>
        new([new DesiredService(service, destinations.Select(DesiredDestination.FromDestination))]);

    private static async Task ConvergeAsync(IpvsClient client, DesiredState state, bool editsOnly, string? step = null)
    {
        var plan = await Planner.PlanAsync(client, state, cancellationToken: Ct);
        Assert.False(plan.IsEmpty, $"{step}: nothing to do");
        if (editsOnly)
        {
            Assert.All(plan.Changes, c => Assert.Equal(ChangeKind.Edit, c.Kind));
        }
        var report = await Applier.ApplyAsync(client, plan, cancellationToken: Ct);
        Assert.True(report.Succeeded, $"{step}: {report}");
        var again = await Planner.PlanAsync(client, state, cancellationToken: Ct);
        Assert.True(again.IsEmpty, $"{step}: re-planning gives\n{again}");
    }

    // The estimator folds the per-CPU counters in every 2 s.
    private static async Task WaitForServiceCountAsync(IpvsClient client, ServiceKey service)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((await client.GetServiceAsync(service, Ct)).Stats.Connections < 1)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), "the estimator did not count the connection within 8 s");
            await Task.Delay(250, Ct);
        }
    }

    // The kernel still counts the session against the same destination entry.
    private static async Task AssertConnectedAsync(IpvsClient client, ServiceKey service, DestinationKey destination)
    {
        var dest = (await client.GetDestinationsAsync(service, Ct)).Single(d => d.Key == destination);
        Assert.Equal(1u, dest.ActiveConnections);
    }
}
