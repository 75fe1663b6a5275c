namespace Ipvs.Daemon.Engine;

/// <summary>
/// keepalived's rules for turning health into a pool, as a pure function: failed destinations
/// leave (or stay at weight 0 with inhibit_on_failure), returning ones ramp up (slow start), and
/// the quorum, with its hysteresis, decides whether the sorry server replaces the healthy ones.
/// </summary>
/// <remarks>
/// keepalived (check/ipwrapper.c, update_quorum_state): with the quorum up it is lost when the live
/// weight is 0 or below quorum − hysteresis; with it down it is gained at quorum + hysteresis. On
/// loss with a sorry server, the live real servers leave and the sorry server serves; on gain the
/// sorry server leaves and they return. Without a sorry server the quorum only drives the hooks.
/// With sorry_server_inhibit the sorry server stays in the table at weight 0 while unused.
/// </remarks>
public static class PoolPolicy
{
    /// <summary>Decides one service's pool.</summary>
    /// <param name="service">The configured service.</param>
    /// <param name="health">The checks' view of each configured destination.</param>
    /// <param name="quorumWasUp">The quorum state decided last time (true at start unless alpha: keepalived starts with the quorum up).</param>
    /// <param name="now">The time, for slow start.</param>
    public static PoolDecision Decide(DesiredService service, Func<DestinationKey, DestinationHealth> health, bool quorumWasUp, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(health);
        var policy = service.Policy;
        var live = ImmutableArray.CreateBuilder<Destination>(service.Destinations.Length);
        var inhibited = ImmutableArray.CreateBuilder<Destination>();
        long liveWeight = 0;
        foreach (var d in service.Destinations)
        {
            var h = health(d.Key);
            int weight = h.Weight ?? d.Destination.Weight;
            if (h.Up)
            {
                // The quorum counts the weight a destination is heading for, as keepalived counts
                // its effective weight; the kernel gets the ramped one.
                liveWeight += weight;
                live.Add(d.Destination with { Weight = Ramp(weight, d.SlowStart, h.UpSince, now) });
            }
            else if (d.InhibitOnFailure ?? policy.InhibitOnFailure)
            {
                inhibited.Add(d.Destination with { Weight = 0 });
            }
        }

        bool quorumUp = quorumWasUp
            ? liveWeight > 0 && liveWeight >= (long)policy.Quorum - policy.Hysteresis
            : liveWeight >= (long)policy.Quorum + policy.Hysteresis;

        var pool = ImmutableArray.CreateBuilder<Destination>(live.Count + inhibited.Count + 1);
        bool sorryActive = false;
        if (!quorumUp && policy.SorryServer is { } sorry)
        {
            // The sorry server replaces the live ones; the inhibited ones keep their weight-0 place.
            sorryActive = true;
            pool.Add(sorry);
            AddExcept(pool, inhibited, sorry.Key);
        }
        else
        {
            pool.AddRange(live);
            pool.AddRange(inhibited);
            if (policy.SorryServer is { } idle && policy.SorryServerInhibit && !Contains(pool, idle.Key))
            {
                pool.Add(idle with { Weight = 0 });
            }
        }
        return new PoolDecision(service.Key, pool.ToImmutable(), quorumUp, sorryActive, liveWeight);
    }

    /// <summary>
    /// The weight during slow start: from the initial weight up to the full one, linearly over the
    /// duration since the destination came up. Never above the full weight, never 0 unless it is.
    /// </summary>
    public static int Ramp(int weight, SlowStart? slowStart, DateTimeOffset? upSince, DateTimeOffset now)
    {
        if (slowStart is null || upSince is not { } since || weight == 0)
        {
            return weight;
        }
        var elapsed = now - since;
        if (elapsed >= slowStart.Duration || slowStart.Duration <= TimeSpan.Zero)
        {
            return weight;
        }
        double fraction = elapsed <= TimeSpan.Zero ? 0 : elapsed / slowStart.Duration;
        int ramped = (int)Math.Floor(weight * fraction);
        return Math.Clamp(ramped, Math.Min(Math.Max(slowStart.InitialWeight, 1), weight), weight);
    }

    /// <summary>True while a destination that came up at <paramref name="upSince"/> is still ramping.</summary>
    public static bool IsRamping(SlowStart? slowStart, DateTimeOffset? upSince, DateTimeOffset now) =>
        slowStart is not null && upSince is { } since && now - since < slowStart.Duration;

    private static void AddExcept(ImmutableArray<Destination>.Builder pool, ImmutableArray<Destination>.Builder items, DestinationKey except)
    {
        foreach (var d in items)
        {
            if (d.Key != except)
            {
                pool.Add(d);
            }
        }
    }

    private static bool Contains(ImmutableArray<Destination>.Builder pool, DestinationKey key)
    {
        foreach (var d in pool)
        {
            if (d.Key == key)
            {
                return true;
            }
        }
        return false;
    }
}
