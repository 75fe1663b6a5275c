using static Ipvs.DesiredTests.Support.Build;

namespace Ipvs.DesiredTests;

/// <summary>The applier against a simulated client: what it reports is what the table holds.</summary>
public sealed class ApplierTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly ServiceKey Bad = ServiceKey.Parse("tcp:10.0.0.2:80");

    // Adds Web (applied), Bad with an unknown scheduler (refused), Bad's destination (then ESRCH), Other.
    private static (SimulatedIpvs Ipvs, Plan Plan) Refusal(IEnumerable<ServiceEntry>? table = null, PlanOptions? options = null)
    {
        var ipvs = new SimulatedIpvs(new SimulatedTable(table));
        var desired = State(
            Service(Wrr(Web), Dest("192.168.0.1:80")),
            Service(new VirtualService(Bad) { Scheduler = "nosuchsched" }, Dest("192.168.0.2:80")),
            Service(Wrr(Other)));
        return (ipvs, Planner.Plan(ipvs.Table.Entries, desired, options));
    }

    [Fact]
    public async Task An_empty_plan_sends_nothing_and_reports_nothing()
    {
        var ipvs = new SimulatedIpvs(new SimulatedTable());
        var report = await Applier.ApplyAsync(ipvs, Plan.Empty, cancellationToken: Ct);
        Assert.Empty(report.Results);
        Assert.True(report.Succeeded);
        Assert.Empty(ipvs.Batches);
        Assert.Equal("No changes.\n", report.ToString());
    }

    [Fact]
    public async Task A_plan_is_sent_as_one_stop_on_error_batch_and_every_change_reported_applied()
    {
        var ipvs = new SimulatedIpvs(new SimulatedTable());
        var plan = Planner.Plan([], State(Service(Wrr(Web), Dest("192.168.0.1:80"), Dest("192.168.0.2:80"))));
        var report = await Applier.ApplyAsync(ipvs, plan, cancellationToken: Ct);
        Assert.True(report.Succeeded);
        Assert.False(report.RolledBack);
        Assert.All(report.Results, r => Assert.Equal(ChangeOutcome.Applied, r.Outcome));
        Assert.Equal(plan.Operations, Assert.Single(ipvs.Batches));
        Assert.True(Planner.Plan(ipvs.Table.Entries, State(Service(Wrr(Web), Dest("192.168.0.1:80"), Dest("192.168.0.2:80")))).IsEmpty);
    }

    [Fact]
    public async Task A_refusal_is_reported_with_its_errno_and_the_rest_of_its_send_still_applied()
    {
        // The kernel applies a whole send; stop-on-error stops at the next send.
        var (ipvs, plan) = Refusal();
        var report = await Applier.ApplyAsync(ipvs, plan, cancellationToken: Ct);
        Assert.Equal(
            [ChangeOutcome.Applied, ChangeOutcome.Applied, ChangeOutcome.Failed, ChangeOutcome.Failed, ChangeOutcome.Applied],
            report.Results.Select(r => r.Outcome));
        Assert.Equal([0, 0, Errno.ENOENT, Errno.ESRCH, 0], report.Results.Select(r => r.Errno));
        Assert.Equal([Web, Other], ipvs.Table.Entries.Select(e => e.Key));
        Assert.False(report.Succeeded);
        Assert.Equal(3, report.Applied);
    }

    [Fact]
    public async Task With_one_operation_per_send_the_apply_stops_right_at_the_refusal()
    {
        var (ipvs, plan) = Refusal();
        var report = await Applier.ApplyAsync(ipvs, plan, new ApplyOptions { MaxRequestsPerSend = 1 }, Ct);
        Assert.Equal(
            [ChangeOutcome.Applied, ChangeOutcome.Applied, ChangeOutcome.Failed, ChangeOutcome.NotAttempted, ChangeOutcome.NotAttempted],
            report.Results.Select(r => r.Outcome));
        Assert.Equal([Web], ipvs.Table.Entries.Select(e => e.Key));
        Assert.Equal("Applied 2 of 5 changes: 1 failed, 2 not attempted.", report.ToString().Split('\n')[^2]);
    }

    [Fact]
    public async Task Atomic_undoes_every_applied_change_in_reverse_order_and_says_so()
    {
        var before = new[] { Entry(Wrr(Web) with { Scheduler = "rr" }, Dest("192.168.0.1:80", 5), Dest("192.168.0.7:80")), Entry(Wrr(Resolver), Dest("192.168.0.3:53")) };
        var (ipvs, plan) = Refusal(before, new PlanOptions { Prune = true });
        var report = await Applier.ApplyAsync(ipvs, plan, new ApplyOptions { Atomic = true }, Ct);

        Assert.True(report.RolledBack);
        Assert.Equal(
            [
                (ChangeKind.Edit, ChangeOutcome.RolledBack),    // Web's scheduler
                (ChangeKind.Delete, ChangeOutcome.RolledBack),  // Web's 192.168.0.7
                (ChangeKind.Edit, ChangeOutcome.RolledBack),    // Web's weight
                (ChangeKind.Add, ChangeOutcome.Failed),         // Bad
                (ChangeKind.Add, ChangeOutcome.Failed),         // Bad's destination
                (ChangeKind.Add, ChangeOutcome.RolledBack),     // Other
                (ChangeKind.Delete, ChangeOutcome.RolledBack),  // Resolver, pruned
            ],
            report.Results.Select(r => (r.Change.Kind, r.Outcome)));
        // The undo ran last change first, and the table is the old one again, pruned service and all.
        var undo = ipvs.Batches[1];
        Assert.Equal(
            [
                IpvsOperation.AddService(Wrr(Resolver)), IpvsOperation.AddDestination(Resolver, Dest("192.168.0.3:53")),
                IpvsOperation.DeleteService(Other),
                IpvsOperation.EditDestination(Web, Dest("192.168.0.1:80", 5)),
                IpvsOperation.AddDestination(Web, Dest("192.168.0.7:80")),
                IpvsOperation.EditService(Wrr(Web) with { Scheduler = "rr" }),
            ],
            undo);
        AssertSameTable(before, ipvs.Table.Entries);
        Assert.Equal("Applied 0 of 7 changes: 2 failed, 5 rolled back.", report.ToString().Split('\n')[^2]);
    }

    [Fact]
    public async Task Atomic_without_a_refusal_is_a_plain_apply()
    {
        var ipvs = new SimulatedIpvs(new SimulatedTable());
        var plan = Planner.Plan([], State(Service(Wrr(Web), Dest("192.168.0.1:80"))));
        var report = await Applier.ApplyAsync(ipvs, plan, new ApplyOptions { Atomic = true }, Ct);
        Assert.True(report.Succeeded);
        Assert.False(report.RolledBack);
        Assert.Single(ipvs.Batches);
    }

    [Fact]
    public async Task An_undo_the_kernel_refuses_is_reported_as_not_undone()
    {
        var (ipvs, plan) = Refusal();
        ipvs.Refuse = op => op is DeleteServiceOperation { Service: var s } && s == Other ? Errno.EBUSY : 0;
        var report = await Applier.ApplyAsync(ipvs, plan, new ApplyOptions { Atomic = true }, Ct);
        var other = report.Results[^1];
        Assert.Equal((ChangeOutcome.RollbackFailed, Errno.EBUSY), (other.Outcome, other.RollbackErrno));
        Assert.Equal(ChangeOutcome.RolledBack, report.Results[0].Outcome);
        Assert.Equal([Other], ipvs.Table.Entries.Select(e => e.Key));
        Assert.Contains("undo failed: ", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_change_of_unknown_outcome_is_undone_too_and_reported_rolled_back_when_the_undo_works()
    {
        var ipvs = new SimulatedIpvs(new SimulatedTable());
        var plan = Planner.Plan([], State(Service(Wrr(Web)), Service(new VirtualService(Bad) { Scheduler = "nosuchsched" })));
        ipvs.Lose = op => op is AddServiceOperation { Service.Key: var k } && k == Web ? (true, true) : (false, false);
        var report = await Applier.ApplyAsync(ipvs, plan, new ApplyOptions { Atomic = true }, Ct);
        Assert.Equal([ChangeOutcome.RolledBack, ChangeOutcome.Failed], report.Results.Select(r => r.Outcome));
        Assert.Empty(ipvs.Table.Entries);
    }

    [Fact]
    public async Task A_change_of_unknown_outcome_that_never_happened_stays_unknown_with_the_failed_undo_noted()
    {
        var ipvs = new SimulatedIpvs(new SimulatedTable());
        var plan = Planner.Plan([], State(Service(Wrr(Web))));
        ipvs.Lose = op => (op is AddServiceOperation, false);
        var report = await Applier.ApplyAsync(ipvs, plan, new ApplyOptions { Atomic = true }, Ct);
        var r = Assert.Single(report.Results);
        Assert.Equal((ChangeOutcome.Unknown, Errno.ETIMEDOUT, Errno.ESRCH), (r.Outcome, r.Errno, r.RollbackErrno));
    }

    [Fact]
    public async Task Timeouts_set_without_knowing_the_old_ones_cannot_be_undone_and_say_so()
    {
        var ipvs = new SimulatedIpvs(new SimulatedTable());
        var plan = Planner.Plan([], new DesiredState { Timeouts = Timeouts.FromSeconds(60, 0, 0) } with { Services = [Service(new VirtualService(Bad) { Scheduler = "nosuchsched" })] });
        var report = await Applier.ApplyAsync(ipvs, plan, new ApplyOptions { Atomic = true }, Ct);
        Assert.Equal(ChangeOutcome.RollbackFailed, report.Results[0].Outcome);
        Assert.Equal("It cannot be undone: its values before are unknown.", report.Results[0].RollbackMessage);
    }

    private static void AssertSameTable(IEnumerable<ServiceEntry> expected, IEnumerable<ServiceEntry> actual)
    {
        static string Describe(IEnumerable<ServiceEntry> t) => string.Join("\n", t
            .OrderBy(e => e.Key.ToString(), StringComparer.Ordinal)
            .Select(e => $"{e.Info.Service} [{string.Join(", ", e.Destinations.Select(d => d.Destination).OrderBy(d => d.Key.ToString(), StringComparer.Ordinal))}]"));
        Assert.Equal(Describe(expected), Describe(actual));
    }
}
