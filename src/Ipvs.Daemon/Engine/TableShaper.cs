namespace Ipvs.Daemon.Engine;

/// <summary>One managed service's pool decision next to its configuration.</summary>
/// <param name="Config">The configured service.</param>
/// <param name="Decision">Its pool now.</param>
public sealed record ManagedService(DesiredService Config, PoolDecision Decision);

/// <summary>The table the kernel should have now, and what changed in the drains to get there.</summary>
/// <param name="Desired">The desired state to plan: the pools plus the draining destinations at weight 0.</param>
/// <param name="Scope">The kernel's services the daemon owns: plan against these only, with pruning, so retired services that finished draining are deleted and nobody else's are touched.</param>
/// <param name="Drains">Every drain in progress after this step.</param>
/// <param name="Started">Drains begun in this step.</param>
/// <param name="Ended">Drains ended in this step (their destinations are deleted, unless they returned).</param>
/// <param name="Deleted">Destinations deleted at once, without draining (no connections, or UDP with immediate deletion).</param>
public sealed record TableShape(
    DesiredState Desired,
    ImmutableArray<ServiceEntry> Scope,
    ImmutableArray<DrainEntry> Drains,
    ImmutableArray<DrainEntry> Started,
    ImmutableArray<DrainEnded> Ended,
    ImmutableArray<(ServiceKey Service, DestinationKey Destination)> Deleted);

/// <summary>
/// Turns the pools into a desired table, draining instead of deleting: a destination leaving a pool
/// first gets weight 0 and stays until its connections end or its drain times out. Pure: the
/// kernel's table and the clock are inputs.
/// </summary>
public static class TableShaper
{
    /// <summary>Shapes the table.</summary>
    /// <param name="kernel">The kernel's table now.</param>
    /// <param name="managed">Every configured service with its pool decision.</param>
    /// <param name="retired">Services the daemon managed that the configuration no longer declares: they drain, then go.</param>
    /// <param name="drains">The drains in progress.</param>
    /// <param name="options">Drain settings.</param>
    /// <param name="now">The time.</param>
    /// <param name="timeouts">The configured timeouts, if any.</param>
    public static TableShape Shape(
        IReadOnlyList<ServiceEntry> kernel,
        IReadOnlyList<ManagedService> managed,
        IReadOnlySet<ServiceKey> retired,
        IReadOnlyCollection<DrainEntry> drains,
        DrainOptions options,
        DateTimeOffset now,
        Timeouts? timeouts = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(managed);
        ArgumentNullException.ThrowIfNull(retired);
        ArgumentNullException.ThrowIfNull(drains);
        ArgumentNullException.ThrowIfNull(options);

        var table = new Dictionary<ServiceKey, ServiceEntry>(kernel.Count);
        foreach (var e in kernel)
        {
            table.TryAdd(e.Key, e);
        }
        var book = new Dictionary<(ServiceKey, DestinationKey), DrainEntry>(drains.Count);
        foreach (var d in drains)
        {
            book[(d.Service, d.Destination)] = d;
        }

        var step = new Step(book, options, now);
        var services = ImmutableArray.CreateBuilder<DesiredService>(managed.Count + retired.Count);
        var scope = ImmutableArray.CreateBuilder<ServiceEntry>();
        foreach (var m in managed)
        {
            var key = m.Config.Key;
            var pool = m.Decision.Pool;
            var destinations = new List<DesiredDestination>(pool.Length);
            var inPool = new HashSet<DestinationKey>(pool.Length);
            foreach (var d in pool)
            {
                destinations.Add(d);
                inPool.Add(d.Key);
                step.Returned(key, d.Key);
            }
            if (table.TryGetValue(key, out var entry))
            {
                scope.Add(entry);
                foreach (var k in entry.Destinations)
                {
                    if (!inPool.Contains(k.Key))
                    {
                        step.Leaving(key, entry.Info.Service, k, WhyLeaving(m, k.Key), destinations);
                    }
                }
            }
            services.Add(m.Config with { Destinations = [.. destinations] });
        }

        var declared = managed.Select(m => m.Config.Key).ToHashSet();
        foreach (var key in retired)
        {
            if (declared.Contains(key) || !table.TryGetValue(key, out var entry))
            {
                continue;
            }
            scope.Add(entry);
            var destinations = new List<DesiredDestination>();
            foreach (var k in entry.Destinations)
            {
                step.Leaving(key, entry.Info.Service, k, DrainReason.Removed, destinations);
            }
            if (destinations.Count > 0)
            {
                // Kept, with its draining destinations, until they are all gone; then pruned.
                services.Add(new DesiredService(entry.Info.Service, destinations));
            }
        }

        // Drains whose destination the kernel no longer has ended without us.
        foreach (var (k, d) in book)
        {
            if (!step.Seen.Contains(k))
            {
                step.Ended.Add(new DrainEnded(d, DrainOutcome.Vanished, 0));
            }
        }

        return new TableShape(
            new DesiredState(services) { Timeouts = timeouts },
            scope.ToImmutable(),
            [.. step.Kept],
            [.. step.Started],
            [.. step.Ended],
            [.. step.Deleted]);
    }

    private static DrainReason WhyLeaving(ManagedService m, DestinationKey key)
    {
        bool isSorry = m.Config.Policy.SorryServer?.Key == key;
        if (!isSorry && !m.Config.Destinations.Any(c => c.Key == key))
        {
            return DrainReason.Removed;
        }
        return isSorry || m.Decision.SorryServerActive ? DrainReason.Quorum : DrainReason.Failed;
    }

    // The bookkeeping of one shaping pass.
    private sealed class Step(Dictionary<(ServiceKey, DestinationKey), DrainEntry> book, DrainOptions options, DateTimeOffset now)
    {
        public HashSet<(ServiceKey, DestinationKey)> Seen { get; } = [];

        public List<DrainEntry> Kept { get; } = [];

        public List<DrainEntry> Started { get; } = [];

        public List<DrainEnded> Ended { get; } = [];

        public List<(ServiceKey, DestinationKey)> Deleted { get; } = [];

        public void Returned(ServiceKey service, DestinationKey destination)
        {
            if (book.TryGetValue((service, destination), out var d))
            {
                Seen.Add((service, destination));
                Ended.Add(new DrainEnded(d, DrainOutcome.Returned, 0));
            }
        }

        // A kernel destination that is not in its pool: keep it at weight 0 while it drains, or let it go.
        public void Leaving(ServiceKey service, VirtualService kernelService, DestinationInfo k, DrainReason reason, List<DesiredDestination> destinations)
        {
            var id = (service, k.Key);
            Seen.Add(id);
            long connections = (long)k.ActiveConnections + k.InactiveConnections;
            if (book.TryGetValue(id, out var d))
            {
                if (connections == 0)
                {
                    Ended.Add(new DrainEnded(d, DrainOutcome.Drained, 0));
                }
                else if (now >= d.Deadline)
                {
                    Ended.Add(new DrainEnded(d, DrainOutcome.TimedOut, connections));
                }
                else
                {
                    Kept.Add(d);
                    destinations.Add(k.Destination with { Weight = 0 });
                }
                return;
            }
            bool immediate = connections == 0
                || options.Timeout <= TimeSpan.Zero
                || (options.UdpImmediate && kernelService.Key.Protocol == IpvsProtocol.Udp);
            if (immediate)
            {
                Deleted.Add(id);
                return;
            }
            var started = new DrainEntry(service, k.Key, now, now + options.Timeout, reason);
            Started.Add(started);
            Kept.Add(started);
            destinations.Add(k.Destination with { Weight = 0 });
        }
    }
}
