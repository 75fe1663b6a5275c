namespace Ipvs.Checks;

/// <summary>Whether a check counts its target as healthy, after rise/fall hysteresis.</summary>
public enum CheckState
{
    /// <summary>Healthy: the destination may take traffic.</summary>
    Up,

    /// <summary>Failed: the destination should be taken out (or inhibited).</summary>
    Down,
}

/// <summary>A state or weight change of one scheduled check.</summary>
/// <param name="Handle">The check.</param>
/// <param name="State">Its state now.</param>
/// <param name="Weight">The weight its last passing run asked for (see <see cref="ProbeResult.Weight"/> and <see cref="DynamicWeight"/>), or null for none.</param>
/// <param name="Last">The last attempt of the run that caused the change.</param>
public sealed record CheckTransition(CheckHandle Handle, CheckState State, int? Weight, ProbeResult Last);

/// <summary>What the scheduler knows about one check, for status pages and metrics.</summary>
/// <param name="State">Its state, after rise/fall.</param>
/// <param name="Weight">The weight its last passing run asked for, or null.</param>
/// <param name="ConsecutivePasses">Passed runs in a row (0 after a failed run).</param>
/// <param name="ConsecutiveFailures">Failed runs in a row (0 after a passed run).</param>
/// <param name="Last">The last attempt, or null before the first.</param>
/// <param name="LastRun">When the last run ended, or null before the first.</param>
/// <param name="Runs">Runs so far (a run is up to 1 + retries attempts).</param>
/// <param name="Failures">Failed runs so far.</param>
/// <param name="MaxLateness">The most any run started after its scheduled time.</param>
public sealed record CheckStatus(
    CheckState State,
    int? Weight,
    int ConsecutivePasses,
    int ConsecutiveFailures,
    ProbeResult? Last,
    DateTimeOffset? LastRun,
    long Runs,
    long Failures,
    TimeSpan MaxLateness);
