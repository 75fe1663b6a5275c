namespace Ipvs.Desired;

/// <summary>
/// One step of a <see cref="Plan"/>: the operation to send, with the values before and after it,
/// so that it can be shown, reviewed and undone.
/// </summary>
public abstract record PlannedChange
{
    private protected PlannedChange(ChangeKind kind, IpvsOperation operation)
    {
        Kind = kind;
        Operation = operation;
    }

    /// <summary>Add, edit or delete.</summary>
    public ChangeKind Kind { get; }

    /// <summary>Service, destination or timeouts.</summary>
    public abstract ChangeTarget Target { get; }

    /// <summary>The operation that makes the change.</summary>
    public IpvsOperation Operation { get; }

    /// <summary>For edits, the names of the settings that change (see <see cref="FieldNames"/>); empty otherwise.</summary>
    public ImmutableArray<string> ChangedFields
    {
        get;
        init => field = value.IsDefault ? [] : value;
    } = [];

    /// <summary>
    /// The declaration behind the change: the service or destination declared; for a destination
    /// deleted from an owned service, that service's declaration; null for pruned services.
    /// </summary>
    public SourceLocation? Location { get; init; }

    /// <summary>The operations that undo this change, from its before-values, in order.</summary>
    public abstract ImmutableArray<IpvsOperation> Inverse();
}

/// <summary>Adds, edits or deletes a service.</summary>
public sealed record ServiceChange : PlannedChange
{
    private ServiceChange(ChangeKind kind, IpvsOperation operation, ServiceKey service)
        : base(kind, operation) => Service = service;

    /// <inheritdoc />
    public override ChangeTarget Target => ChangeTarget.Service;

    /// <summary>The service.</summary>
    public ServiceKey Service { get; }

    /// <summary>Its settings before the change; null for an add.</summary>
    public VirtualService? Before { get; private init; }

    /// <summary>Its settings after the change; null for a delete.</summary>
    public VirtualService? After { get; private init; }

    /// <summary>For a delete, the destinations the kernel deletes with it (restored by the inverse).</summary>
    public ImmutableArray<Destination> DestinationsBefore
    {
        get;
        private init => field = value.IsDefault ? [] : value;
    } = [];

    /// <summary>Adds the service.</summary>
    public static ServiceChange Add(VirtualService after)
    {
        ArgumentNullException.ThrowIfNull(after);
        return new(ChangeKind.Add, IpvsOperation.AddService(after), after.Key) { After = after };
    }

    /// <summary>Edits the service in place; <paramref name="changedFields"/> names what differs.</summary>
    public static ServiceChange Edit(VirtualService before, VirtualService after, ImmutableArray<string> changedFields)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (before.Key != after.Key)
        {
            throw new ArgumentException($"An edit keeps the key: {before.Key} cannot become {after.Key}.", nameof(after));
        }
        return new(ChangeKind.Edit, IpvsOperation.EditService(after), after.Key) { Before = before, After = after, ChangedFields = changedFields };
    }

    /// <summary>Deletes the service, which deletes <paramref name="destinations"/> with it.</summary>
    public static ServiceChange Delete(VirtualService before, IEnumerable<Destination> destinations)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(destinations);
        return new(ChangeKind.Delete, IpvsOperation.DeleteService(before.Key), before.Key) { Before = before, DestinationsBefore = [.. destinations] };
    }

    /// <inheritdoc />
    public override ImmutableArray<IpvsOperation> Inverse() => Kind switch
    {
        ChangeKind.Add => [IpvsOperation.DeleteService(Service)],
        ChangeKind.Edit => [IpvsOperation.EditService(Before!)],
        _ => [IpvsOperation.AddService(Before!), .. DestinationsBefore.Select(d => IpvsOperation.AddDestination(Service, d))],
    };
}

/// <summary>Adds, edits or deletes a destination.</summary>
public sealed record DestinationChange : PlannedChange
{
    private DestinationChange(ChangeKind kind, IpvsOperation operation, ServiceKey service, DestinationKey destination)
        : base(kind, operation) => (Service, Destination) = (service, destination);

    /// <inheritdoc />
    public override ChangeTarget Target => ChangeTarget.Destination;

    /// <summary>The service it belongs to.</summary>
    public ServiceKey Service { get; }

    /// <summary>The destination.</summary>
    public DestinationKey Destination { get; }

    /// <summary>Its settings before the change; null for an add.</summary>
    public Destination? Before { get; private init; }

    /// <summary>Its settings after the change; null for a delete.</summary>
    public Destination? After { get; private init; }

    /// <summary>Adds the destination to the service.</summary>
    public static DestinationChange Add(ServiceKey service, Destination after)
    {
        ArgumentNullException.ThrowIfNull(after);
        return new(ChangeKind.Add, IpvsOperation.AddDestination(service, after), service, after.Key) { After = after };
    }

    /// <summary>Edits the destination in place; <paramref name="changedFields"/> names what differs.</summary>
    public static DestinationChange Edit(ServiceKey service, Destination before, Destination after, ImmutableArray<string> changedFields)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (before.Key != after.Key)
        {
            throw new ArgumentException($"An edit keeps the key: {before.Key} cannot become {after.Key}.", nameof(after));
        }
        return new(ChangeKind.Edit, IpvsOperation.EditDestination(service, after), service, after.Key) { Before = before, After = after, ChangedFields = changedFields };
    }

    /// <summary>Deletes the destination from the service.</summary>
    public static DestinationChange Delete(ServiceKey service, Destination before)
    {
        ArgumentNullException.ThrowIfNull(before);
        return new(ChangeKind.Delete, IpvsOperation.DeleteDestination(service, before.Key), service, before.Key) { Before = before };
    }

    /// <inheritdoc />
    public override ImmutableArray<IpvsOperation> Inverse() => Kind switch
    {
        ChangeKind.Add => [IpvsOperation.DeleteDestination(Service, Destination)],
        ChangeKind.Edit => [IpvsOperation.EditDestination(Service, Before!)],
        _ => [IpvsOperation.AddDestination(Service, Before!)],
    };
}

/// <summary>Sets the connection timeouts (always an edit: the kernel always has timeouts).</summary>
public sealed record TimeoutsChange : PlannedChange
{
    private TimeoutsChange(Timeouts? before, Timeouts after, ImmutableArray<string> changedFields)
        : base(ChangeKind.Edit, IpvsOperation.SetTimeouts(after))
    {
        Before = before;
        After = after;
        ChangedFields = changedFields;
    }

    /// <inheritdoc />
    public override ChangeTarget Target => ChangeTarget.Timeouts;

    /// <summary>The timeouts before, or null when they were not read.</summary>
    public Timeouts? Before { get; }

    /// <summary>The timeouts set; zero fields are left as they are.</summary>
    public Timeouts After { get; }

    /// <summary>Sets the timeouts.</summary>
    public static TimeoutsChange Edit(Timeouts? before, Timeouts after, ImmutableArray<string> changedFields)
    {
        ArgumentNullException.ThrowIfNull(after);
        return new(before, after, changedFields);
    }

    /// <inheritdoc />
    /// <remarks>Empty when the timeouts before are unknown: then the change cannot be undone.</remarks>
    public override ImmutableArray<IpvsOperation> Inverse() => Before is null ? [] : [IpvsOperation.SetTimeouts(Before)];
}
