using System.Threading.Channels;
using Ipvs.Checks.Reactor;
using Ipvs.Checks.Scheduling;

namespace Ipvs.Checks;

/// <summary>
/// Runs every registered check at its interval until it is unregistered, on one scheduling loop:
/// a priority queue of due times served by the check reactor's loop on the system clock (plain
/// HTTP and TCP attempts start on the reactor thread itself), or by one timer armed for the
/// earliest on any other clock; no thread per check, and attempts dispatched with bounded
/// concurrency (<see cref="CheckSchedulerOptions.MaxConcurrency"/>).
/// <para>
/// A run is up to 1 + <see cref="HealthCheck.Retries"/> attempts, <see cref="HealthCheck.DelayBeforeRetry"/>
/// apart, and passes when any attempt passes. A check goes down after <see cref="HealthCheck.Fall"/>
/// failed runs in a row and up after <see cref="HealthCheck.Rise"/> passed runs in a row. The first
/// run starts at a random offset within the warm-up (by default the interval) so that checks
/// registered together spread out; later runs are due an interval after the previous run's due
/// time, so the schedule does not drift. One check never runs twice at once: a run that overruns
/// its interval is followed at once by the next, due at the latest slot already passed. How late
/// runs start (actual start of the first attempt − due time) is tracked per check and overall.
/// </para>
/// </summary>
public sealed class CheckScheduler : IAsyncDisposable, IReactorTicker
{
    private readonly CheckSchedulerOptions _options;
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly Func<double> _random;
    private readonly Lock _lock = new();
    private readonly Dictionary<CheckKey, CheckEntry> _entries = [];
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly PriorityQueue<CheckEntry, long> _queue = new();
    private readonly SemaphoreSlim _slots;
    private readonly Channel<CheckTransition> _transitions =
        Channel.CreateUnbounded<CheckTransition>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly Channel<bool> _wake =
        Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITimer? _timer;
    private readonly Task _loop;
    private readonly CheckReactor? _reactor;
    private readonly double _stampsPerTick;
    private long _armedAt = long.MaxValue;
    private long _nextDue = long.MaxValue;
    // True while due checks wait in the queue for a concurrency slot (reactor path): the reactor
    // is told nothing is due until a run gives its slot back. Under _lock.
    private bool _starved;
    private readonly List<CheckEntry> _dueNow = []; // the reactor thread's, in Tick
    private int _runsInFlight;
    private long _maxLatenessTicks;
    private volatile bool _disposed;

    /// <summary>A scheduler with the given options; its loop starts at once and waits for checks.</summary>
    public CheckScheduler(CheckSchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1, nameof(options));
        ArgumentNullException.ThrowIfNull(options.Defaults, nameof(options));
        ArgumentNullException.ThrowIfNull(options.Time, nameof(options));
        _options = options;
        _time = options.Time;
        _origin = _time.GetTimestamp();
        _random = options.Random ?? Random.Shared.NextDouble;
        _slots = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
        _stampsPerTick = Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond;
        // On the system clock (production) the check reactor serves the due times: a due plain
        // HTTP or TCP check starts on the reactor thread in the same loop turn, with no timer,
        // channel or thread-pool hop, and checks due within a millisecond start together. Another
        // clock (a test's FakeTimeProvider) keeps the timer-driven loop, deterministic on that clock.
        _reactor = ReferenceEquals(_time, TimeProvider.System) ? CheckReactor.Shared : null;
        if (_reactor is not null)
        {
            _loop = Task.CompletedTask;
            _reactor.AddTicker(this);
        }
        else
        {
            _timer = _time.CreateTimer(static state => ((CheckScheduler)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _loop = Task.Run(LoopAsync);
        }
    }

    /// <summary>
    /// Every state change (after rise/fall) and every weight change of a running check, in order
    /// per check. Nothing is written for a check after its last <see cref="Unregister"/> returns;
    /// the channel completes when the scheduler is disposed.
    /// </summary>
    public ChannelReader<CheckTransition> Transitions => _transitions.Reader;

    /// <summary>Checks running (distinct checks, not registrations).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The most any run of any check started after its due time, since the scheduler started.</summary>
    public TimeSpan MaxLateness => TimeSpan.FromTicks(Interlocked.Read(ref _maxLatenessTicks));

    // On the reactor thread, the loop's clock read once per turn: no clock read per check.
    private TimeSpan Now => _reactor is { } reactor && reactor.OnThread ? Elapsed(reactor.Now) : _time.GetElapsedTime(_origin);

    private DateTimeOffset UtcNow => _reactor is { } reactor && reactor.OnThread ? reactor.UtcNow : _time.GetUtcNow();

    long IReactorTicker.NextDue => Volatile.Read(ref _nextDue);

    private TimeSpan Elapsed(long stamp) => TimeSpan.FromTicks((long)((stamp - _origin) / _stampsPerTick));

    private long Stamp(TimeSpan elapsed) => _origin + (long)(elapsed.Ticks * _stampsPerTick);

    /// <summary>
    /// Registers <paramref name="check"/> on <paramref name="target"/>, its unset settings from
    /// <see cref="CheckSchedulerOptions.Defaults"/>. An identical pair (see
    /// <see cref="Register(HealthCheck, CheckTarget, CheckState, CheckDefaults)"/>) shares the running check.
    /// </summary>
    public CheckHandle Register(HealthCheck check, CheckTarget target, CheckState initial) =>
        Register(check, target, initial, _options.Defaults);

    /// <summary>
    /// Registers <paramref name="check"/> on <paramref name="target"/>, its unset settings from
    /// <paramref name="defaults"/> (a service's delay_loop and virtualhost), starting in
    /// <paramref name="initial"/> (Up normally; Down for keepalived's alpha). A check equal to a
    /// running one after resolution (structurally, array contents included, ignoring its source
    /// location) on the same endpoint is not started again: its handle is returned and
    /// reference-counted, so two services checking one real server the same way share one probe
    /// (keepalived issue 2111). That handle keeps its state; read it with <see cref="GetStatus"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The check's interval or a timeout is not positive, or its rise, fall, retries, delay before retry or warm-up is out of range (the validator reports these first).</exception>
    /// <exception cref="ObjectDisposedException">The scheduler is disposed.</exception>
    public CheckHandle Register(HealthCheck check, CheckTarget target, CheckState initial, CheckDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(defaults);
        var resolved = defaults.Resolve(check);
        Validate(resolved);
        var key = new CheckKey(resolved, target.Endpoint);
        double random = Math.Clamp(_random(), 0, Math.BitDecrement(1.0));
        var offset = TimeSpan.FromTicks((long)(resolved.WarmUp!.Value.Ticks * random));
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.TryGetValue(key, out var running))
            {
                running.References++;
                return running.Handle;
            }
            var entry = new CheckEntry(key, resolved, initial, defaults.MaxHttpBodyBytes)
            {
                Plan = SocketPlan.For(resolved, target, defaults.MaxHttpBodyBytes),
            };
            entry.Handle = new CheckHandle(this, resolved, target, UniqueId(CheckHandle.Describe(resolved, target.Endpoint))) { Entry = entry };
            _entries.Add(key, entry);
            Enqueue(entry, Now + offset);
            return entry.Handle;
        }
    }

    /// <summary>Drops one registration of the check; the last one stops it, cancelling an attempt in flight.</summary>
    /// <exception cref="ArgumentException">The handle is another scheduler's.</exception>
    /// <exception cref="InvalidOperationException">The check is not running (unregistered as often as registered).</exception>
    public void Unregister(CheckHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        Own(handle);
        var entry = handle.Entry;
        lock (_lock)
        {
            if (entry.Stopped)
            {
                throw new InvalidOperationException($"The check {handle.Id} is not registered.");
            }
            if (--entry.References > 0)
            {
                return;
            }
            entry.Stopped = true;
            _entries.Remove(entry.Key);
            _ids.Remove(handle.Id);
        }
        // Outside the lock: cancellation runs callbacks (a program check kills its process tree).
        entry.Stop.Cancel();
    }

    /// <summary>The check's state and counters; also after it stopped (its last ones).</summary>
    /// <exception cref="ArgumentException">The handle is another scheduler's.</exception>
    public CheckStatus GetStatus(CheckHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        Own(handle);
        return handle.Entry.Snapshot();
    }

    /// <summary>Stops every check, cancelling attempts in flight and waiting for them, and completes <see cref="Transitions"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        List<CheckEntry> running;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            running = [.. _entries.Values];
            foreach (var entry in running)
            {
                entry.Stopped = true;
            }
            _entries.Clear();
            _ids.Clear();
        }
        _reactor?.RemoveTicker(this);
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var entry in running)
        {
            await entry.Stop.CancelAsync().ConfigureAwait(false);
        }
        await _loop.ConfigureAwait(false);
        if (Volatile.Read(ref _runsInFlight) == 0)
        {
            _drained.TrySetResult();
        }
        await _drained.Task.ConfigureAwait(false);
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }
        _transitions.Writer.TryComplete();
        _stopping.Dispose();
        _slots.Dispose();
    }

    private void Own(CheckHandle handle)
    {
        if (!ReferenceEquals(handle.Owner, this))
        {
            throw new ArgumentException($"The check {handle.Id} belongs to another scheduler.", nameof(handle));
        }
    }

    private static void Validate(HealthCheck check)
    {
        if (check.Interval <= TimeSpan.Zero || check.ConnectTimeout <= TimeSpan.Zero || check.ReadTimeout <= TimeSpan.Zero
            || check is ProgramCheck { Timeout: var timeout } && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException(
                $"The {check.Kind} check has the interval {check.Interval}, connect timeout {check.ConnectTimeout} and read timeout {check.ReadTimeout}; they (and a program's timeout) must be positive.",
                nameof(check));
        }
        var max = HealthCheck.MaxDuration;
        if (check.Interval > max || check.ConnectTimeout > max || check.ReadTimeout > max || check.DelayBeforeRetry > max || check.WarmUp > max
            || check is ProgramCheck { Timeout: var longest } && longest > max)
        {
            throw new ArgumentException(
                $"The {check.Kind} check has the interval {check.Interval}, connect timeout {check.ConnectTimeout}, read timeout {check.ReadTimeout}, delay before retry {check.DelayBeforeRetry} and warm-up {check.WarmUp}; none (nor a program's timeout) may be longer than {max.TotalDays:0} days.",
                nameof(check));
        }
        if (check.Rise < 1 || check.Fall < 1 || check.Retries < 0 || check.DelayBeforeRetry < TimeSpan.Zero || check.WarmUp < TimeSpan.Zero)
        {
            throw new ArgumentException(
                $"The {check.Kind} check has rise {check.Rise}, fall {check.Fall}, retries {check.Retries}, delay before retry {check.DelayBeforeRetry} and warm-up {check.WarmUp}; rise and fall must be 1 or more, the others 0 or more.",
                nameof(check));
        }
    }

    // Under _lock.
    private string UniqueId(string id)
    {
        if (_ids.Add(id))
        {
            return id;
        }
        for (int n = 2; ; n++)
        {
            var numbered = string.Create(CultureInfo.InvariantCulture, $"{id} #{n}");
            if (_ids.Add(numbered))
            {
                return numbered;
            }
        }
    }

    // Under _lock.
    private void Enqueue(CheckEntry entry, TimeSpan due)
    {
        entry.Scheduled = due;
        _queue.Enqueue(entry, due.Ticks);
        if (_reactor is not null)
        {
            long stamp = Stamp(due);
            if (stamp < _nextDue && !_starved)
            {
                // Earlier than the reactor will look: tell it (free when this is the reactor thread).
                Volatile.Write(ref _nextDue, stamp);
                _reactor.Wake();
            }
        }
        else if (due.Ticks < _armedAt)
        {
            // Earlier than the timer is armed for: the loop re-arms it.
            _wake.Writer.TryWrite(true);
        }
    }

    /// <summary>The reactor's turn (on its thread): starts every check due by now + its slack.</summary>
    void IReactorTicker.Tick(long now)
    {
        var due = _dueNow;
        lock (_lock)
        {
            long horizon = Elapsed(now + CheckReactor.Slack).Ticks;
            // No more runs start than there are free slots: the rest stay queued, in due order,
            // until a run ends. Started anyway, each would wait in the semaphore as an allocated
            // waiter resumed through the thread pool: at 10,000 checks on a saturated CPU that was
            // thousands of waiters, tens of MB and a busy pool, for no earlier start.
            int free = _slots.CurrentCount;
            while (_queue.TryPeek(out var entry, out long at) && at <= horizon)
            {
                if (!entry.Stopped && due.Count == free)
                {
                    break;
                }
                _queue.Dequeue();
                if (!entry.Stopped)
                {
                    due.Add(entry);
                }
            }
            _starved = _queue.TryPeek(out _, out long next) && next <= horizon;
            Volatile.Write(ref _nextDue, _starved ? long.MaxValue : _queue.TryPeek(out _, out next) ? Stamp(TimeSpan.FromTicks(next)) : long.MaxValue);
        }
        Interlocked.Add(ref _runsInFlight, due.Count);
        int inline = 0;
        foreach (var entry in due)
        {
            if (entry.Plan is null)
            {
                // A process spawn or a file read must not hold up the reactor.
                ThreadPool.UnsafeQueueUserWorkItem(entry, preferLocal: false);
                continue;
            }
            if (++inline % 32 == 0)
            {
                _reactor!.Refresh(); // a long batch: keep lateness and deadlines honest
            }
            _ = RunAsync(entry);
        }
        due.Clear();
    }

    private void OnTimer()
    {
        lock (_lock)
        {
            _armedAt = long.MaxValue;
        }
        _wake.Writer.TryWrite(true);
    }

    // A timer takes a delay, counted from when Change runs, not from when `now` was read. A clock
    // that moved in between (another thread advancing a test's fake clock, or this thread
    // preempted) would put the timer late by as much, and a fake clock that then advances just to
    // the due time would never fire it: the check would wait forever. So the delay is taken again
    // from the clock until the clock stood still across the Change (a real clock moves a little
    // each time: anything under a millisecond counts as standing still).
    private void Arm(long at, long now)
    {
        for (int attempt = 0; attempt < 8; attempt++)
        {
            if (at <= now)
            {
                // Due already: the loop takes it on its next turn (no zero-delay timer, whose
                // callback a fake clock may run at once, on this thread, under the lock).
                _armedAt = long.MaxValue;
                _wake.Writer.TryWrite(true);
                return;
            }
            _timer!.Change(TimeSpan.FromTicks(at - now), Timeout.InfiniteTimeSpan);
            long after = Now.Ticks;
            if (after - now < TimeSpan.TicksPerMillisecond)
            {
                return;
            }
            now = after;
        }
    }

    private async Task LoopAsync()
    {
        var due = new List<CheckEntry>();
        try
        {
            while (true)
            {
                lock (_lock)
                {
                    long now = Now.Ticks;
                    while (_queue.TryPeek(out var entry, out long at))
                    {
                        if (at > now)
                        {
                            if (at != _armedAt)
                            {
                                _armedAt = at;
                                Arm(at, now);
                            }
                            break;
                        }
                        _queue.Dequeue();
                        if (!entry.Stopped)
                        {
                            due.Add(entry);
                        }
                    }
                }
                Interlocked.Add(ref _runsInFlight, due.Count);
                foreach (var entry in due)
                {
                    // On the thread pool: an attempt's synchronous start (a process spawn, a file
                    // read) must not hold up the loop's dispatch of the checks due with it.
                    ThreadPool.UnsafeQueueUserWorkItem(entry, preferLocal: false);
                }
                due.Clear();
                await _wake.Reader.ReadAsync(_stopping.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    /// <summary>One run of a check, started by the loop through <see cref="CheckEntry.Execute"/>.</summary>
    internal async Task RunAsync(CheckEntry entry)
    {
        TimeSpan due;
        lock (_lock)
        {
            due = entry.Scheduled;
        }
        var token = entry.Stop.Token;
        var handle = entry.Handle;
        try
        {
            ProbeResult result = default;
            for (int attempt = 0; attempt < entry.Attempts; attempt++)
            {
                if (attempt > 0 && entry.DelayBeforeRetry > TimeSpan.Zero)
                {
                    await Task.Delay(entry.DelayBeforeRetry, _time, token).ConfigureAwait(false);
                }
                await _slots.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    if (attempt == 0)
                    {
                        RecordLateness(entry, Now - due);
                    }
                    // inline: on the reactor thread, the rest of the run continues there when the
                    // attempt ends (it only records the result and queues the next run).
                    result = await Prober.ProbeResolvedAsync(handle.Check, handle.Target, entry.MaxBodyBytes, token, entry.Plan, inline: true).ConfigureAwait(false);
                }
                finally
                {
                    _slots.Release();
                    SlotFreed();
                }
                Completed(handle, result);
                if (result.Passed)
                {
                    break;
                }
            }
            if (entry.Record(result, UtcNow) is { } transition)
            {
                lock (_lock)
                {
                    if (!entry.Stopped)
                    {
                        _transitions.Writer.TryWrite(transition);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Unregistered or disposed mid-run.
        }
        finally
        {
            Reschedule(entry, due);
            if (Interlocked.Decrement(ref _runsInFlight) == 0 && _disposed)
            {
                _drained.TrySetResult();
            }
        }
    }

    /// <summary>
    /// A run gave its slot back: when due checks were held for want of one, the reactor is told
    /// they are due again. The lock pairs with <see cref="IReactorTicker.Tick"/>'s read of the free
    /// slots, so a slot given back while a turn decides it has none is never missed.
    /// </summary>
    private void SlotFreed()
    {
        if (_reactor is null)
        {
            return;
        }
        lock (_lock)
        {
            if (!_starved)
            {
                return;
            }
            _starved = false;
            Volatile.Write(ref _nextDue, _queue.TryPeek(out _, out long next) ? Stamp(TimeSpan.FromTicks(next)) : long.MaxValue);
        }
        _reactor.Wake();
    }

    private void Reschedule(CheckEntry entry, TimeSpan due)
    {
        lock (_lock)
        {
            if (entry.Stopped)
            {
                return;
            }
            long interval = entry.Interval.Ticks;
            long next = due.Ticks + interval;
            long now = Now.Ticks;
            if (next < now)
            {
                // The run overran: skip the slots that passed meanwhile; the next run starts now,
                // late by less than one interval.
                next += (now - next) / interval * interval;
            }
            Enqueue(entry, TimeSpan.FromTicks(next));
        }
    }

    private void RecordLateness(CheckEntry entry, TimeSpan lateness)
    {
        if (lateness <= TimeSpan.Zero)
        {
            return;
        }
        entry.RecordLateness(lateness);
        long ticks = lateness.Ticks;
        long seen = Interlocked.Read(ref _maxLatenessTicks);
        while (ticks > seen)
        {
            long previous = Interlocked.CompareExchange(ref _maxLatenessTicks, ticks, seen);
            if (previous == seen)
            {
                break;
            }
            seen = previous;
        }
    }

    private void Completed(CheckHandle handle, ProbeResult result)
    {
        if (_options.ProbeCompleted is not { } callback)
        {
            return;
        }
        try
        {
            callback(handle, result);
        }
        catch (Exception)
        {
            // A metrics callback must not stop the check it reports on.
        }
    }
}
