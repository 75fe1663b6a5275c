using System.Security.Cryptography;
using System.Threading.Channels;
using Ipvs.Checks.Reactor;
using static Ipvs.ChecksTests.Support.Targets;

namespace Ipvs.ChecksTests;

/// <summary>
/// Plain HTTP and TCP attempts on the check reactor (epoll, Linux) against local listeners, and a
/// scheduler on the system clock, whose due times the reactor serves.
/// </summary>
public sealed class ReactorTests
{
    /// <summary>A server that reads the request head, then writes <paramref name="pieces"/> with a pause between them and closes.</summary>
    private static TcpResponder Raw(params string[] pieces) => new(async (stream, ct) =>
    {
        await ReadHeadAsync(stream, ct);
        foreach (var piece in pieces)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(piece), ct);
            await stream.FlushAsync(ct);
            await Task.Delay(30, ct);
        }
    });

    private static async Task ReadHeadAsync(Stream stream, CancellationToken ct)
    {
        var seen = new List<byte>();
        var one = new byte[1];
        while (!(seen.Count >= 4 && seen[^4] == '\r' && seen[^3] == '\n' && seen[^2] == '\r' && seen[^1] == '\n')
            && await stream.ReadAsync(one, ct) == 1)
        {
            seen.Add(one[0]);
        }
    }

    [Fact]
    public void Plain_http_and_tcp_checks_run_on_the_reactor_on_linux()
    {
        Assert.Equal(OperatingSystem.IsLinux(), CheckReactor.Shared is not null);
        Assert.True(SocketPlan.Handles(new HttpCheck()));
        Assert.True(SocketPlan.Handles(new TcpCheck()));
        Assert.False(SocketPlan.Handles(new HttpCheck { UseTls = true })); // TLS needs a stream
    }

    [Fact]
    public async Task A_chunked_reply_written_in_pieces_is_read_across_many_reads()
    {
        await using var server = Raw(
            "HTTP/1.1 200 OK\r\nTransfer-",
            "Encoding: chunked\r\n\r\n5\r\nhel",
            "lo\r\n6\r\n world\r\n",
            "0\r\n\r\n");
        var regex = await ProbeAsync(new HttpCheck { BodyRegex = "^hello world$" }, At(server.Endpoint));
        Assert.True(regex.Passed, regex.Error);
        var digest = await ProbeAsync(new HttpCheck { BodyDigest = Convert.ToHexString(MD5.HashData("hello world"u8)) }, At(server.Endpoint));
        Assert.True(digest.Passed, digest.Error);
    }

    [Fact]
    public async Task A_close_delimited_http_1_0_body_is_judged_when_the_server_closes()
    {
        await using var server = Raw("HTTP/1.0 200 OK\r\n\r\nstatus: ", "green");
        var result = await ProbeAsync(new HttpCheck { BodyRegex = "status: green$" }, At(server.Endpoint));
        Assert.True(result.Passed, result.Error);
    }

    [Fact]
    public async Task A_close_delimited_body_cut_by_a_reset_fails_instead_of_being_judged_as_whole()
    {
        // The part of the body that came matches the regex; the reset says it is not the whole body.
        await using var server = new TcpResponder(async (stream, ct) =>
        {
            await ReadHeadAsync(stream, ct);
            await stream.WriteAsync("HTTP/1.0 200 OK\r\n\r\nstatus: gre"u8.ToArray(), ct);
            var socket = ((NetworkStream)stream).Socket;
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        });
        // Often enough that the data and the reset reach the reactor in one wake-up.
        for (int i = 0; i < 20; i++)
        {
            var result = await ProbeAsync(new HttpCheck { BodyRegex = "status: gre" }, At(server.Endpoint));
            Assert.False(result.Passed, $"attempt {i}: a body cut by a reset passed");
            Assert.Equal("read: connection reset by peer", result.Error);
        }
    }

    [Fact]
    public async Task A_reply_cut_short_by_the_server_fails_saying_so()
    {
        await using var server = Raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this");
        var result = await ProbeAsync(new HttpCheck { BodyRegex = "this" }, At(server.Endpoint));
        Assert.Equal("the server closed the connection without a complete reply", result.Error);
    }

    [Fact]
    public async Task A_large_body_without_a_body_check_passes_on_the_status()
    {
        await using var server = new HttpResponder(200, new string('z', 300_000));
        var result = await ProbeAsync(new HttpCheck(), At(server.Endpoint));
        Assert.True(result.Passed, result.Error);
    }

    [Fact]
    public async Task A_connect_timeout_and_a_read_timeout_are_told_apart()
    {
        using var silent = new FullListener();
        await using var hang = new HttpResponder { Hang = true };
        await Task.Delay(100, Ct);
        var check = new HttpCheck { ConnectTimeout = TimeSpan.FromMilliseconds(200), ReadTimeout = TimeSpan.FromMilliseconds(400) };
        var both = await Task.WhenAll(ProbeAsync(check, At(silent.Endpoint)).AsTask(), ProbeAsync(check, At(hang.Endpoint)).AsTask());
        Assert.Equal("connect: timeout after 0.2 s", both[0].Error);
        Assert.Equal("timeout after 0.4 s reading the reply", both[1].Error);
        Assert.True(both[1].Latency >= TimeSpan.FromMilliseconds(350), $"gave up after {both[1].Latency}");
    }

    [Fact]
    public async Task A_thousand_concurrent_checks_all_get_their_answer()
    {
        await using var ok = new HttpResponder(200, "fine");
        await using var bad = new HttpResponder(500);
        using var closed = ClosedPort();
        var checks = Enumerable.Range(0, 1000).Select(i => (i % 3) switch
        {
            0 => ProbeAsync(new HttpCheck { Path = $"/{i}", BodyRegex = "fine" }, At(ok.Endpoint)).AsTask(),
            1 => ProbeAsync(new HttpCheck { Path = $"/{i}" }, At(bad.Endpoint)).AsTask(),
            _ => ProbeAsync(new TcpCheck(), At((IPEndPoint)closed.LocalEndPoint!)).AsTask(),
        }).ToArray();
        var results = await Task.WhenAll(checks);
        for (int i = 0; i < results.Length; i++)
        {
            string? expected = (i % 3) switch { 0 => null, 1 => "status 500 not in 200-299", _ => "connect: connection refused" };
            Assert.Equal(expected, results[i].Error);
        }
    }

    [Fact]
    public async Task A_tcp_check_connects_from_its_bind_address()
    {
        await using var server = new TcpResponder((_, _) => Task.CompletedTask);
        var result = await ProbeAsync(new TcpCheck { BindAddress = IPAddress.Parse("127.0.0.3") }, At(server.Endpoint));
        Assert.True(result.Passed, result.Error);
        await WaitUntil(() => !server.Peers.IsEmpty, "the server accepted the connection"); // the check does not wait for that
        Assert.Equal(IPAddress.Parse("127.0.0.3"), Assert.Single(server.Peers).Address);
    }

    [Fact]
    public async Task Http_and_tcp_checks_work_over_ipv6_loopback()
    {
        var listener = new TcpListener(IPAddress.IPv6Loopback, 0);
        listener.Start();
        try
        {
            var endpoint = (IPEndPoint)listener.LocalEndpoint;
            var serving = Task.Run(async () =>
            {
                for (int i = 0; i < 2; i++)
                {
                    using var client = await listener.AcceptTcpClientAsync(Ct);
                    var stream = client.GetStream();
                    if (i == 1)
                    {
                        await ReadHeadAsync(stream, Ct);
                        await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nv6"u8.ToArray(), Ct);
                    }
                }
            }, Ct);
            var tcp = await ProbeAsync(new TcpCheck(), At(endpoint));
            Assert.True(tcp.Passed, tcp.Error);
            var http = await ProbeAsync(new HttpCheck { BodyRegex = "^v6$", BindAddress = IPAddress.IPv6Loopback }, At(endpoint));
            Assert.True(http.Passed, http.Error);
            await serving;
        }
        finally
        {
            listener.Stop();
        }
        using var closed = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        var refused = await ProbeAsync(new HttpCheck(), At((IPEndPoint)closed.LocalEndPoint!));
        Assert.Equal("connect: connection refused", refused.Error);
    }

    [Fact]
    public async Task A_cancelled_attempt_throws_and_leaves_no_connection()
    {
        await using var hang = new HttpResponder { Hang = true };
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var attempt = Prober.ProbeAsync(new HttpCheck(), At(hang.Endpoint), CheckDefaults.Keepalived, cancel.Token).AsTask();
        await WaitUntil(() => !hang.Requests.IsEmpty, "the request arrived");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => attempt);
    }

    [Fact]
    public async Task A_scheduler_on_the_system_clock_runs_checks_through_the_reactor_and_reports_transitions()
    {
        await using var server = new HttpResponder(200, "ok");
        var completed = Channel.CreateUnbounded<ProbeResult>();
        await using var scheduler = new CheckScheduler(new CheckSchedulerOptions { ProbeCompleted = (_, r) => completed.Writer.TryWrite(r) });
        var check = new HttpCheck { Interval = TimeSpan.FromMilliseconds(50), WarmUp = TimeSpan.Zero, Retries = 0, Fall = 2, Rise = 1 };
        var handle = scheduler.Register(check, At(server.Endpoint), CheckState.Up);
        await WaitUntil(() => scheduler.GetStatus(handle).Runs >= 3, "three runs");
        Assert.Equal((CheckState.Up, 0L), (scheduler.GetStatus(handle).State, scheduler.GetStatus(handle).Failures));

        server.Reply = (503, "down"u8.ToArray());
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var down = await scheduler.Transitions.ReadAsync(timeout.Token);
        Assert.Equal((CheckState.Down, "status 503 not in 200-299"), (down.State, down.Last.Error));
        server.Reply = (200, "ok"u8.ToArray());
        var up = await scheduler.Transitions.ReadAsync(timeout.Token);
        Assert.Equal(CheckState.Up, up.State);
        var status = scheduler.GetStatus(handle);
        Assert.NotNull(status.LastRun);
        Assert.InRange(status.LastRun!.Value, DateTimeOffset.UtcNow.AddSeconds(-10), DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task Unregistering_stops_an_attempt_in_flight_on_the_reactor()
    {
        await using var hang = new HttpResponder { Hang = true };
        await using var scheduler = new CheckScheduler(new CheckSchedulerOptions());
        var check = new HttpCheck { Interval = TimeSpan.FromSeconds(30), WarmUp = TimeSpan.Zero, ReadTimeout = TimeSpan.FromSeconds(30) };
        var handle = scheduler.Register(check, At(hang.Endpoint), CheckState.Up);
        await WaitUntil(() => !hang.Requests.IsEmpty, "the request arrived");
        scheduler.Unregister(handle);
        var disposing = scheduler.DisposeAsync().AsTask();
        Assert.Same(disposing, await Task.WhenAny(disposing, Task.Delay(TimeSpan.FromSeconds(10), Ct)));
        Assert.Equal(0, scheduler.GetStatus(handle).Runs); // cancelled, not counted
    }

    /// <summary>A ticker that is always due (long ago: long.MinValue, as an overflowed due time) and throws on every turn, as a bug in one scheduler would.</summary>
    private sealed class ThrowingTicker : IReactorTicker
    {
        public long NextDue => long.MinValue;

        public void Tick(long now) => throw new InvalidOperationException("a broken ticker");
    }

    [Fact]
    public async Task A_ticker_that_throws_does_not_stop_the_reactor_serving_the_others()
    {
        // One try/catch around the whole loop turn made a throw skip everything after it in that
        // turn: the other tickers (their checks never ran) and the rest of the epoll batch
        // (edge-triggered events, never repeated: those attempts timed out). And a due time of
        // long.MinValue wrapped the loop's sleep to a huge or endless one.
        var reactor = CheckReactor.Shared;
        Assert.NotNull(reactor); // Linux: see Plain_http_and_tcp_checks_run_on_the_reactor_on_linux
        await using var server = new HttpResponder(200, "ok");
        var broken = new ThrowingTicker();
        reactor.AddTicker(broken); // before the scheduler's: it comes first in every turn
        try
        {
            await using var scheduler = new CheckScheduler(new CheckSchedulerOptions());
            var handle = scheduler.Register(new HttpCheck { Interval = TimeSpan.FromMilliseconds(50), WarmUp = TimeSpan.Zero }, At(server.Endpoint), CheckState.Up);
            await WaitUntil(() => scheduler.GetStatus(handle).Runs >= 2, $"the healthy scheduler's check ran twice");
            Assert.Equal(0L, scheduler.GetStatus(handle).Failures);
        }
        finally
        {
            reactor.RemoveTicker(broken);
        }
    }

    // Due checks beyond the free slots stay queued and start as runs end: with a single slot every
    // run's end must hand the slot on, or the held checks would never run again.
    [Theory]
    [InlineData(300, 64, 200)]
    [InlineData(20, 1, 100)]
    public async Task Many_checks_on_the_system_clock_all_run_at_their_interval_through_the_free_slots(int checks, int slots, int intervalMs)
    {
        await using var server = new HttpResponder(200, "ok");
        await using var scheduler = new CheckScheduler(new CheckSchedulerOptions { MaxConcurrency = slots });
        var handles = Enumerable.Range(0, checks)
            .Select(i => scheduler.Register(new HttpCheck { Path = $"/{i}", Interval = TimeSpan.FromMilliseconds(intervalMs) }, At(server.Endpoint), CheckState.Up))
            .ToArray();
        Assert.Equal(checks, scheduler.Count);
        await WaitUntil(() => handles.All(h => scheduler.GetStatus(h).Runs >= 3), $"every one of {checks} checks ran three times through {slots} slot(s)");
        Assert.All(handles, h => Assert.Equal(0L, scheduler.GetStatus(h).Failures));
    }
}
