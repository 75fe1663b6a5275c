using static Ipvs.DesiredTests.Support.Build;

namespace Ipvs.DesiredTests;

/// <summary>Every kind of change gives the minimal plan, in the documented order.</summary>
public sealed class PlannerTests
{
    [Fact]
    public void An_empty_desired_state_against_an_empty_table_plans_nothing()
    {
        var plan = Planner.Plan([], new DesiredState());
        Assert.True(plan.IsEmpty);
        Assert.Equal("No changes.\n", plan.ToString());
    }

    [Fact]
    public void A_missing_service_is_added_before_its_destinations_in_declaration_order()
    {
        var d1 = Dest("192.168.0.1:80");
        var d2 = Dest("192.168.0.2:80", 3);
        var plan = Planner.Plan([], State(Service(Wrr(Web), d1, d2)));
        Assert.Collection(plan.Changes,
            c => Assert.Equal(IpvsOperation.AddService(Wrr(Web)), c.Operation),
            c => Assert.Equal(IpvsOperation.AddDestination(Web, d1), c.Operation),
            c => Assert.Equal(IpvsOperation.AddDestination(Web, d2), c.Operation));
        Assert.Equal((3, 0, 0), (plan.ToAdd, plan.ToChange, plan.ToDelete));
    }

    public static TheoryData<string, VirtualService, VirtualService> ServiceEdits => new()
    {
        { FieldNames.Scheduler, Wrr(Web), new VirtualService(Web) { Scheduler = "rr" } },
        { FieldNames.Flags, new VirtualService(Web) { Scheduler = "sh" }, new VirtualService(Web) { Scheduler = "sh", Flags = ServiceFlags.ShFallback } },
        { FieldNames.PersistenceTimeout, Wrr(Web), Wrr(Web) with { PersistenceTimeout = 300 } },
        { FieldNames.Netmask, Wrr(Web) with { PersistenceTimeout = 300 }, Wrr(Web) with { PersistenceTimeout = 300, Netmask = Netmask.FromPrefixLength(24) } },
        { FieldNames.PersistenceEngine, Wrr(Resolver), Wrr(Resolver) with { PersistenceEngine = "sip" } },
    };

    [Theory]
    [MemberData(nameof(ServiceEdits))]
    public void A_changed_service_setting_is_one_in_place_edit_naming_the_field(string field, VirtualService before, VirtualService after)
    {
        var dest = Dest("192.168.0.1:80");
        var plan = Planner.Plan(Table(Entry(before, dest)), State(Service(after, dest)));
        var change = Assert.IsType<ServiceChange>(Assert.Single(plan.Changes));
        Assert.Equal((ChangeKind.Edit, ChangeTarget.Service), (change.Kind, change.Target));
        Assert.Equal([field], change.ChangedFields);
        Assert.Equal(IpvsOperation.EditService(after), change.Operation);
        Assert.Equal((before, after), (change.Before, change.After));
        Assert.Equal([IpvsOperation.EditService(before)], change.Inverse());
    }

    public static TheoryData<string[], Destination, Destination> DestinationEdits => new()
    {
        { [FieldNames.Weight], Dest("192.168.0.1:80", 1), Dest("192.168.0.1:80", 3) },
        { [FieldNames.Forwarding], Dest("192.168.0.1:80"), Dest("192.168.0.1:80", 1, ForwardingMethod.DirectRoute) },
        { [FieldNames.UpperThreshold, FieldNames.LowerThreshold], Dest("192.168.0.1:80"), Dest("192.168.0.1:80") with { UpperThreshold = 100, LowerThreshold = 10 } },
        {
            [FieldNames.Forwarding, FieldNames.TunnelType, FieldNames.TunnelPort, FieldNames.TunnelFlags],
            Dest("192.168.0.1:80"),
            Dest("192.168.0.1:80", 1, ForwardingMethod.Tunnel) with { TunnelType = TunnelType.Gue, TunnelPort = 6080, TunnelFlags = TunnelFlags.Checksum }
        },
        {
            [FieldNames.TunnelPort],
            Dest("192.168.0.1:80", 1, ForwardingMethod.Tunnel) with { TunnelType = TunnelType.Gue, TunnelPort = 6080 },
            Dest("192.168.0.1:80", 1, ForwardingMethod.Tunnel) with { TunnelType = TunnelType.Gue, TunnelPort = 6081 }
        },
        {
            [FieldNames.TunnelFlags],
            Dest("192.168.0.1:80", 1, ForwardingMethod.Tunnel) with { TunnelType = TunnelType.Gre },
            Dest("192.168.0.1:80", 1, ForwardingMethod.Tunnel) with { TunnelType = TunnelType.Gre, TunnelFlags = TunnelFlags.RemoteChecksum }
        },
    };

    [Theory]
    [MemberData(nameof(DestinationEdits))]
    public void A_changed_destination_setting_is_one_in_place_edit_naming_the_fields(string[] fields, Destination before, Destination after)
    {
        var plan = Planner.Plan(Table(Entry(Wrr(Web), before)), State(Service(Wrr(Web), after)));
        var change = Assert.IsType<DestinationChange>(Assert.Single(plan.Changes));
        Assert.Equal((ChangeKind.Edit, ChangeTarget.Destination), (change.Kind, change.Target));
        Assert.Equal(fields, change.ChangedFields);
        Assert.Equal(IpvsOperation.EditDestination(Web, after), change.Operation);
        Assert.Equal([IpvsOperation.EditDestination(Web, before)], change.Inverse());
    }

    [Fact]
    public void Tunnel_settings_a_forwarding_method_does_not_use_are_not_a_change()
    {
        // The kernel stores and reports tunnel settings whatever the forwarding; only tunnels use them.
        var kernel = Dest("192.168.0.1:80") with { TunnelType = TunnelType.Gue, TunnelPort = 6080, TunnelFlags = TunnelFlags.Checksum };
        var ipip = Dest("192.168.0.2:80", 1, ForwardingMethod.Tunnel) with { TunnelPort = 7, TunnelFlags = TunnelFlags.Checksum };
        var gre = Dest("192.168.0.3:80", 1, ForwardingMethod.Tunnel) with { TunnelType = TunnelType.Gre, TunnelPort = 9 };
        var plan = Planner.Plan(
            Table(Entry(Wrr(Web), kernel, ipip, gre)),
            State(Service(Wrr(Web), Dest("192.168.0.1:80"), ipip with { TunnelPort = 0, TunnelFlags = 0 }, gre with { TunnelPort = 0 })));
        Assert.True(plan.IsEmpty, plan.ToString());
    }

    [Fact]
    public void Kernel_flags_and_defaults_read_back_plan_nothing()
    {
        // What a dump reports: the Persistent and Hashed flags, the default netmask, the timeout only when persistent.
        var read = new VirtualService(Resolver) { Scheduler = "rr", Flags = ServiceFlags.OnePacket | ServiceFlags.Hashed | ServiceFlags.Persistent, PersistenceTimeout = 300, Netmask = Netmask.Full(AddressFamily.InterNetwork) };
        var desired = new VirtualService("udp:10.0.0.1:53", "rr") { Flags = ServiceFlags.OnePacket, PersistenceTimeout = 300 };
        Assert.True(Planner.Plan(Table(Entry(read)), State(Service(desired))).IsEmpty);
    }

    [Fact]
    public void A_new_destination_is_added_and_an_undeclared_one_deleted_from_an_owned_service()
    {
        var keep = Dest("192.168.0.1:80");
        var gone = Dest("192.168.0.9:80", 2);
        var fresh = Dest("192.168.0.2:80");
        var plan = Planner.Plan(Table(Entry(Wrr(Web), keep, gone)), State(Service(Wrr(Web), keep, fresh)));
        Assert.Collection(plan.Changes,
            c =>
            {
                Assert.Equal(IpvsOperation.DeleteDestination(Web, gone.Key), c.Operation);
                Assert.Equal([IpvsOperation.AddDestination(Web, gone)], c.Inverse());
            },
            c => Assert.Equal(IpvsOperation.AddDestination(Web, fresh), c.Operation));
    }

    [Fact]
    public void A_destination_whose_port_changes_is_deleted_and_the_new_one_added()
    {
        var plan = Planner.Plan(Table(Entry(Wrr(Web), Dest("192.168.0.1:80"))), State(Service(Wrr(Web), Dest("192.168.0.1:8080"))));
        Assert.Equal(
            [IpvsOperation.DeleteDestination(Web, DestinationKey.Parse("192.168.0.1:80")), IpvsOperation.AddDestination(Web, Dest("192.168.0.1:8080"))],
            plan.Operations);
    }

    [Fact]
    public void A_service_whose_key_changes_is_added_and_the_old_one_left_alone_without_prune()
    {
        var moved = ServiceKey.Parse("tcp:10.0.0.1:8080");
        var table = Table(Entry(Wrr(Web), Dest("192.168.0.1:80")));
        var desired = State(Service(Wrr(moved), Dest("192.168.0.1:80")));
        Assert.Equal(
            [IpvsOperation.AddService(Wrr(moved)), IpvsOperation.AddDestination(moved, Dest("192.168.0.1:80"))],
            Planner.Plan(table, desired).Operations);
        Assert.Equal(
            [IpvsOperation.AddService(Wrr(moved)), IpvsOperation.AddDestination(moved, Dest("192.168.0.1:80")), IpvsOperation.DeleteService(Web)],
            Planner.Plan(table, desired, new PlanOptions { Prune = true }).Operations);
    }

    [Fact]
    public void Undeclared_services_are_left_alone_unless_pruned_and_a_pruned_one_keeps_its_destinations_for_undo()
    {
        var table = Table(Entry(Wrr(Web), Dest("192.168.0.1:80")), Entry(Wrr(Other), Dest("192.168.0.5:80"), Dest("192.168.0.6:80")));
        var desired = State(Service(Wrr(Web), Dest("192.168.0.1:80")));
        Assert.True(Planner.Plan(table, desired).IsEmpty);

        var plan = Planner.Plan(table, desired, new PlanOptions { Prune = true });
        var delete = Assert.IsType<ServiceChange>(Assert.Single(plan.Changes));
        Assert.Equal(IpvsOperation.DeleteService(Other), delete.Operation);
        Assert.Null(delete.Location);
        Assert.Equal(
            [IpvsOperation.AddService(Wrr(Other)), IpvsOperation.AddDestination(Other, Dest("192.168.0.5:80")), IpvsOperation.AddDestination(Other, Dest("192.168.0.6:80"))],
            delete.Inverse());
    }

    [Fact]
    public void Pruning_everything_deletes_services_one_by_one_and_never_flushes()
    {
        var plan = Planner.Plan(Table(Entry(Wrr(Web), Dest("192.168.0.1:80")), Entry(Wrr(Other))), new DesiredState(), new PlanOptions { Prune = true });
        Assert.Equal([IpvsOperation.DeleteService(Web), IpvsOperation.DeleteService(Other)], plan.Operations);
    }

    [Fact]
    public void Within_a_service_deletes_come_first_then_edits_then_adds_and_pruned_services_last()
    {
        var table = Table(
            Entry(Wrr(Other)),
            Entry(Wrr(Web), Dest("192.168.0.1:80"), Dest("192.168.0.2:80")));
        var desired = State(
            Service(new VirtualService(Web) { Scheduler = "rr" }, Dest("192.168.0.3:80"), Dest("192.168.0.1:80", 5)),
            Service(Wrr(Resolver), Dest("192.168.0.1:53")));
        var plan = Planner.Plan(table, desired, new PlanOptions { Prune = true });
        Assert.Equal(
            [
                "edit service tcp:10.0.0.1:80",
                "delete destination 192.168.0.2:80",
                "edit destination 192.168.0.1:80",
                "add destination 192.168.0.3:80",
                "add service udp:10.0.0.1:53",
                "add destination 192.168.0.1:53",
                "delete service tcp:10.0.0.9:80",
            ],
            plan.Changes.Select(c => c switch
            {
                ServiceChange s => $"{c.Kind.ToString().ToLowerInvariant()} service {s.Service}",
                DestinationChange d => $"{c.Kind.ToString().ToLowerInvariant()} destination {d.Destination}",
                _ => "?",
            }));
    }

    [Fact]
    public void Changes_carry_the_location_of_the_declaration_behind_them()
    {
        var desired = State(
            new DesiredService(Wrr(Web), [new DesiredDestination(Dest("192.168.0.2:80")) { Location = At(3) }, Dest("192.168.0.3:80")]) { Location = At(1) });
        var plan = Planner.Plan(Table(Entry(new VirtualService(Web), Dest("192.168.0.9:80"))), desired);
        Assert.Equal([At(1), At(1), At(3), At(1)], plan.Changes.Select(c => c.Location!.Value));
    }

    [Fact]
    public void Timeouts_are_planned_only_where_a_managed_value_differs()
    {
        var current = Timeouts.FromSeconds(900, 120, 300);
        var same = new DesiredState { Timeouts = Timeouts.FromSeconds(900, 0, 0) };
        Assert.True(Planner.Plan([], current, same).IsEmpty);

        var desired = new DesiredState { Timeouts = Timeouts.FromSeconds(600, 0, 60), TimeoutsLocation = At(9) };
        var change = Assert.IsType<TimeoutsChange>(Assert.Single(Planner.Plan([], current, desired).Changes));
        Assert.Equal([FieldNames.Tcp, FieldNames.Udp], change.ChangedFields);
        Assert.Equal(IpvsOperation.SetTimeouts(Timeouts.FromSeconds(600, 0, 60)), change.Operation);
        Assert.Equal([IpvsOperation.SetTimeouts(current)], change.Inverse());
        Assert.Equal(At(9), change.Location);
    }

    [Fact]
    public void Timeouts_are_planned_unconditionally_when_the_current_ones_are_unknown_and_then_cannot_be_undone()
    {
        var change = Assert.IsType<TimeoutsChange>(Assert.Single(Planner.Plan([], new DesiredState { Timeouts = Timeouts.FromSeconds(900, 0, 0) }).Changes));
        Assert.Null(change.Before);
        Assert.Empty(change.Inverse());
    }

    [Fact]
    public void Timeouts_come_first()
    {
        var plan = Planner.Plan([], Timeouts.FromSeconds(900, 120, 300), State(Service(Wrr(Web))) with { Timeouts = Timeouts.FromSeconds(60, 0, 0) });
        Assert.Equal([ChangeTarget.Timeouts, ChangeTarget.Service], plan.Changes.Select(c => c.Target));
    }

    [Fact]
    public void An_invalid_desired_state_is_refused_with_every_error()
    {
        var bad = State(Service(Wrr(Web), Dest("192.168.0.1:80"), Dest("192.168.0.1:80")), Service(Wrr(Web)));
        var e = Assert.Throws<InvalidDesiredStateException>(() => Planner.Plan([], bad));
        Assert.Equal(["duplicate-destination", "duplicate-service"], e.Result.Errors.Select(p => p.Code));
        Assert.StartsWith("The desired state has 2 errors:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlanAsync_reads_the_table_and_the_timeouts_when_timeouts_are_declared()
    {
        var ipvs = new SimulatedIpvs(new SimulatedTable(Table(Entry(Wrr(Web), Dest("192.168.0.1:80")))));
        var desired = State(Service(Wrr(Web), Dest("192.168.0.1:80"))) with { Timeouts = ipvs.Table.Timeouts };
        Assert.True((await Planner.PlanAsync(ipvs, desired, cancellationToken: TestContext.Current.CancellationToken)).IsEmpty);
    }
}
