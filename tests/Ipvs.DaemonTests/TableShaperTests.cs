namespace Ipvs.DaemonTests;

public sealed class TableShaperTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly ServiceKey Web = ServiceKey.Tcp("10.0.0.1:80");
    private static readonly ServiceKey Dns = ServiceKey.Udp("10.0.0.1:53");
    private static readonly DrainOptions Drain = new() { Timeout = TimeSpan.FromSeconds(60) };

    private static DestinationInfo Kernel(string endpoint, int weight, uint active = 0, uint inactive = 0) =>
        new(new Destination(endpoint, weight), active, inactive, 0, default);

    private static ServiceEntry Entry(ServiceKey key, params DestinationInfo[] destinations) =>
        new(new VirtualServiceInfo(new VirtualService(key) { Scheduler = "wrr" }, default), destinations);

    private static ManagedService Managed(ServiceKey key, string[] configured, params Destination[] pool)
    {
        var config = new DesiredService(new VirtualService(key) { Scheduler = "wrr" }, configured.Select(c => (DesiredDestination)new Destination(c, 1)));
        return new ManagedService(config, new PoolDecision(key, [.. pool], true, false, pool.Sum(p => p.Weight)));
    }

    private static string[] Desired(TableShape shape, ServiceKey key) =>
        [.. shape.Desired.Services.Single(s => s.Key == key).Destinations.Select(d => $"{d.Key}={d.Destination.Weight}")];

    [Fact]
    public void A_destination_leaving_with_connections_first_drains_at_weight_0()
    {
        var kernel = new[] { Entry(Web, Kernel("192.168.0.1:80", 1, active: 3), Kernel("192.168.0.2:80", 1)) };
        var managed = new[] { Managed(Web, ["192.168.0.1:80", "192.168.0.2:80"], new Destination("192.168.0.2:80", 1)) };

        var shape = TableShaper.Shape(kernel, managed, new HashSet<ServiceKey>(), [], Drain, Now);

        Assert.Equal(["192.168.0.2:80=1", "192.168.0.1:80=0"], Desired(shape, Web));
        var started = Assert.Single(shape.Started);
        Assert.Equal((DestinationKey.Parse("192.168.0.1:80"), Now.AddSeconds(60), DrainReason.Failed), (started.Destination, started.Deadline, started.Reason));
        Assert.Equal(shape.Started, shape.Drains);
    }

    [Fact]
    public void A_leaving_destination_without_connections_is_deleted_at_once()
    {
        var kernel = new[] { Entry(Web, Kernel("192.168.0.1:80", 1), Kernel("192.168.0.2:80", 1)) };
        var managed = new[] { Managed(Web, ["192.168.0.2:80"], new Destination("192.168.0.2:80", 1)) };

        var shape = TableShaper.Shape(kernel, managed, new HashSet<ServiceKey>(), [], Drain, Now);

        Assert.Equal(["192.168.0.2:80=1"], Desired(shape, Web));
        Assert.Empty(shape.Drains);
        Assert.Equal([(Web, DestinationKey.Parse("192.168.0.1:80"))], shape.Deleted);
    }

    [Fact]
    public void A_draining_destination_is_deleted_once_its_connections_reach_0()
    {
        var drain = new DrainEntry(Web, DestinationKey.Parse("192.168.0.1:80"), Now.AddSeconds(-5), Now.AddSeconds(55), DrainReason.Removed);
        var kernel = new[] { Entry(Web, Kernel("192.168.0.1:80", 0), Kernel("192.168.0.2:80", 1)) };
        var managed = new[] { Managed(Web, ["192.168.0.2:80"], new Destination("192.168.0.2:80", 1)) };

        var shape = TableShaper.Shape(kernel, managed, new HashSet<ServiceKey>(), [drain], Drain, Now);

        Assert.Equal(["192.168.0.2:80=1"], Desired(shape, Web));
        Assert.Empty(shape.Drains);
        Assert.Equal(DrainOutcome.Drained, Assert.Single(shape.Ended).Outcome);
    }

    [Fact]
    public void A_draining_destination_with_connections_stays_until_its_deadline_then_goes()
    {
        var drain = new DrainEntry(Web, DestinationKey.Parse("192.168.0.1:80"), Now.AddSeconds(-5), Now.AddSeconds(55), DrainReason.Removed);
        var kernel = new[] { Entry(Web, Kernel("192.168.0.1:80", 0, active: 1, inactive: 4)) };
        var managed = new[] { Managed(Web, []) };

        var before = TableShaper.Shape(kernel, managed, new HashSet<ServiceKey>(), [drain], Drain, Now);
        var after = TableShaper.Shape(kernel, managed, new HashSet<ServiceKey>(), [drain], Drain, Now.AddSeconds(55));

        Assert.Equal(["192.168.0.1:80=0"], Desired(before, Web));
        Assert.Equal([drain], before.Drains);
        Assert.Empty(Desired(after, Web));
        var ended = Assert.Single(after.Ended);
        Assert.Equal((DrainOutcome.TimedOut, 5L), (ended.Outcome, ended.ConnectionsLeft));
    }

    [Fact]
    public void A_destination_that_returns_while_draining_ends_its_drain_and_gets_its_weight_back()
    {
        var drain = new DrainEntry(Web, DestinationKey.Parse("192.168.0.1:80"), Now.AddSeconds(-5), Now.AddSeconds(55), DrainReason.Failed);
        var kernel = new[] { Entry(Web, Kernel("192.168.0.1:80", 0, active: 2)) };
        var managed = new[] { Managed(Web, ["192.168.0.1:80"], new Destination("192.168.0.1:80", 4)) };

        var shape = TableShaper.Shape(kernel, managed, new HashSet<ServiceKey>(), [drain], Drain, Now);

        Assert.Equal(["192.168.0.1:80=4"], Desired(shape, Web));
        Assert.Empty(shape.Drains);
        Assert.Equal(DrainOutcome.Returned, Assert.Single(shape.Ended).Outcome);
    }

    [Fact]
    public void UDP_destinations_can_be_deleted_at_once_instead_of_draining()
    {
        var kernel = new[] { Entry(Dns, Kernel("192.168.0.1:53", 1, inactive: 9)) };
        var managed = new[] { Managed(Dns, []) };

        var waits = TableShaper.Shape(kernel, managed, new HashSet<ServiceKey>(), [], Drain, Now);
        var atOnce = TableShaper.Shape(kernel, managed, new HashSet<ServiceKey>(), [], Drain with { UdpImmediate = true }, Now);

        Assert.Equal(["192.168.0.1:53=0"], Desired(waits, Dns));
        Assert.Empty(Desired(atOnce, Dns));
        Assert.Single(atOnce.Deleted);
    }

    [Fact]
    public void A_retired_service_drains_its_destinations_and_leaves_the_desired_state_when_they_are_gone()
    {
        var kernel = new[] { Entry(Web, Kernel("192.168.0.1:80", 1, active: 1), Kernel("192.168.0.2:80", 1)) };
        var retired = new HashSet<ServiceKey> { Web };

        var draining = TableShaper.Shape(kernel, [], retired, [], Drain, Now);
        var drained = TableShaper.Shape([Entry(Web, Kernel("192.168.0.1:80", 0))], [], retired, draining.Drains, Drain, Now.AddSeconds(1));

        Assert.Equal(["192.168.0.1:80=0"], Desired(draining, Web));
        Assert.Equal(DrainReason.Removed, Assert.Single(draining.Drains).Reason);
        Assert.Equal([Web], draining.Scope.Select(e => e.Key));
        Assert.Empty(drained.Desired.Services);
        Assert.Equal([Web], drained.Scope.Select(e => e.Key)); // in scope, undeclared: the planner's prune deletes it
    }

    [Fact]
    public void Services_the_daemon_does_not_manage_are_out_of_scope()
    {
        var other = ServiceKey.Tcp("10.9.9.9:80");
        var kernel = new[] { Entry(Web), Entry(other, Kernel("192.168.0.9:80", 1)) };

        var shape = TableShaper.Shape(kernel, [Managed(Web, [])], new HashSet<ServiceKey>(), [], Drain, Now);

        Assert.Equal([Web], shape.Scope.Select(e => e.Key));
        Assert.Empty(Desired(shape, Web));
    }

    [Fact]
    public void A_drain_whose_destination_vanished_from_the_kernel_is_forgotten()
    {
        var drain = new DrainEntry(Web, DestinationKey.Parse("192.168.0.1:80"), Now, Now.AddSeconds(60), DrainReason.Removed);

        var shape = TableShaper.Shape([Entry(Web)], [Managed(Web, [])], new HashSet<ServiceKey>(), [drain], Drain, Now);

        Assert.Empty(shape.Drains);
        Assert.Equal(DrainOutcome.Vanished, Assert.Single(shape.Ended).Outcome);
    }

    [Fact]
    public void The_plan_of_a_shape_quiesces_then_deletes_without_touching_other_services()
    {
        var other = ServiceKey.Tcp("10.9.9.9:80");
        var kernel = new[] { Entry(Web, Kernel("192.168.0.1:80", 1, active: 1), Kernel("192.168.0.2:80", 1)), Entry(other) };
        var managed = new[] { Managed(Web, ["192.168.0.2:80"], new Destination("192.168.0.2:80", 1)) };

        var shape = TableShaper.Shape(kernel, managed, new HashSet<ServiceKey>(), [], Drain, Now);
        var plan = Planner.Plan(shape.Scope, shape.Desired, new PlanOptions { Prune = true });

        var change = Assert.Single(plan.Changes);
        Assert.Equal(ChangeKind.Edit, change.Kind);
        Assert.Equal(["weight"], change.ChangedFields);
    }
}
