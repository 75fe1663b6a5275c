namespace Ipvs.Desired;

/// <summary>
/// The changes that turn the current table into the desired one, in the order to send them.
/// Empty when the table already is as desired.
/// </summary>
/// <param name="Changes">The changes, in order.</param>
public sealed record Plan(ImmutableArray<PlannedChange> Changes)
{
    /// <summary>A plan with nothing to do.</summary>
    public static Plan Empty { get; } = new(ImmutableArray<PlannedChange>.Empty);

    /// <summary>The changes, in order.</summary>
    public ImmutableArray<PlannedChange> Changes { get; init; } = Changes.IsDefault ? [] : Changes;

    /// <summary>True when there is nothing to do.</summary>
    public bool IsEmpty => Changes.Length == 0;

    /// <summary>How many services and destinations are added.</summary>
    public int ToAdd => Count(ChangeKind.Add);

    /// <summary>How many are changed in place.</summary>
    public int ToChange => Count(ChangeKind.Edit);

    /// <summary>How many are deleted (a deleted service counts once, whatever its destinations).</summary>
    public int ToDelete => Count(ChangeKind.Delete);

    /// <summary>The operations, in order, as <see cref="IIpvsClient.ExecuteAsync"/> takes them.</summary>
    public ImmutableArray<IpvsOperation> Operations => [.. Changes.Select(c => c.Operation)];

    /// <summary>The readable diff (see <see cref="PlanText"/>).</summary>
    public override string ToString() => PlanText.Render(this);

    private int Count(ChangeKind kind) => Changes.Count(c => c.Kind == kind);
}

/// <summary>Options for <see cref="Planner"/>.</summary>
public sealed record PlanOptions
{
    /// <summary>
    /// Also delete services the desired state does not declare. Without it they are left alone:
    /// only declared services are owned.
    /// </summary>
    public bool Prune { get; init; }
}
