namespace Ipvs.Desired;

/// <summary>
/// A real server as it should be: the kernel settings (<see cref="Destination"/>), the health checks
/// that decide whether it is in, the hooks run when that changes, and an optional slow start.
/// </summary>
public sealed record DesiredDestination
{
    /// <summary>A destination with the given health checks (none: always in).</summary>
    public DesiredDestination(Destination destination, IEnumerable<HealthCheck>? checks = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        Destination = destination;
        Checks = checks is null ? [] : [.. checks];
    }

    /// <summary>The kernel settings; its key identifies the destination within its service.</summary>
    public Destination Destination
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(Destination));
    }

    /// <summary>The destination's key.</summary>
    public DestinationKey Key => Destination.Key;

    /// <summary>Health checks; all must pass for the destination to be up.</summary>
    public ImmutableArray<HealthCheck> Checks
    {
        get;
        init => field = value.IsDefault ? [] : value;
    } = [];

    /// <summary>Run when the destination comes up (notify_up).</summary>
    public Hook? NotifyUp { get; init; }

    /// <summary>Run when the destination goes down (notify_down).</summary>
    public Hook? NotifyDown { get; init; }

    /// <summary>Raise the weight gradually after the destination comes up, or null for at once.</summary>
    public SlowStart? SlowStart { get; init; }

    /// <summary>Overrides the service's <see cref="ServicePolicy.InhibitOnFailure"/>; null inherits it.</summary>
    public bool? InhibitOnFailure { get; init; }

    /// <summary>Where the destination was declared.</summary>
    public SourceLocation? Location { get; init; }

    /// <summary>A destination without checks or hooks.</summary>
    public static DesiredDestination FromDestination(Destination destination) => new(destination);

    /// <summary>A destination without checks or hooks.</summary>
    public static implicit operator DesiredDestination(Destination destination) => new(destination);
}

/// <summary>
/// Slow start: after the destination comes up, the daemon raises its weight step by step from
/// <see cref="InitialWeight"/> to the declared weight over <see cref="Duration"/>, so a cold server
/// is not flooded.
/// </summary>
/// <param name="Duration">How long the ramp takes; positive.</param>
public sealed record SlowStart(TimeSpan Duration)
{
    /// <summary>The weight the ramp starts from; 1 by default, at most the declared weight.</summary>
    public int InitialWeight { get; init; } = 1;

    /// <summary>Where the slow start was declared.</summary>
    public SourceLocation? Location { get; init; }
}
