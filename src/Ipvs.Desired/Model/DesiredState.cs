namespace Ipvs.Desired;

/// <summary>
/// The IPVS table as it should be: the services this state manages, and optionally the connection
/// timeouts. Services not listed here are not managed (see <see cref="PlanOptions.Prune"/>).
/// </summary>
public sealed record DesiredState
{
    /// <summary>An empty state: manages nothing.</summary>
    public DesiredState()
    {
    }

    /// <summary>A state with the given services.</summary>
    public DesiredState(IEnumerable<DesiredService> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        Services = [.. services];
    }

    /// <summary>The managed services, in declaration order (the plan follows it).</summary>
    public ImmutableArray<DesiredService> Services
    {
        get;
        init => field = value.IsDefault ? [] : value;
    } = [];

    /// <summary>
    /// Connection timeouts to keep, or null to leave them alone. A zero field is not managed,
    /// as the kernel treats zero as "unchanged".
    /// </summary>
    public Timeouts? Timeouts { get; init; }

    /// <summary>Where the timeouts were declared.</summary>
    public SourceLocation? TimeoutsLocation { get; init; }
}
