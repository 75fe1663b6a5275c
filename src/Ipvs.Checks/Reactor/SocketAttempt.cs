using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;
using Ipvs.Checks.Probes;
using Ipvs.Checks.Probes.Http;

namespace Ipvs.Checks.Reactor;

/// <summary>
/// One attempt of a plain HTTP or TCP check, driven by the reactor thread alone: a nonblocking
/// socket (optionally bound), connect, then for HTTP one send of the cached request and reads
/// into the reactor's buffer, each parsed at once, until the verdict is known; then close. Every
/// step but the start and a cancellation runs on the reactor thread, so the attempt's state needs
/// no lock. It is its own awaitable (one allocation per attempt); a scheduled check's continuation
/// runs inline on the reactor thread (it only records the result and re-queues the check), a
/// one-off probe's on the thread pool.
/// </summary>
internal sealed unsafe class SocketAttempt : IValueTaskSource<ProbeResult>
{
    private readonly SocketPlan _plan;
    private readonly CancellationToken _token;
    private ManualResetValueTaskSourceCore<ProbeResult> _core;
    private CancellationTokenRegistration _registration;
    private HttpReplyParser? _parser;
    private State _state = State.Queued;
    private int _sent;
    private int _drained;
    private bool _readEdge;
    private bool _hangupEdge;

    public SocketAttempt(SocketPlan plan, CancellationToken token, bool inline)
    {
        _plan = plan;
        _token = token;
        _core.RunContinuationsAsynchronously = !inline;
    }

    private enum State
    {
        Queued,
        Connecting,
        Sending,
        Reading,
        Draining,
        Closed,
    }

    /// <summary>The socket, or −1.</summary>
    public int Fd { get; private set; } = -1;

    /// <summary>The reactor's slot of this attempt while its socket is watched, else −1.</summary>
    public int Slot { get; set; } = -1;

    /// <summary>When the current phase runs out (Stopwatch ticks); long.MaxValue for none.</summary>
    public long Deadline { get; private set; } = long.MaxValue;

    public long Started { get; private set; }

    public bool Finished => _state == State.Closed;

    public ValueTask<ProbeResult> Task => new(this, _core.Version);

    /// <summary>Arms cancellation; from the caller's thread, before the attempt is handed to the reactor.</summary>
    public void Arm(CheckReactor reactor)
    {
        if (_token.CanBeCanceled)
        {
            _registration = _token.UnsafeRegister(static (state, _) =>
            {
                var (r, a) = ((CheckReactor, SocketAttempt))state!;
                r.Cancel(a);
            }, (reactor, this));
        }
    }

    /// <summary>Opens the socket and starts connecting (on the reactor thread).</summary>
    public void Start(CheckReactor reactor, long now)
    {
        Started = now;
        if (_state != State.Queued)
        {
            return; // cancelled before it started
        }
        if (_token.IsCancellationRequested)
        {
            Cancelled(reactor);
            return;
        }
        if (_plan.Invalid is { } invalid)
        {
            Fail(reactor, invalid);
            return;
        }
        int fd = Libc.socket(_plan.Family, Libc.SOCK_STREAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            Fail(reactor, $"socket: {Words.Errno(Marshal.GetLastPInvokeError())}");
            return;
        }
        Fd = fd;
        if (_plan.Bind is { } bind)
        {
            fixed (byte* sa = bind)
            {
                if (Libc.bind(fd, sa, bind.Length) != 0)
                {
                    Fail(reactor, $"bind {_plan.BindAddress}: {Words.Errno(Marshal.GetLastPInvokeError())}");
                    return;
                }
            }
        }
        int result;
        fixed (byte* sa = _plan.Address)
        {
            result = Libc.connect(fd, sa, _plan.Address.Length);
        }
        int errno = result == 0 ? 0 : Marshal.GetLastPInvokeError();
        if (result != 0 && errno != Libc.EINPROGRESS)
        {
            Fail(reactor, $"connect: {Words.Errno(errno)}");
            return;
        }
        // Edge-triggered for reading and writing at once: one epoll_ctl per attempt, never a modify.
        if (!reactor.Watch(this))
        {
            Fail(reactor, $"epoll: {Words.Errno(Marshal.GetLastPInvokeError())}");
            return;
        }
        _state = State.Connecting;
        Deadline = now + _plan.ConnectTicks;
        reactor.AddDeadline(this);
        if (result == 0)
        {
            Connected(reactor, now, readable: false, hangup: false);
        }
    }

    /// <summary>An epoll event for this socket.</summary>
    public void OnEvent(CheckReactor reactor, uint events, long now)
    {
        bool readable = (events & (Libc.EPOLLIN | Libc.EPOLLRDHUP | Libc.EPOLLHUP | Libc.EPOLLERR)) != 0;
        // The peer finished sending (a FIN). A reset also raises RDHUP and HUP, with ERR: then what
        // was queued before it is not the end of the reply, and the recv after it reports the reset.
        bool hangup = (events & (Libc.EPOLLRDHUP | Libc.EPOLLHUP)) != 0 && (events & Libc.EPOLLERR) == 0;
        switch (_state)
        {
            case State.Connecting:
                if ((events & (Libc.EPOLLERR | Libc.EPOLLHUP)) != 0)
                {
                    // A failed connect reports ERR|HUP; the reason is the socket's pending error.
                    // (A successful one reports OUT alone, so success costs no getsockopt.)
                    int error = 0;
                    int length = sizeof(int);
                    Libc.getsockopt(Fd, Libc.SOL_SOCKET, Libc.SO_ERROR, &error, &length);
                    if (error != 0 || (events & Libc.EPOLLOUT) == 0)
                    {
                        Fail(reactor, $"connect: {Words.Errno(error != 0 ? error : 104)}");
                        return;
                    }
                }
                if ((events & Libc.EPOLLOUT) != 0)
                {
                    Connected(reactor, now, readable, hangup);
                }
                return;
            case State.Sending:
                // An early reply (or a reset) while the request is still going out: remembered, as
                // an edge-triggered socket will not say it again; read once the request is sent.
                _readEdge |= readable;
                _hangupEdge |= hangup;
                if ((events & (Libc.EPOLLOUT | Libc.EPOLLERR | Libc.EPOLLHUP)) != 0)
                {
                    Send(reactor, now, _readEdge, _hangupEdge);
                }
                return;
            case State.Reading:
                if (readable)
                {
                    Read(reactor, hangup);
                }
                return;
            case State.Draining:
                if (readable)
                {
                    Drain(reactor, hangup);
                }
                return;
        }
    }

    /// <summary>The current phase ran out of time.</summary>
    public void OnDeadline(CheckReactor reactor)
    {
        switch (_state)
        {
            case State.Connecting:
                Fail(reactor, $"connect: timeout after {Words.Seconds(_plan.ConnectTimeout)}");
                return;
            case State.Sending or State.Reading:
                Fail(reactor, $"timeout after {Words.Seconds(_plan.ReadTimeout)} reading the reply");
                return;
            case State.Draining:
                Close(reactor);
                return;
        }
    }

    /// <summary>The caller's token fired (on the reactor thread).</summary>
    public void OnCancel(CheckReactor reactor)
    {
        if (_state is State.Queued or State.Connecting or State.Sending or State.Reading)
        {
            Cancelled(reactor);
        }
    }

    /// <summary>
    /// Handling this attempt threw (a bug, or a platform without MD5): it fails with the exception,
    /// as an exception in a stream prober fails only that attempt; its socket is closed.
    /// </summary>
    public void Crash(CheckReactor reactor, Exception e)
    {
        if (_core.GetStatus(_core.Version) == ValueTaskSourceStatus.Pending)
        {
            Fail(reactor, $"{e.GetType().Name}: {e.Message}");
        }
        else
        {
            Close(reactor); // reported already (draining, or a throw after the result was set)
        }
    }

    private void Connected(CheckReactor reactor, long now, bool readable, bool hangup)
    {
        if (_plan.Request is null)
        {
            Complete(reactor, passed: true, error: null); // TCP_CHECK: the connection opened
            return;
        }
        _state = State.Sending;
        Deadline = now + _plan.ReadTicks;
        reactor.AddDeadline(this);
        // Kept like an edge seen while sending: a request that does not fit the send buffer at
        // once must not lose the read edge that came with the connect.
        _readEdge = readable;
        _hangupEdge = hangup;
        Send(reactor, now, readable, hangup);
    }

    private void Send(CheckReactor reactor, long now, bool readable, bool hangup)
    {
        var request = _plan.Request!;
        while (_sent < request.Length)
        {
            nint sent;
            fixed (byte* p = request)
            {
                sent = Libc.send(Fd, p + _sent, request.Length - _sent, Libc.MSG_NOSIGNAL);
            }
            if (sent < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EAGAIN)
                {
                    return; // the next EPOLLOUT edge continues
                }
                if (errno == Libc.EINTR)
                {
                    continue;
                }
                Fail(reactor, $"send: {Words.Errno(errno)}");
                return;
            }
            _sent += (int)sent;
        }
        _state = State.Reading;
        _parser = new HttpReplyParser(_plan.Http!, _plan.MaxBodyBytes);
        if (readable)
        {
            Read(reactor, hangup);
        }
    }

    private void Read(CheckReactor reactor, bool hangup)
    {
        var buffer = reactor.Buffer;
        while (true)
        {
            nint received = Receive(buffer, out int errno);
            if (received < 0)
            {
                if (errno != Libc.EAGAIN)
                {
                    Fail(reactor, $"read: {Words.Lower(Libc.Message(errno))}");
                }
                return;
            }
            if (received == 0)
            {
                var end = _parser!.Finish();
                Complete(reactor, end.Passed, end.Error);
                return;
            }
            bool decided = _parser!.Feed(buffer.AsSpan(0, (int)received));
            // A short read emptied the socket's queue; with the peer's FIN seen (RDHUP) nothing more
            // can come, so that is the end of the reply without another recv.
            bool drained = received < buffer.Length;
            if (drained && hangup && !decided)
            {
                var end = _parser.Finish();
                Complete(reactor, end.Passed, end.Error);
                return;
            }
            if (decided)
            {
                var verdict = _parser.Verdict!.Value;
                if (drained)
                {
                    // Nothing unread in the queue: closing now sends a FIN, not a reset.
                    Complete(reactor, verdict.Passed, verdict.Error);
                }
                else
                {
                    // More of a large reply is queued: report now, read the rest briefly so the
                    // close does not reset the connection (a server would log that as an error).
                    Report(reactor, verdict.Passed, verdict.Error);
                    _state = State.Draining;
                    Deadline = reactor.Now + Math.Min(_plan.ReadTicks, Stopwatch.Frequency);
                    reactor.AddDeadline(this);
                    Drain(reactor, hangup);
                }
                return;
            }
        }
    }

    private void Drain(CheckReactor reactor, bool hangup)
    {
        var buffer = reactor.Buffer;
        while (true)
        {
            nint received = Receive(buffer, out int errno);
            if (received < 0 ? errno != Libc.EAGAIN : received == 0)
            {
                Close(reactor);
                return;
            }
            if (received < 0)
            {
                return;
            }
            _drained += (int)received;
            if ((received < buffer.Length && hangup) || _drained > 4 * buffer.Length)
            {
                Close(reactor); // the end, or more than a check should read for nothing
                return;
            }
        }
    }

    /// <summary>One recv into the reactor's buffer, retried when a signal interrupts it; -1 with errno otherwise.</summary>
    private nint Receive(byte[] buffer, out int errno)
    {
        while (true)
        {
            nint received;
            fixed (byte* p = buffer)
            {
                received = Libc.recv(Fd, p, buffer.Length, 0);
            }
            errno = received < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (errno != Libc.EINTR)
            {
                return received;
            }
        }
    }

    private void Cancelled(CheckReactor reactor)
    {
        _registration.Unregister();
        Close(reactor);
        _parser?.Dispose(); // its pooled buffers and MD5 state, as Report does
        _parser = null;
        _core.SetException(new OperationCanceledException(_token));
    }

    private void Fail(CheckReactor reactor, string error) => Complete(reactor, passed: false, error);

    private void Complete(CheckReactor reactor, bool passed, string? error)
    {
        Close(reactor);
        Report(reactor, passed, error);
    }

    private void Report(CheckReactor reactor, bool passed, string? error)
    {
        _registration.Unregister();
        _parser?.Dispose();
        _parser = null;
        long elapsed = Math.Max(1, reactor.Now - Started);
        var latency = TimeSpan.FromTicks(Math.Max(1, (long)(elapsed * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency))));
        _core.SetResult(new ProbeResult(passed, latency, error, null));
    }

    private void Close(CheckReactor reactor)
    {
        if (_state == State.Closed)
        {
            return;
        }
        _state = State.Closed;
        Deadline = long.MaxValue;
        if (Fd >= 0)
        {
            // close() also takes the socket out of the epoll set: no EPOLL_CTL_DEL needed.
            Libc.close(Fd);
            Fd = -1;
        }
        reactor.Forget(this);
    }

    ProbeResult IValueTaskSource<ProbeResult>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<ProbeResult>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<ProbeResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
