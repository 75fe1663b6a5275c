namespace Ipvs.Tests.Support;

/// <summary>One netlink message a client sent.</summary>
internal sealed record SentMessage(ushort Type, ushort Flags, uint Sequence, byte Command, byte[] Header, byte[] Attributes)
{
    public bool Ack => (Flags & NetlinkConstants.NLM_F_ACK) != 0;

    public bool IsIpvs => Type == FakeKernel.FamilyId;
}

/// <summary>One datagram a client sent.</summary>
internal sealed record SentDatagram(byte[] Bytes, IReadOnlyList<SentMessage> Messages);

/// <summary>
/// A scripted in-memory kernel behind <see cref="INetlinkTransport"/>: it resolves the IPVS family,
/// keeps a services/destinations/daemons/timeouts table with the errno rules of ip_vs_ctl.c (6.1),
/// answers like the kernel (replies queued during the send, one datagram per reply, dumps in
/// chunks ended by NLMSG_DONE, an ACK only when NLM_F_ACK is set, errors always), and can be told
/// to misbehave: hold replies (timeouts), inject stale replies, overflow the receive queue
/// (ENOBUFS), split dumps, flag a dump NLM_F_DUMP_INTR, or block inside a send.
/// Unit tests only: kernel behaviour itself is proven in the kernel lab.
/// </summary>
internal sealed partial class FakeKernel : INetlinkTransport
{
    public const ushort FamilyId = 0x2a;

    private static readonly HashSet<string> KnownSchedulers = [.. Scheduler.BuiltIn, "none"];

    private readonly Lock _lock = new();
    private readonly Queue<byte[]> _queue = new();
    private readonly SemaphoreSlim _ready = new(0);
    private readonly List<byte[]> _held = [];
    private readonly List<SentDatagram> _sent = [];
    private readonly List<FakeService> _services = [];
    private readonly FakeDaemon?[] _daemons = new FakeDaemon?[3];
    private TimeSpan _timeout = TimeSpan.FromSeconds(5);
    private int _overflowCountdown = -1;
    private uint _tcp = 900, _tcpFin = 120, _udp = 300;

    public int SendBufferSize { get; set; } = 4 << 20;

    public int ReceiveBufferSize { get; set; } = 4 << 20;

    public TimeSpan ReceiveTimeout
    {
        get => _timeout;
        set => _timeout = value;
    }

    /// <summary>When false, CTRL_CMD_GETFAMILY("IPVS") fails with ENOENT, as without ip_vs.</summary>
    public bool FamilyAvailable { get; set; } = true;

    /// <summary>Replies are kept back (the client times out) until <see cref="ReleaseHeld"/>.</summary>
    public bool HoldReplies { get; set; }

    /// <summary>Before the replies to the next send, queue replies carrying old sequence numbers.</summary>
    public bool InjectStaleReplies { get; set; }

    /// <summary>Dump entries per datagram; NLMSG_DONE comes in a datagram of its own, as netlink_dump sends it.</summary>
    public int DumpEntriesPerDatagram { get; set; } = int.MaxValue;

    /// <summary>The next dumps (this many) are flagged NLM_F_DUMP_INTR and carry a bogus extra entry.</summary>
    public int InterruptNextDumps { get; set; }

    /// <summary>
    /// How many of the next service dumps leave out their first service, as a dump resumed by
    /// position does when another namespace deletes a service between two chunks.
    /// </summary>
    public int MissInNextServiceDumps { get; set; }

    /// <summary>
    /// How many of the next service dumps send their first service a second time, at the end, as
    /// a dump resumed by position does when another namespace adds a service between two chunks.
    /// </summary>
    public int RepeatInNextServiceDumps { get; set; }

    /// <summary>
    /// How many of the next destination dumps leave out their first destination, as a dump resumed
    /// by position does when a destination is deleted between two chunks.
    /// </summary>
    public int MissInNextDestinationDumps { get; set; }

    /// <summary>
    /// How many of the next destination dumps send their last destination a second time, in a
    /// chunk of its own, as the kernel does when a destination is added (at the head of the list)
    /// between the chunk with every entry and the call that ends the dump.
    /// </summary>
    public int RepeatInNextDestinationDumps { get; set; }

    /// <summary>Extended-ACK text attached to every error reply.</summary>
    public string? ExtAckText { get; set; }

    /// <summary>The next IPVS requests (this many) fail with <see cref="FailWith"/>, as without CAP_NET_ADMIN.</summary>
    public int FailNext { get; set; }

    /// <summary>The errno for <see cref="FailNext"/>; EPERM by default.</summary>
    public int FailWith { get; set; } = Errno.EPERM;

    /// <summary>
    /// Time each send takes, as a real sendmsg does while the kernel runs the requests; other callers
    /// queue up meanwhile even when the test host's cores are busy with other tests.
    /// </summary>
    public TimeSpan SendDelay { get; set; }

    /// <summary>When set, every send first takes one permit: lets a test hold a particular send.</summary>
    public SemaphoreSlim? SendPermits { get; set; }

    /// <summary>Set to block every send until it is set again.</summary>
    public ManualResetEventSlim SendGate { get; } = new(true);

    /// <summary>Released once each time a send begins.</summary>
    public SemaphoreSlim SendEntered { get; } = new(0);

    public bool Disposed { get; private set; }

    public int Receives { get; private set; }

    public int Dumps { get; private set; }

    /// <summary>Everything sent, in order, including the family resolution and fences.</summary>
    public IReadOnlyList<SentDatagram> Sent
    {
        get
        {
            lock (_lock)
            {
                return [.. _sent];
            }
        }
    }

    /// <summary>Datagrams that carried IPVS requests.</summary>
    public IReadOnlyList<SentDatagram> IpvsSends => [.. Sent.Where(d => d.Messages.Any(m => m.IsIpvs))];

    public IReadOnlyList<SentMessage> IpvsMessages => [.. Sent.SelectMany(d => d.Messages).Where(m => m.IsIpvs)];

    public int ServiceCount
    {
        get
        {
            lock (_lock)
            {
                return _services.Count;
            }
        }
    }

    /// <summary>The destinations' "addr:port" strings of a service, in kernel order; null when no such service.</summary>
    public IReadOnlyList<string>? DestinationsOf(ServiceKey key)
    {
        lock (_lock)
        {
            var s = _services.FirstOrDefault(x => x.Matches(Identity.From(key)));
            return s?.Destinations.Select(d => Endpoints(d)).ToList();
        }
    }

    /// <summary>Makes a receive fail with ENOBUFS (dropping everything queued) after this many datagrams were received.</summary>
    public void OverflowAfter(int datagrams)
    {
        lock (_lock)
        {
            _overflowCountdown = datagrams;
        }
    }

    /// <summary>Delivers the replies held back while <see cref="HoldReplies"/> was set: late replies.</summary>
    public void ReleaseHeld()
    {
        lock (_lock)
        {
            foreach (var d in _held)
            {
                Enqueue(d);
            }
            _held.Clear();
        }
    }

    public void Send(ReadOnlySpan<byte> datagram)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        SendEntered.Release();
        SendGate.Wait();
        SendPermits?.Wait();
        if (SendDelay > TimeSpan.Zero)
        {
            Thread.Sleep(SendDelay);
        }
        var bytes = datagram.ToArray();
        var messages = new List<SentMessage>();
        var reader = new NetlinkMessageReader(bytes);
        while (reader.MoveNext())
        {
            var h = reader.Header;
            var p = reader.Payload;
            bool genl = h.Type >= NetlinkConstants.GENL_ID_CTRL && p.Length >= 4;
            messages.Add(new SentMessage(h.Type, h.Flags, h.Sequence, genl ? p[0] : (byte)0, HeaderBytes(h), genl ? p[4..].ToArray() : p.ToArray()));
        }
        lock (_lock)
        {
            _sent.Add(new SentDatagram(bytes, messages));
            var replies = new List<byte[]>();
            foreach (var m in messages)
            {
                Handle(m, replies);
            }
            if (HoldReplies)
            {
                _held.AddRange(replies);
                return;
            }
            if (InjectStaleReplies && messages.Count > 0)
            {
                InjectStaleReplies = false;
                uint s = messages[0].Sequence;
                Enqueue(Nla.Error(s - 7, Errno.EEXIST));
                Enqueue(Nla.Error(s - 3, 0));
                Enqueue(Nla.Genl(FamilyId, 0, s - 5, (byte)IpvsCommand.NewService,
                    Nla.Nest(IpvsWire.CmdAttrService, Identity.From(ServiceKey.Parse("tcp:192.0.2.99:9")).Encode())));
                Enqueue(Nla.Done(s - 2));
            }
            foreach (var r in replies)
            {
                Enqueue(r);
            }
        }
    }

    public int Receive(Span<byte> buffer)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(Disposed, this);
            Receives++;
            if (_overflowCountdown == 0)
            {
                _overflowCountdown = -1;
                _queue.Clear();
                while (_ready.Wait(0))
                {
                }
                throw new NetlinkException("receive", Errno.ENOBUFS, "netlink receive failed: No buffer space available");
            }
            if (_overflowCountdown > 0)
            {
                _overflowCountdown--;
            }
        }
        if (!_ready.Wait(_timeout))
        {
            return -1;
        }
        lock (_lock)
        {
            var d = _queue.Dequeue();
            d.CopyTo(buffer);
            return d.Length;
        }
    }

    public void Dispose()
    {
        Disposed = true;
        SendGate.Set();
    }

    private void Enqueue(byte[] datagram)
    {
        _queue.Enqueue(datagram);
        _ready.Release();
    }

    private static byte[] HeaderBytes(NetlinkHeader h)
    {
        var b = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(b, h.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(4), h.Type);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(6), h.Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), h.Sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), h.PortId);
        return b;
    }
}
