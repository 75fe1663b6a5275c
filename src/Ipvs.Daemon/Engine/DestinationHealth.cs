namespace Ipvs.Daemon.Engine;

/// <summary>What the checks say about one configured destination.</summary>
/// <param name="Up">Every check of it is up (a destination without checks is always up).</param>
/// <param name="Weight">A weight set by a check (dynamic weight, file check), or null for the configured one.</param>
/// <param name="UpSince">
/// When it last came up after being down, for slow start; null when it has been up since the daemon
/// took it over (an adopted destination is not ramped again).
/// </param>
public readonly record struct DestinationHealth(bool Up, int? Weight = null, DateTimeOffset? UpSince = null)
{
    /// <summary>Up, with the configured weight, not ramping.</summary>
    public static DestinationHealth Healthy => new(true);

    /// <summary>Down.</summary>
    public static DestinationHealth Failed => new(false);
}
