namespace Ipvs.Checks;

/// <summary>Settings of a <see cref="CheckScheduler"/>.</summary>
public sealed class CheckSchedulerOptions
{
    /// <summary>The most attempts in flight at once, all checks together; 256 by default.</summary>
    public int MaxConcurrency { get; init; } = 256;

    /// <summary>Defaults for the settings checks leave null (keepalived's unless changed).</summary>
    public CheckDefaults Defaults { get; init; } = CheckDefaults.Keepalived;

    /// <summary>The clock of every delay and timestamp of the scheduler (not of the probes' own timeouts).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>A source of numbers in [0, 1) for the first run's offset within the warm-up, or null for <see cref="Random.Shared"/>.</summary>
    public Func<double>? Random { get; init; }

    /// <summary>
    /// Called after every attempt with its result (latency metrics). It runs on the scheduler's
    /// path, so it must be quick; an exception it throws is ignored.
    /// </summary>
    public Action<CheckHandle, ProbeResult>? ProbeCompleted { get; init; }
}
