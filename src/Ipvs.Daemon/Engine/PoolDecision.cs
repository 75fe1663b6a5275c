namespace Ipvs.Daemon.Engine;

/// <summary>
/// What one service's pool should be now: the destinations the kernel should have and their
/// weights, before draining is considered (a destination not listed is to leave the pool).
/// </summary>
/// <param name="Service">The service.</param>
/// <param name="Pool">Destinations to have in the kernel, with the weights to give them.</param>
/// <param name="QuorumUp">Whether the service has its quorum.</param>
/// <param name="SorryServerActive">Whether the sorry server serves in place of the real servers.</param>
/// <param name="LiveWeight">The total weight of healthy destinations, which the quorum is measured against.</param>
public sealed record PoolDecision(
    ServiceKey Service,
    ImmutableArray<Destination> Pool,
    bool QuorumUp,
    bool SorryServerActive,
    long LiveWeight)
{
    /// <summary>True when the quorum changed from <paramref name="before"/>.</summary>
    public bool QuorumChanged(bool before) => QuorumUp != before;
}
