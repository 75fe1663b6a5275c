namespace Ipvs.DesiredTests;

/// <summary>
/// For random current tables and desired states, the plan applied to a simulated table converges:
/// owned services are as desired, unowned ones are untouched (or pruned), and re-planning is empty.
/// </summary>
public sealed class PlannerProperties
{
    [Fact]
    public void Applying_the_plan_converges_to_the_desired_state_and_replanning_is_empty()
    {
        Tables.Scenario.Sample(s =>
        {
            var options = new PlanOptions { Prune = s.Prune };
            var plan = Planner.Plan(s.Current, s.Desired, options);
            var table = new SimulatedTable(s.Current);
            foreach (var change in plan.Changes)
            {
                Assert.Equal(0, table.Apply(change.Operation));
            }
            var after = table.Entries;

            foreach (var want in s.Desired.Services)
            {
                var got = Assert.Single(after, e => e.Key == want.Key);
                AssertSameService(want.Service, got.Info.Service);
                Assert.Equal(want.Destinations.Select(d => d.Key).Order(KeyOrder), got.Destinations.Select(d => d.Key).Order(KeyOrder));
                foreach (var d in want.Destinations)
                {
                    AssertSameDestination(d.Destination, got.Destinations.Single(g => g.Key == d.Key).Destination);
                }
            }
            foreach (var old in s.Current.Where(c => !s.Desired.Services.Any(d => d.Key == c.Key)))
            {
                if (s.Prune)
                {
                    Assert.DoesNotContain(after, e => e.Key == old.Key);
                }
                else
                {
                    // Unowned: exactly as it was, settings and destinations.
                    var kept = Assert.Single(after, e => e.Key == old.Key);
                    Assert.Equal(old.Info.Service, kept.Info.Service);
                    Assert.Equal(old.Destinations.Select(d => d.Destination), kept.Destinations.Select(d => d.Destination));
                }
            }
            Assert.Equal(s.Desired.Services.Length + (s.Prune ? 0 : s.Current.Count(c => !s.Desired.Services.Any(d => d.Key == c.Key))), after.Count);

            Assert.True(Planner.Plan(after, s.Desired, options).IsEmpty, "re-planning the applied table is not empty");
        }, iter: 3000);
    }

    [Fact]
    public void Plans_are_minimal_and_ordered()
    {
        // How often each kind of change came up, so that the generator is known to reach them all.
        var seen = new int[3 * 2 + 1];
        Tables.Scenario.Sample(s =>
        {
            var plan = Planner.Plan(s.Current, s.Desired, new PlanOptions { Prune = s.Prune });
            var changes = plan.Changes;
            Interlocked.Increment(ref seen[^1]);
            foreach (var c in changes)
            {
                Interlocked.Increment(ref seen[(int)c.Kind * 2 + (c.Target == ChangeTarget.Service ? 0 : 1)]);
            }
            var current = s.Current.ToDictionary(e => e.Key);
            var desired = s.Desired.Services.ToDictionary(d => d.Key);

            // Each service and destination is touched at most once: no delete-and-re-add of a key.
            Assert.Equal(changes.OfType<ServiceChange>().Count(), changes.OfType<ServiceChange>().Select(c => c.Service).Distinct().Count());
            Assert.Equal(changes.OfType<DestinationChange>().Count(), changes.OfType<DestinationChange>().Select(c => (c.Service, c.Destination)).Distinct().Count());
            // Edits change something; adds are of what is missing, deletes of what exists.
            Assert.All(changes.Where(c => c.Kind == ChangeKind.Edit), c => Assert.NotEmpty(c.ChangedFields));
            Assert.All(changes.OfType<ServiceChange>(), c => Assert.Equal(c.Kind != ChangeKind.Add, current.ContainsKey(c.Service)));
            Assert.All(changes.OfType<ServiceChange>().Where(c => c.Kind == ChangeKind.Delete), c => Assert.False(desired.ContainsKey(c.Service)));
            // Destinations only change in declared services, and a new service's come after it.
            for (int i = 0; i < changes.Length; i++)
            {
                if (changes[i] is DestinationChange d)
                {
                    Assert.True(desired.ContainsKey(d.Service));
                    Assert.Equal(d.Kind != ChangeKind.Add, current.TryGetValue(d.Service, out var e) && e.Destinations.Any(x => x.Key == d.Destination));
                    if (!current.ContainsKey(d.Service))
                    {
                        Assert.Contains(changes[..i], c => c is ServiceChange { Kind: ChangeKind.Add } a && a.Service == d.Service);
                    }
                }
            }
            // The count is the minimum: one per missing, changed or surplus item.
            int expected = 0;
            foreach (var want in s.Desired.Services)
            {
                if (!current.TryGetValue(want.Key, out var have))
                {
                    expected += 1 + want.Destinations.Length;
                    continue;
                }
                expected += SameService(want.Service, have.Info.Service) ? 0 : 1;
                expected += have.Destinations.Count(h => !want.Destinations.Any(w => w.Key == h.Key));
                expected += want.Destinations.Count(w => have.Destinations.FirstOrDefault(h => h.Key == w.Key) is not { } h || !SameDestination(w.Destination, h.Destination));
            }
            expected += s.Prune ? s.Current.Count(c => !desired.ContainsKey(c.Key)) : 0;
            Assert.Equal(expected, changes.Length);
        }, iter: 3000);
        Assert.All(seen[..^1], n => Assert.True(n > 300, $"each kind of change should come up often: {string.Join(", ", seen)}"));
    }

    private static readonly Comparer<DestinationKey> KeyOrder = Comparer<DestinationKey>.Create((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));

    private static bool SameService(VirtualService a, VirtualService b) =>
        a.Scheduler.Equals(b.Scheduler) && a.Flags == b.Flags && a.PersistenceTimeout == b.PersistenceTimeout
        && a.Netmask == b.Netmask && a.PersistenceEngine == b.PersistenceEngine;

    // Written out here rather than taken from the planner: tunnel settings count only where the
    // forwarding uses them.
    private static bool SameDestination(Destination want, Destination got) =>
        want.Forwarding == got.Forwarding && want.Weight == got.Weight
        && want.UpperThreshold == got.UpperThreshold && want.LowerThreshold == got.LowerThreshold
        && (want.Forwarding != ForwardingMethod.Tunnel
            || (want.TunnelType == got.TunnelType
                && (want.TunnelType != TunnelType.Gue || want.TunnelPort == got.TunnelPort)
                && (want.TunnelType == TunnelType.IpIp || want.TunnelFlags == got.TunnelFlags)));

    private static void AssertSameService(VirtualService want, VirtualService got) =>
        Assert.True(SameService(want, got), $"service {want.Key}: wanted {want}, got {got}");

    private static void AssertSameDestination(Destination want, Destination got) =>
        Assert.True(SameDestination(want, got), $"destination {want.Key}: wanted {want}, got {got}");
}
