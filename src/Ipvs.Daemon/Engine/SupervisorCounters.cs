namespace Ipvs.Daemon.Engine;

/// <summary>The engine's counters, for metrics. Written by the engine's loop only.</summary>
public sealed class SupervisorCounters
{
    /// <summary>Reconciliations run.</summary>
    public long Reconciles { get; set; }

    /// <summary>Reconciliations that failed or applied only part of their plan.</summary>
    public long ReconcileErrors { get; set; }

    /// <summary>Kernel changes applied.</summary>
    public long ChangesApplied { get; set; }

    /// <summary>Successful reloads.</summary>
    public long Reloads { get; set; }

    /// <summary>Reloads rejected for errors.</summary>
    public long ReloadFailures { get; set; }

    /// <summary>Destinations that came up.</summary>
    public long DestinationsUp { get; set; }

    /// <summary>Destinations that went down.</summary>
    public long DestinationsDown { get; set; }

    /// <summary>How long the last reconciliation took.</summary>
    public TimeSpan LastReconcile { get; set; }

    /// <summary>Reconciliation durations.</summary>
    public Histogram ReconcileSeconds { get; } = new([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]);
}

/// <summary>A Prometheus-style cumulative histogram; thread-safe.</summary>
public sealed class Histogram(double[] bounds)
{
    private readonly long[] _counts = new long[bounds.Length + 1];
    private readonly Lock _lock = new();
    private double _sum;
    private long _count;

    /// <summary>The upper bounds of the buckets, ascending (+Inf is implied).</summary>
    public IReadOnlyList<double> Bounds { get; } = bounds;

    /// <summary>Records one value.</summary>
    public void Observe(double value)
    {
        int i = 0;
        while (i < bounds.Length && value > bounds[i])
        {
            i++;
        }
        lock (_lock)
        {
            _counts[i]++;
            _sum += value;
            _count++;
        }
    }

    /// <summary>Cumulative counts per bucket (the last is +Inf), the sum and the count.</summary>
    public (long[] Cumulative, double Sum, long Count) Snapshot()
    {
        lock (_lock)
        {
            var c = new long[_counts.Length];
            long run = 0;
            for (int i = 0; i < c.Length; i++)
            {
                run += _counts[i];
                c[i] = run;
            }
            return (c, _sum, _count);
        }
    }
}
