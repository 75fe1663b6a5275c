namespace Ipvs.Desired;

/// <summary>
/// Diffs the kernel's table against a desired state. Pure: it reads nothing and sends nothing
/// (except <see cref="PlanAsync"/>, which reads the table first).
/// </summary>
/// <remarks>
/// <para>Ownership: a declared service is owned, so destinations it does not declare are deleted;
/// services not declared are left alone unless <see cref="PlanOptions.Prune"/>.</para>
/// <para>Minimal: settings the kernel can change in place are edited (SET_SERVICE, SET_DEST), so
/// live connections and counters survive; only a different key, which is a different service or
/// destination, means delete and add. Nothing is ever flushed.</para>
/// <para>Order: timeouts; then per declared service, in declaration order: the service's add or edit,
/// then deletes of undeclared destinations (kernel order), edits, and adds (declaration order);
/// then pruned services (kernel order). A service's add precedes its destinations' adds; deleting a
/// service deletes its destinations, so they are not deleted one by one.</para>
/// <para>Idempotent: settings are compared as the kernel reports them back, so planning the applied
/// result again gives an empty plan.</para>
/// </remarks>
public static class Planner
{
    /// <summary>Plans against a table; desired timeouts, if any, are set unconditionally since the current ones are not given.</summary>
    /// <exception cref="InvalidDesiredStateException">The desired state has errors.</exception>
    public static Plan Plan(IReadOnlyList<ServiceEntry> current, DesiredState desired, PlanOptions? options = null) =>
        Plan(current, null, desired, options);

    /// <summary>Plans against a table and the current timeouts (null when unknown).</summary>
    /// <exception cref="InvalidDesiredStateException">The desired state has errors.</exception>
    public static Plan Plan(IReadOnlyList<ServiceEntry> current, Timeouts? currentTimeouts, DesiredState desired, PlanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(desired);
        DesiredValidator.Validate(desired).ThrowIfInvalid();
        var changes = ImmutableArray.CreateBuilder<PlannedChange>();

        if (desired.Timeouts is { } timeouts)
        {
            var fields = KernelComparison.Timeouts(currentTimeouts, timeouts);
            if (fields.Length > 0)
            {
                changes.Add(TimeoutsChange.Edit(currentTimeouts, timeouts, fields) with { Location = desired.TimeoutsLocation });
            }
        }

        var table = new Dictionary<ServiceKey, ServiceEntry>(current.Count);
        foreach (var entry in current)
        {
            table.TryAdd(entry.Key, entry);
        }
        foreach (var service in desired.Services)
        {
            if (table.TryGetValue(service.Key, out var entry))
            {
                Update(entry, service, changes);
            }
            else
            {
                Create(service, changes);
            }
        }

        if (options?.Prune == true)
        {
            var declared = desired.Services.Select(s => s.Key).ToHashSet();
            foreach (var entry in current)
            {
                if (declared.Add(entry.Key))
                {
                    changes.Add(ServiceChange.Delete(entry.Info.Service, entry.Destinations.Select(d => d.Destination)));
                }
            }
        }
        return new Plan(changes.ToImmutable());
    }

    /// <summary>Reads the table (and the timeouts, when the desired state sets any) and plans against it.</summary>
    /// <exception cref="InvalidDesiredStateException">The desired state has errors.</exception>
    public static async Task<Plan> PlanAsync(IIpvsClient client, DesiredState desired, PlanOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(desired);
        var table = await client.GetTableAsync(cancellationToken).ConfigureAwait(false);
        var timeouts = desired.Timeouts is null ? null : await client.GetTimeoutsAsync(cancellationToken).ConfigureAwait(false);
        return Plan(table, timeouts, desired, options);
    }

    private static void Create(DesiredService service, ImmutableArray<PlannedChange>.Builder changes)
    {
        changes.Add(ServiceChange.Add(service.Service) with { Location = service.Location });
        foreach (var d in service.Destinations)
        {
            changes.Add(DestinationChange.Add(service.Key, d.Destination) with { Location = d.Location ?? service.Location });
        }
    }

    private static void Update(ServiceEntry entry, DesiredService service, ImmutableArray<PlannedChange>.Builder changes)
    {
        var fields = KernelComparison.Service(entry.Info.Service, service.Service);
        if (fields.Length > 0)
        {
            changes.Add(ServiceChange.Edit(entry.Info.Service, service.Service, fields) with { Location = service.Location });
        }

        var declared = service.Destinations.Select(d => d.Key).ToHashSet();
        var present = new Dictionary<DestinationKey, Destination>(entry.Destinations.Count);
        foreach (var info in entry.Destinations)
        {
            present.TryAdd(info.Key, info.Destination);
            if (!declared.Contains(info.Key))
            {
                // Owned service: what it does not declare goes.
                changes.Add(DestinationChange.Delete(service.Key, info.Destination) with { Location = service.Location });
            }
        }
        foreach (var d in service.Destinations)
        {
            if (present.TryGetValue(d.Key, out var before))
            {
                var changed = KernelComparison.Destination(before, d.Destination);
                if (changed.Length > 0)
                {
                    changes.Add(DestinationChange.Edit(service.Key, before, d.Destination, changed) with { Location = d.Location ?? service.Location });
                }
            }
        }
        foreach (var d in service.Destinations)
        {
            if (!present.ContainsKey(d.Key))
            {
                changes.Add(DestinationChange.Add(service.Key, d.Destination) with { Location = d.Location ?? service.Location });
            }
        }
    }
}
