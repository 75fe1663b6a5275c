namespace Ipvs.Daemon.Engine;

/// <summary>Why a destination is leaving its service.</summary>
public enum DrainReason
{
    /// <summary>Its checks failed and failed destinations are removed.</summary>
    Failed,

    /// <summary>The configuration no longer declares it (or its service).</summary>
    Removed,

    /// <summary>It left for the sorry server (quorum lost), or the sorry server left (quorum regained).</summary>
    Quorum,
}

/// <summary>
/// A destination at weight 0 that is deleted once its connections end or its deadline passes. Kept
/// in the daemon's state file so a restart carries on with it instead of forgetting it (kube-proxy
/// forgets, kubernetes#92019).
/// </summary>
/// <param name="Service">The service.</param>
/// <param name="Destination">The destination.</param>
/// <param name="Since">When the drain began.</param>
/// <param name="Deadline">When it is deleted even with connections left.</param>
/// <param name="Reason">Why it drains.</param>
public sealed record DrainEntry(ServiceKey Service, DestinationKey Destination, DateTimeOffset Since, DateTimeOffset Deadline, DrainReason Reason);

/// <summary>How destinations leave.</summary>
public sealed record DrainOptions
{
    /// <summary>The longest a destination drains before it is deleted with connections left; 0 deletes at once.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Delete UDP destinations at once instead of draining them: a UDP "connection" is only a
    /// timer (300 s by default) that a quiet client never ends, so draining usually just waits.
    /// </summary>
    public bool UdpImmediate { get; init; }
}

/// <summary>How a drain ended.</summary>
public enum DrainOutcome
{
    /// <summary>Its active and inactive connections reached 0.</summary>
    Drained,

    /// <summary>The deadline passed; it was deleted with connections left.</summary>
    TimedOut,

    /// <summary>It came back into the pool before the end.</summary>
    Returned,

    /// <summary>Something else deleted it from the kernel.</summary>
    Vanished,
}

/// <summary>A drain that ended in this reconciliation.</summary>
/// <param name="Entry">The drain.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="ConnectionsLeft">Active plus inactive connections when it ended.</param>
public sealed record DrainEnded(DrainEntry Entry, DrainOutcome Outcome, long ConnectionsLeft);
