using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Ipvs.Checks.Reactor;

/// <summary>Something the reactor wakes at a time of its choosing: a scheduler's queue of due checks.</summary>
internal interface IReactorTicker
{
    /// <summary>The earliest due time (Stopwatch ticks), long.MaxValue for none; read on every loop turn.</summary>
    long NextDue { get; }

    /// <summary>Starts what is due by <paramref name="now"/> (on the reactor thread).</summary>
    void Tick(long now);
}

/// <summary>
/// The check I/O reactor of the process: one thread on an epoll set that runs every plain HTTP and
/// TCP attempt (<see cref="SocketAttempt"/>) and, for schedulers on the system clock, serves their
/// due times too, so a due check goes from the queue to its <c>connect()</c> on this thread with no
/// timer, channel or thread-pool hop, and checks due within <see cref="Slack"/> start together.
/// <para>
/// One loop turn: wait (the timeout is the nearest attempt deadline or due time), read the clock
/// once, handle socket events, then new attempts and cancellations from other threads, then
/// expired deadlines (after the events, so a reply that arrived is not failed by a timer that
/// fired in the same turn), then the due checks. Deadlines sit in a heap, superseded ones dropped
/// when they surface. Other threads hand work over through a queue and wake the loop with an
/// eventfd write, only when the loop is asleep in epoll_wait. Socket I/O uses one 64 KiB buffer
/// of the thread, so an idle or waiting attempt holds no buffer.
/// </para>
/// </summary>
internal sealed unsafe class CheckReactor
{
    /// <summary>Checks due within this much of each other start in the same loop turn (Stopwatch ticks: 1 ms).</summary>
    public static readonly long Slack = Stopwatch.Frequency / 1000;

    private const ulong WakeCookie = ulong.MaxValue;
    private const int MaxEvents = 256;
    private static readonly Lazy<CheckReactor?> Instance = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly int _epoll;
    private readonly int _wake;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<(SocketAttempt Attempt, bool Cancel)> _inbox = new();
    private readonly PriorityQueue<SocketAttempt, long> _deadlines = new();
    private readonly Lock _tickersGate = new();
    private IReactorTicker[] _tickers = [];
    private SocketAttempt?[] _slots = new SocketAttempt?[64];
    private uint[] _generations = new uint[64];
    private readonly Stack<int> _free = new();
    private int _used;
    private int _polling;
    private int _signalled;
    private long _now;
    private long _utcBaseTicks;
    private long _utcBaseStamp;
    private bool _utcBaseSet;

    private CheckReactor(int epoll, int wake)
    {
        _epoll = epoll;
        _wake = wake;
        _now = Stopwatch.GetTimestamp();
        _thread = new Thread(Run) { IsBackground = true, Name = "ipvs-checks" };
        _thread.Start();
    }

    /// <summary>The process's reactor, started on first use; null off Linux or when epoll is unavailable.</summary>
    public static CheckReactor? Shared => Instance.Value;

    /// <summary>The socket buffer of the loop (reactor thread only).</summary>
    public byte[] Buffer { get; } = new byte[64 * 1024];

    /// <summary>True on the reactor thread.</summary>
    public bool OnThread => Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

    /// <summary>The loop's clock (Stopwatch ticks), read once per turn; meaningful on the reactor thread.</summary>
    public long Now => Volatile.Read(ref _now);

    /// <summary>
    /// Wall-clock time of <see cref="Now"/>, from a base re-read every 10 s: status timestamps
    /// without a clock_gettime per check (a syscall where there is no vDSO).
    /// </summary>
    public DateTimeOffset UtcNow
    {
        get
        {
            long now = Now;
            if (!_utcBaseSet || now - _utcBaseStamp > 10 * Stopwatch.Frequency || now < _utcBaseStamp)
            {
                _utcBaseSet = true;
                _utcBaseStamp = now;
                _utcBaseTicks = DateTimeOffset.UtcNow.UtcTicks;
            }
            return new DateTimeOffset(_utcBaseTicks + (long)((now - _utcBaseStamp) * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency)), TimeSpan.Zero);
        }
    }

    /// <summary>Refreshes <see cref="Now"/> mid-turn (a long batch of due checks), reactor thread only.</summary>
    public long Refresh() => _now = Stopwatch.GetTimestamp();

    private static CheckReactor? Create()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("IPVS_CHECKS_REACTOR") == "0")
        {
            return null;
        }
        int epoll = Libc.epoll_create1(Libc.EPOLL_CLOEXEC);
        if (epoll < 0)
        {
            return null;
        }
        int wake = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (wake < 0)
        {
            Libc.close(epoll);
            return null;
        }
        byte* ev = stackalloc byte[16];
        // Edge-triggered and never read: every write is a new edge, and a 64-bit counter of
        // wake-ups cannot fill; that saves a read() per wake-up.
        Libc.WriteEvent(ev, Libc.EPOLLIN | Libc.EPOLLET, WakeCookie);
        if (Libc.epoll_ctl(epoll, Libc.EPOLL_CTL_ADD, wake, ev) != 0)
        {
            Libc.close(wake);
            Libc.close(epoll);
            return null;
        }
        return new CheckReactor(epoll, wake);
    }

    /// <summary>Runs an attempt: at once on the reactor thread, else handed over.</summary>
    public ValueTask<ProbeResult> Run(SocketPlan plan, CancellationToken token, bool inline)
    {
        var attempt = new SocketAttempt(plan, token, inline && OnThread);
        attempt.Arm(this);
        if (OnThread)
        {
            attempt.Start(this, _now);
        }
        else
        {
            Post(attempt, cancel: false);
        }
        return attempt.Task;
    }

    /// <summary>Cancels an attempt (its token fired, on any thread).</summary>
    public void Cancel(SocketAttempt attempt)
    {
        if (OnThread)
        {
            attempt.OnCancel(this);
        }
        else
        {
            Post(attempt, cancel: true);
        }
    }

    public void AddTicker(IReactorTicker ticker)
    {
        lock (_tickersGate)
        {
            _tickers = [.. _tickers, ticker];
        }
        Wake();
    }

    public void RemoveTicker(IReactorTicker ticker)
    {
        lock (_tickersGate)
        {
            _tickers = [.. _tickers.Where(t => !ReferenceEquals(t, ticker))];
        }
    }

    /// <summary>Makes the loop look at its queues and tickers again (a due time moved earlier); free when it is awake.</summary>
    public void Wake()
    {
        if (OnThread)
        {
            return; // the loop re-reads everything before it sleeps again
        }
        // Pairs with the loop's Exchange of _polling before its last look at the inbox: either it
        // sees our work, or we see it asleep and write.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _polling) == 1 && Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            ulong one = 1;
            Libc.write(_wake, (byte*)&one, sizeof(ulong));
        }
    }

    private void Post(SocketAttempt attempt, bool cancel)
    {
        _inbox.Enqueue((attempt, cancel));
        Wake();
    }

    /// <summary>Adds the attempt's socket to the epoll set under a fresh slot.</summary>
    internal bool Watch(SocketAttempt attempt)
    {
        int slot;
        if (!_free.TryPop(out slot))
        {
            if (_used == _slots.Length)
            {
                Array.Resize(ref _slots, _slots.Length * 2);
                Array.Resize(ref _generations, _slots.Length);
            }
            slot = _used++;
        }
        byte* ev = stackalloc byte[16];
        // The slot's generation rides along, so an event queued for a socket closed earlier in the
        // same batch never reaches the attempt that took its slot since.
        uint generation = ++_generations[slot];
        Libc.WriteEvent(ev, Libc.EPOLLIN | Libc.EPOLLOUT | Libc.EPOLLRDHUP | Libc.EPOLLET, (uint)slot | ((ulong)generation << 32));
        if (Libc.epoll_ctl(_epoll, Libc.EPOLL_CTL_ADD, attempt.Fd, ev) != 0)
        {
            _free.Push(slot);
            return false;
        }
        _slots[slot] = attempt;
        attempt.Slot = slot;
        return true;
    }

    /// <summary>The attempt's socket is closed: frees its slot.</summary>
    internal void Forget(SocketAttempt attempt)
    {
        if (attempt.Slot >= 0)
        {
            _slots[attempt.Slot] = null;
            _free.Push(attempt.Slot);
            attempt.Slot = -1;
        }
    }

    internal void AddDeadline(SocketAttempt attempt) => _deadlines.Enqueue(attempt, attempt.Deadline);

    private void Run()
    {
        byte* events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * Libc.EpollEventSize));
        int size = Libc.EpollEventSize;
        while (true)
        {
            try
            {
                // Asleep from here on for other threads: whatever they queue or move earlier after
                // this fence makes them write the eventfd; whatever came before, the look below sees.
                Interlocked.Exchange(ref _polling, 1);
                int timeout = _inbox.IsEmpty ? Timeout(_now) : 0;
                int n = Libc.epoll_wait(_epoll, events, MaxEvents, timeout);
                int errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
                Volatile.Write(ref _polling, 0);
                long now = _now = Stopwatch.GetTimestamp();
                if (n < 0 && errno != Libc.EINTR)
                {
                    Environment.FailFast($"The health-check reactor's epoll_wait failed: {Libc.Message(errno)}.");
                }
                for (int i = 0; i < n; i++)
                {
                    byte* ev = events + (i * size);
                    ulong cookie = Libc.EventData(ev);
                    if (cookie == WakeCookie)
                    {
                        Volatile.Write(ref _signalled, 0);
                        continue;
                    }
                    int slot = (int)(uint)cookie;
                    if (_generations[slot] == (uint)(cookie >> 32) && _slots[slot] is { } attempt)
                    {
                        // Each attempt's handling is guarded on its own: a throw must not skip the
                        // rest of the batch, whose edge-triggered events would never come again.
                        try
                        {
                            attempt.OnEvent(this, Libc.EventMask(ev), now);
                        }
                        catch (Exception e)
                        {
                            Crashed(attempt, e);
                        }
                    }
                }
                while (_inbox.TryDequeue(out var work))
                {
                    try
                    {
                        if (work.Cancel)
                        {
                            work.Attempt.OnCancel(this);
                        }
                        else
                        {
                            work.Attempt.Start(this, now);
                        }
                    }
                    catch (Exception e)
                    {
                        Crashed(work.Attempt, e);
                    }
                }
                while (_deadlines.TryPeek(out var attempt, out long deadline) && deadline <= now)
                {
                    _deadlines.Dequeue();
                    // Superseded deadlines (a later phase, or a finished attempt) surface here and are dropped.
                    if (!attempt.Finished && attempt.Deadline == deadline)
                    {
                        try
                        {
                            attempt.OnDeadline(this);
                        }
                        catch (Exception e)
                        {
                            Crashed(attempt, e);
                        }
                    }
                }
                foreach (var ticker in Volatile.Read(ref _tickers))
                {
                    // A throwing ticker must not keep the ones after it from their due checks.
                    try
                    {
                        if (ticker.NextDue <= now + Slack)
                        {
                            ticker.Tick(now);
                        }
                    }
                    catch (Exception e)
                    {
                        Trace.TraceError($"The health-check reactor caught {e}");
                    }
                }
            }
            catch (Exception e)
            {
                // Nothing here should throw (attempt failures are results); if something does, the
                // loop must go on or every HTTP and TCP check of the process stops.
                Trace.TraceError($"The health-check reactor caught {e}");
            }
        }
    }

    /// <summary>An attempt's handling threw: the attempt fails with the exception (as in a stream prober), the loop goes on.</summary>
    private void Crashed(SocketAttempt attempt, Exception e)
    {
        Trace.TraceError($"The health-check reactor caught {e}");
        try
        {
            attempt.Crash(this, e);
        }
        catch (Exception again)
        {
            Trace.TraceError($"The health-check reactor caught {again}");
        }
    }

    /// <summary>epoll_wait's timeout: until the nearest deadline or due time, rounded up to a millisecond.</summary>
    private int Timeout(long now)
    {
        long nearest = long.MaxValue;
        if (_deadlines.TryPeek(out _, out long deadline))
        {
            nearest = deadline;
        }
        foreach (var ticker in Volatile.Read(ref _tickers))
        {
            nearest = Math.Min(nearest, ticker.NextDue);
        }
        if (nearest == long.MaxValue)
        {
            return -1;
        }
        // Compared before subtracting, and in double: a due time far in the past (long.MinValue)
        // wrapped nearest − now to a huge wait, and wait × 1000 past 106 days wrapped to a
        // negative timeout; both put epoll_wait to sleep with no end, and the due times unserved.
        if (nearest <= now)
        {
            return 0;
        }
        double ms = Math.Ceiling((nearest - now) * 1000.0 / Stopwatch.Frequency);
        return ms >= int.MaxValue ? int.MaxValue : (int)ms;
    }
}
