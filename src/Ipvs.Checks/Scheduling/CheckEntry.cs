namespace Ipvs.Checks.Scheduling;

/// <summary>
/// One running check of a scheduler: its schedule (guarded by the scheduler's lock) and its
/// state machine and counters (guarded by <see cref="_gate"/>, as status reads come from other threads).
/// </summary>
internal sealed class CheckEntry : IThreadPoolWorkItem
{
    private readonly Lock _gate = new();
    private readonly int _rise;
    private readonly int _fall;
    private CheckState _state;
    private int? _weight;
    private int _passes;
    private int _failures;
    private ProbeResult? _last;
    private DateTimeOffset? _lastRun;
    private long _runs;
    private long _failedRuns;
    private TimeSpan _maxLateness;

    public CheckEntry(CheckKey key, HealthCheck resolved, CheckState initial, int maxBodyBytes)
    {
        Key = key;
        Interval = resolved.Interval!.Value;
        Attempts = 1 + resolved.Retries!.Value;
        DelayBeforeRetry = resolved.DelayBeforeRetry!.Value;
        MaxBodyBytes = maxBodyBytes;
        _rise = resolved.Rise;
        _fall = resolved.Fall;
        _state = initial;
    }

    public CheckKey Key { get; }

    public CheckHandle Handle { get; set; } = null!;

    public TimeSpan Interval { get; }

    public int Attempts { get; }

    public TimeSpan DelayBeforeRetry { get; }

    public int MaxBodyBytes { get; }

    /// <summary>How the reactor runs this check's attempts (plain HTTP and TCP on Linux), or null.</summary>
    public Reactor.SocketPlan? Plan { get; init; }

    /// <summary>Registrations sharing this check; under the scheduler's lock.</summary>
    public int References { get; set; } = 1;

    /// <summary>Unregistered (or the scheduler disposed); under the scheduler's lock.</summary>
    public bool Stopped { get; set; }

    /// <summary>Cancelled when the check stops, ending an attempt in flight.</summary>
    public CancellationTokenSource Stop { get; } = new();

    /// <summary>The slot of the next run, as time since the scheduler's origin; under the scheduler's lock.</summary>
    public TimeSpan Scheduled { get; set; }

    public void RecordLateness(TimeSpan lateness)
    {
        lock (_gate)
        {
            if (lateness > _maxLateness)
            {
                _maxLateness = lateness;
            }
        }
    }

    /// <summary>Counts a run ending with <paramref name="last"/> and returns the change it makes, if any.</summary>
    public CheckTransition? Record(ProbeResult last, DateTimeOffset at)
    {
        lock (_gate)
        {
            _runs++;
            _last = last;
            _lastRun = at;
            var state = _state;
            var weight = _weight;
            if (last.Passed)
            {
                _passes++;
                _failures = 0;
                // Each passing run says the weight anew; a program's exit 0 (null) returns to the declared weight.
                weight = last.Weight;
                if (state == CheckState.Down && _passes >= _rise)
                {
                    state = CheckState.Up;
                }
            }
            else
            {
                _failures++;
                _passes = 0;
                _failedRuns++;
                if (state == CheckState.Up && _failures >= _fall)
                {
                    state = CheckState.Down;
                }
            }
            if (state == _state && weight == _weight)
            {
                return null;
            }
            _state = state;
            _weight = weight;
            return new CheckTransition(Handle, state, weight, last);
        }
    }

    /// <summary>Starts a run (queued by the scheduler's loop).</summary>
    public void Execute() => _ = Handle.Owner.RunAsync(this);

    public CheckStatus Snapshot()
    {
        lock (_gate)
        {
            return new CheckStatus(_state, _weight, _passes, _failures, _last, _lastRun, _runs, _failedRuns, _maxLateness);
        }
    }
}
