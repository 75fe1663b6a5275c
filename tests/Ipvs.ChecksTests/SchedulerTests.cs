using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using static Ipvs.ChecksTests.Support.Targets;

namespace Ipvs.ChecksTests;

/// <summary>The scheduler on a fake clock: schedule, retries, rise/fall, sharing, weights, concurrency.</summary>
public sealed class SchedulerTests
{
    private static readonly TimeSpan Ten = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new();

    private CheckScheduler Scheduler(int maxConcurrency = 256, double random = 0, Action<CheckHandle, ProbeResult>? completed = null) =>
        new(new CheckSchedulerOptions { Time = _time, Random = () => random, MaxConcurrency = maxConcurrency, ProbeCompleted = completed });

    private static async Task<CheckTransition> NextTransition(CheckScheduler scheduler)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        return await scheduler.Transitions.ReadAsync(timeout.Token);
    }

    private static Task Runs(CheckScheduler scheduler, CheckHandle handle, long runs) =>
        WaitUntil(() => scheduler.GetStatus(handle).Runs >= runs, $"{handle} has run {runs} times");

    [Fact]
    public async Task Fall_consecutive_failures_take_a_check_down_and_rise_passes_bring_it_back()
    {
        await using var scheduler = Scheduler();
        var script = new Scripted(false, false, true, false, true, true);
        var handle = scheduler.Register(script.Check with { Fall = 2, Rise = 2 }, Local(80), CheckState.Up);

        await Runs(scheduler, handle, 1);
        Assert.Equal(CheckState.Up, scheduler.GetStatus(handle).State); // one failure of two
        _time.Advance(Ten);
        var down = await NextTransition(scheduler);
        Assert.Equal((handle, CheckState.Down, false), (down.Handle, down.State, down.Last.Passed));
        Assert.Equal(2, scheduler.GetStatus(handle).Runs);

        for (int run = 3; run <= 5; run++)
        {
            _time.Advance(Ten);
            await Runs(scheduler, handle, run); // pass, fail, pass: never two passes in a row
        }
        Assert.Equal(CheckState.Down, scheduler.GetStatus(handle).State);
        _time.Advance(Ten);
        var up = await NextTransition(scheduler);
        Assert.Equal(CheckState.Up, up.State);
        var status = scheduler.GetStatus(handle);
        Assert.Equal((6L, 3L, 2, 0), (status.Runs, status.Failures, status.ConsecutivePasses, status.ConsecutiveFailures));
    }

    [Fact]
    public async Task An_alpha_check_starts_down_and_its_first_pass_brings_it_up()
    {
        await using var scheduler = Scheduler();
        var script = new Scripted(true);
        var handle = scheduler.Register(script.Check, Local(80), CheckState.Down);
        Assert.Equal(CheckState.Down, scheduler.GetStatus(handle).State);
        var up = await NextTransition(scheduler);
        Assert.Equal(CheckState.Up, up.State);
    }

    [Fact]
    public async Task A_check_with_a_duration_longer_than_timers_wait_is_refused_at_registration()
    {
        await using var scheduler = Scheduler();
        var script = new Scripted(true);
        var interval = Assert.Throws<ArgumentException>(() => scheduler.Register(script.Check with { Interval = TimeSpan.MaxValue }, Local(80), CheckState.Up));
        Assert.Contains("longer than 49 days", interval.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => scheduler.Register(script.Check with { WarmUp = TimeSpan.FromDays(50) }, Local(80), CheckState.Up));
        Assert.Equal(0, scheduler.Count);
        scheduler.Register(script.Check with { Interval = HealthCheck.MaxDuration }, Local(80), CheckState.Up);
        Assert.Equal(1, scheduler.Count);
    }

    [Fact]
    public async Task A_run_retries_after_the_delay_before_retry_and_passes_if_any_attempt_passes()
    {
        var attempts = Channel.CreateUnbounded<(TimeSpan At, ProbeResult Result)>();
        var start = _time.GetUtcNow();
        await using var scheduler = Scheduler(completed: (_, r) => attempts.Writer.TryWrite((_time.GetUtcNow() - start, r)));
        var script = new Scripted(false, false, true);
        var handle = scheduler.Register(script.Check with { Retries = 2, DelayBeforeRetry = TimeSpan.FromSeconds(3) }, Local(80), CheckState.Up);

        var seen = new List<(TimeSpan At, ProbeResult Result)>();
        await WaitUntil(() => attempts.Reader.TryRead(out var attempt) && Add(seen, attempt), "the first attempt ran"); // due at once
        for (int i = 1; i < 3; i++)
        {
            // Small steps: the retry's delay may start just after the clock moved.
            await AdvanceUntil(() => attempts.Reader.TryRead(out var attempt) && Add(seen, attempt), TimeSpan.FromSeconds(0.5));
        }
        Assert.Equal([false, false, true], seen.Select(a => a.Result.Passed));
        Assert.Equal(TimeSpan.Zero, seen[0].At);
        for (int i = 1; i < 3; i++)
        {
            var gap = seen[i].At - seen[i - 1].At; // 3 s, or a step or two more if the delay began after a step
            Assert.InRange(gap, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4));
        }
        await Runs(scheduler, handle, 1);
        var status = scheduler.GetStatus(handle);
        Assert.Equal((CheckState.Up, 1L, 0L), (status.State, status.Runs, status.Failures));
    }

    private static bool Add<T>(List<T> list, T item)
    {
        list.Add(item);
        return true;
    }

    // Advances the fake clock by steps until the condition holds (checked in real time between steps).
    private async Task AdvanceUntil(Func<bool> condition, TimeSpan step)
    {
        for (int i = 0; i < 400; i++)
        {
            if (condition())
            {
                return;
            }
            await Task.Delay(20, Ct);
            if (condition())
            {
                return;
            }
            _time.Advance(step);
        }
        Assert.Fail("The awaited attempt never came.");
    }

    [Fact]
    public async Task The_first_run_is_at_a_random_offset_within_the_warm_up()
    {
        await using var scheduler = Scheduler(random: 0.5);
        var script = new Scripted();
        var handle = scheduler.Register(script.Check with { WarmUp = TimeSpan.FromSeconds(8) }, Local(80), CheckState.Up);
        _time.Advance(TimeSpan.FromSeconds(3.9));
        await Task.Delay(50, Ct);
        Assert.Equal(0, script.Attempts);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        await Runs(scheduler, handle, 1);
        Assert.Equal(TimeSpan.Zero, scheduler.GetStatus(handle).MaxLateness);
    }

    [Fact]
    public async Task A_clock_that_moves_while_the_timer_is_armed_does_not_delay_the_run()
    {
        // The clock moves 3.9 s between the loop's reading of it and its arming of the timer (as
        // when the test thread advances a fake clock while the loop thread is preempted). Counted
        // from the stale reading, the timer would fire at 7.9 s, and the run due at 4 s with it.
        var clock = new MovesWhileArming(_time, TimeSpan.FromSeconds(3.9));
        await using var scheduler = new CheckScheduler(new CheckSchedulerOptions { Time = clock, Random = () => 0.5 });
        var script = new Scripted();
        var handle = scheduler.Register(script.Check with { WarmUp = TimeSpan.FromSeconds(8) }, Local(80), CheckState.Up);
        await WaitUntil(() => clock.Moved, "the timer was armed");
        Assert.Equal(0, script.Attempts);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        await Runs(scheduler, handle, 1);
    }

    private sealed class MovesWhileArming(FakeTimeProvider inner, TimeSpan move) : TimeProvider
    {
        private int _moved;

        public bool Moved => Volatile.Read(ref _moved) == 1;

        public override long GetTimestamp() => inner.GetTimestamp();

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            new Timer(this, inner.CreateTimer(callback, state, dueTime, period));

        // The first time a timer is armed, the clock moves on before the timer takes its delay.
        private void MoveOnce()
        {
            if (Interlocked.Exchange(ref _moved, 1) == 0)
            {
                inner.Advance(move);
            }
        }

        private sealed class Timer(MovesWhileArming clock, ITimer inner) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    clock.MoveOnce();
                }
                return inner.Change(dueTime, period);
            }

            public void Dispose() => inner.Dispose();

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }

    [Fact]
    public async Task Runs_follow_the_schedule_without_drift_and_never_overlap()
    {
        await using var scheduler = Scheduler();
        var script = new Scripted { Gate = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        var handle = scheduler.Register(script.Check, Local(80), CheckState.Up); // due at 0, 10, 20, …

        await WaitUntil(() => script.MaxInFlight == 1, "the first run started");
        _time.Advance(TimeSpan.FromSeconds(25)); // the run overruns two slots
        await Task.Delay(50, Ct);
        Assert.Equal(0, script.Attempts);
        script.Gate.SetResult();
        await Runs(scheduler, handle, 2); // the next one starts at once, due at 20 s, so 5 s late
        Assert.Equal(1, script.MaxInFlight);
        Assert.Equal(TimeSpan.FromSeconds(5), scheduler.GetStatus(handle).MaxLateness);
        Assert.Equal(TimeSpan.FromSeconds(5), scheduler.MaxLateness);

        _time.Advance(TimeSpan.FromSeconds(4.9)); // 29.9 s: not yet due
        await Task.Delay(50, Ct);
        Assert.Equal(2, scheduler.GetStatus(handle).Runs);
        _time.Advance(TimeSpan.FromSeconds(0.1)); // 30 s, the grid of the first run
        await Runs(scheduler, handle, 3);
        Assert.Equal(TimeSpan.FromSeconds(5), scheduler.GetStatus(handle).MaxLateness);
    }

    [Fact]
    public async Task Two_services_checking_one_real_server_the_same_way_share_one_probe()
    {
        await using var scheduler = Scheduler();
        var script = new Scripted();
        var endpoint = new IPEndPoint(IPAddress.Loopback, 80);
        var first = scheduler.Register(script.Check with { Location = new SourceLocation("a.conf", 3) }, At(endpoint, Web), CheckState.Up);
        var second = scheduler.Register(script.Check with { Location = new SourceLocation("b.conf", 9) }, At(endpoint, Api), CheckState.Up);
        Assert.Same(first, second);
        Assert.Equal(1, scheduler.Count);

        await Runs(scheduler, first, 1);
        _time.Advance(Ten);
        await Runs(scheduler, first, 2);
        Assert.Equal(2, script.Attempts); // one probe per interval, not two

        scheduler.Unregister(first);
        Assert.Equal(1, scheduler.Count); // the other service still uses it
        scheduler.Unregister(second);
        Assert.Equal(0, scheduler.Count);
        _time.Advance(Ten);
        await Task.Delay(50, Ct);
        Assert.Equal(2, script.Attempts);
        Assert.Throws<InvalidOperationException>(() => scheduler.Unregister(first));
    }

    [Fact]
    public async Task Equal_checks_are_shared_by_content_but_different_settings_or_endpoints_are_not()
    {
        await using var scheduler = Scheduler(random: 0.999); // registered, never run
        var target = Local(80);
        var http = new HttpCheck { Path = "/health", StatusCodes = [StatusRange.Single(200)], Interval = Ten };
        var same = scheduler.Register(http, target, CheckState.Up);
        Assert.Same(same, scheduler.Register(http with { StatusCodes = [StatusRange.Single(200)] }, target, CheckState.Up));
        Assert.Same(same, scheduler.Register(http with { ConnectTimeout = CheckDefaults.Keepalived.ConnectTimeout }, target, CheckState.Up)); // resolved alike
        Assert.NotSame(same, scheduler.Register(http with { StatusCodes = [StatusRange.Single(204)] }, target, CheckState.Up));
        Assert.NotSame(same, scheduler.Register(http, Local(81), CheckState.Up));
        Assert.NotSame(same, scheduler.Register(http with { Rise = 2 }, target, CheckState.Up));

        var udp = new UdpCheck { Payload = [1, 2], Interval = Ten };
        Assert.Same(scheduler.Register(udp, target, CheckState.Up), scheduler.Register(udp with { Payload = [1, 2] }, target, CheckState.Up));
        var program = new ProgramCheck("/bin/true", "a") { Interval = Ten };
        Assert.Same(scheduler.Register(program, target, CheckState.Up), scheduler.Register(new ProgramCheck("/bin/true", "a") { Interval = Ten }, target, CheckState.Up));
        Assert.NotSame(scheduler.Register(program, target, CheckState.Up), scheduler.Register(new ProgramCheck("/bin/true", "b") { Interval = Ten }, target, CheckState.Up));

        // ICMP never uses the port: the same address on two ports is one check.
        var icmp = new IcmpCheck { Interval = Ten };
        Assert.Same(scheduler.Register(icmp, Local(80), CheckState.Up), scheduler.Register(icmp, Local(443), CheckState.Up));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Delegate_checks_are_shared_only_when_they_are_the_same_delegate()
    {
        await using var scheduler = Scheduler(random: 0.999);
        var holder = new ProbeHolder();
        Func<CheckContext, CancellationToken, ValueTask<bool>> probe = holder.Probe;
        Func<CheckContext, CancellationToken, ValueTask<bool>> twin = holder.Probe;
        Assert.True(probe.Equals(twin)); // equal as delegates (same method and target) …
        var handle = scheduler.Register(new DelegateCheck(probe) { Interval = Ten }, Local(80), CheckState.Up);
        Assert.Same(handle, scheduler.Register(new DelegateCheck(probe) { Interval = Ten }, Local(80), CheckState.Up));
        Assert.NotSame(handle, scheduler.Register(new DelegateCheck(twin) { Interval = Ten }, Local(80), CheckState.Up)); // … but not the same one
        await Task.CompletedTask;
    }

    private sealed class ProbeHolder
    {
        public ValueTask<bool> Probe(CheckContext context, CancellationToken cancellationToken) => ValueTask.FromResult(context is not null);
    }

    [Fact]
    public async Task A_weight_change_is_reported_even_when_the_state_does_not_change()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, "5", Ct);
            await using var scheduler = Scheduler();
            var handle = scheduler.Register(new FileCheck(path) { Interval = Ten, Weight = 2, WarmUp = TimeSpan.Zero }, Local(80), CheckState.Up);
            var first = await NextTransition(scheduler);
            Assert.Equal((CheckState.Up, (int?)10), (first.State, first.Weight));

            _time.Advance(Ten);
            await Runs(scheduler, handle, 2); // the same weight: no transition
            await File.WriteAllTextAsync(path, "7", Ct);
            _time.Advance(Ten);
            var second = await NextTransition(scheduler);
            Assert.Equal((CheckState.Up, (int?)14), (second.State, second.Weight));
            Assert.Equal(3, scheduler.GetStatus(handle).Runs);
            Assert.Equal(14, scheduler.GetStatus(handle).Weight);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Probes_in_flight_never_exceed_the_concurrency_limit()
    {
        await using var scheduler = Scheduler(maxConcurrency: 3);
        var script = new Scripted { Gate = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        var handles = Enumerable.Range(1, 10).Select(port => scheduler.Register(script.Check, Local(port), CheckState.Up)).ToList();
        await WaitUntil(() => script.MaxInFlight == 3, "three probes are in flight");
        await Task.Delay(100, Ct);
        Assert.Equal(3, script.MaxInFlight);
        script.Gate.SetResult();
        foreach (var handle in handles)
        {
            await Runs(scheduler, handle, 1);
        }
        Assert.Equal(3, script.MaxInFlight);
        Assert.Equal(10, script.Attempts);
    }

    [Fact]
    public async Task Unregistering_cancels_the_attempt_in_flight_and_reports_nothing_more()
    {
        await using var scheduler = Scheduler();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var check = new DelegateCheck(async (_, ct) =>
        {
            using var registration = ct.Register(() => cancelled.TrySetResult());
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return true;
        }) { Interval = Ten, WarmUp = TimeSpan.Zero, ConnectTimeout = TimeSpan.FromMinutes(5) };
        var handle = scheduler.Register(check, Local(80), CheckState.Up);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        scheduler.Unregister(handle);
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.False(scheduler.Transitions.TryRead(out _));
        Assert.Equal(0, scheduler.GetStatus(handle).Runs);
    }

    [Fact]
    public async Task Disposing_stops_every_check_and_completes_the_transitions()
    {
        var scheduler = Scheduler();
        var script = new Scripted { Gate = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        scheduler.Register(script.Check, Local(80), CheckState.Up);
        await WaitUntil(() => script.MaxInFlight == 1, "the run started");
        await scheduler.DisposeAsync();
        await scheduler.Transitions.Completion.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Throws<ObjectDisposedException>(() => scheduler.Register(script.Check, Local(81), CheckState.Up));
    }

    [Fact]
    public async Task Handles_have_readable_ids_made_unique_among_running_checks()
    {
        await using var scheduler = Scheduler(random: 0.999);
        var target = At(new IPEndPoint(IPAddress.Parse("10.0.0.2"), 80));
        var health = scheduler.Register(new HttpCheck { Path = "/health", Interval = Ten }, target, CheckState.Up);
        Assert.Equal("http 10.0.0.2:80 /health", health.Id);
        var other = scheduler.Register(new HttpCheck { Path = "/health", StatusCodes = [StatusRange.Single(200)], Interval = Ten }, target, CheckState.Up);
        Assert.Equal("http 10.0.0.2:80 /health #2", other.Id);
        Assert.Equal("icmp 10.0.0.2", scheduler.Register(new IcmpCheck { Interval = Ten }, target, CheckState.Up).Id);
        Assert.Equal("dns 10.0.0.2:80 SOA .", scheduler.Register(new DnsCheck { Type = DnsRecordType.Soa, Interval = Ten }, target, CheckState.Up).Id);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_check_with_a_non_positive_interval_is_refused()
    {
        await using var scheduler = Scheduler();
        Assert.Throws<ArgumentException>(() => scheduler.Register(new TcpCheck { Interval = TimeSpan.Zero }, Local(80), CheckState.Up));
    }
}
