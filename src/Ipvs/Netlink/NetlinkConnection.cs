namespace Ipvs.Netlink;

/// <summary>
/// Request/reply exchange over one netlink socket: batches with per-request results, single
/// requests and dumps. Not thread-safe: the owner serialises calls (see IpvsClient's combiner).
/// No clock is read on these paths: SO_RCVTIMEO bounds every receive, and where syscalls are dear
/// (user-mode Linux has no vDSO, so a clock read is a syscall) a clock per request was measurable.
/// NB: replies are matched by sequence number, and a reply whose sequence is not awaited (a late
/// answer to a request that already timed out) is dropped, so a timeout never shifts later replies.
/// </summary>
internal sealed class NetlinkConnection : IDisposable
{
    // At least 32 KiB: dump chunks are up to 32 KiB and a shorter read silently truncates them.
    private const int ReceiveBufferBytes = 64 * 1024;
    // Dumps receive up to this many datagrams per syscall, each slot big enough for any datagram.
    private const int DumpSlots = 4;
    private const int MaxDumpRestarts = 8;

    private readonly INetlinkTransport _socket;
    // One slot until the first dump needs all of them: a process that sends a request or two and
    // exits (ipvsadm) should not pay for pages and allocations it never uses.
    private byte[] _receive = GC.AllocateUninitializedArray<byte>(ReceiveBufferBytes);
    private readonly int[] _lengths = new int[DumpSlots];
    private NetlinkWriter? _fence;
    private uint _sequence;

    public NetlinkConnection(INetlinkTransport socket, TimeSpan replyTimeout)
    {
        _socket = socket;
        ReplyTimeout = replyTimeout;
        _socket.ReceiveTimeout = replyTimeout;
        // Start from a time-derived value so that two clients in one process rarely share sequences.
        _sequence = (uint)Environment.TickCount;
    }

    public TimeSpan ReplyTimeout { get; }

    /// <summary>Largest datagram the kernel accepts: sendmsg fails with EMSGSIZE above sk_sndbuf - 32.</summary>
    public int MaxSendBytes => _socket.SendBufferSize - 32;

    /// <summary>
    /// How many requests one send may carry so that, if every one fails, their error replies still
    /// fit the receive buffer (each small reply costs about 768 bytes of buffer accounting).
    /// </summary>
    public int MaxRequestsPerSend => Math.Max(1, _socket.ReceiveBufferSize / 1024);

    public uint ReserveSequences(int count)
    {
        uint first = _sequence + 1;
        _sequence += (uint)count;
        return first;
    }

    /// <summary>
    /// Sends every request of the source in as few sends as the buffers allow, encoding one send's
    /// worth at a time into <paramref name="writer"/> so memory stays bounded whatever the batch size.
    /// NLM_F_ACK goes on the last message of each send only: the kernel still answers every failing
    /// request with an NLMSG_ERROR carrying its sequence number, so the final ACK proves that every
    /// request without an error was applied.
    /// </summary>
    public void ExecuteBatch(IRequestSource source, NetlinkWriter writer, Span<RequestStatus> status, int maxPerSend, bool stopOnError, CancellationToken cancellationToken = default)
    {
        int count = source.Count;
        int perSend = Math.Clamp(maxPerSend, 1, MaxRequestsPerSend);
        int maxBytes = MaxSendBytes;
        int next = 0;
        while (next < count && !cancellationToken.IsCancellationRequested)
        {
            writer.Reset();
            uint first = ReserveSequences(perSend);
            int end = next;
            while (end < count && end - next < perSend)
            {
                source.Write(writer, end, first + (uint)(end - next));
                if (writer.Length > maxBytes)
                {
                    writer.RemoveLastMessage();
                    break;
                }
                end++;
            }
            bool failed;
            if (end == next)
            {
                // Even alone this request exceeds the send buffer: the kernel would refuse the send
                // with EMSGSIZE, so it is reported as failed and never sent.
                source.Write(writer, next, first);
                status[next] = new RequestStatus
                {
                    State = OperationState.Failed,
                    Errno = Errno.EMSGSIZE,
                    KernelMessage = $"a {writer.Length}-byte request exceeds the {maxBytes}-byte netlink send buffer",
                };
                end = next + 1;
                failed = true;
            }
            else
            {
                failed = SendChunk(writer, first, status[next..end]);
            }
            next = end;
            if (failed && stopOnError)
            {
                break;
            }
        }
    }

    // Sends the writer's messages (sequences first, first+1, …) as one datagram and collects the replies.
    private bool SendChunk(NetlinkWriter messages, uint first, Span<RequestStatus> status)
    {
        var buffer = messages.WrittenSpanMutable;
        int lastOffset = messages.MessageOffset(messages.MessageCount - 1);
        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(buffer[(lastOffset + 6)..]);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[(lastOffset + 6)..], (ushort)(flags | NetlinkConstants.NLM_F_ACK));
        try
        {
            _socket.Send(buffer);
        }
        catch (NetlinkException e)
        {
            // sendmsg failed as a whole, so the kernel saw none of this chunk.
            foreach (ref var s in status)
            {
                s = new RequestStatus { State = OperationState.Failed, Errno = e.Errno, KernelMessage = e.Message };
            }
            return true;
        }

        uint last = first + (uint)(status.Length - 1);
        bool anyFailed = false;
        bool overflowed = false;
        bool done = false;
        uint? fence = null;
        while (!done)
        {
            int n;
            try
            {
                n = _socket.Receive(_receive.AsSpan(0, ReceiveBufferBytes));
            }
            catch (NetlinkException e) when (e.Errno == Errno.ENOBUFS)
            {
                // Replies were dropped, perhaps the final ACK too. A NOOP with NLM_F_ACK queued now is
                // answered after everything before it, so its ACK marks the end of this chunk's replies.
                overflowed = true;
                fence ??= SendFence();
                continue;
            }
            if (n < 0)
            {
                break; // SO_RCVTIMEO expired: no reply within the reply timeout
            }
            var reader = new NetlinkMessageReader(_receive.AsSpan(0, n));
            while (reader.MoveNext())
            {
                var h = reader.Header;
                if (h.Type != NetlinkConstants.NLMSG_ERROR)
                {
                    continue;
                }
                if (fence is uint f && h.Sequence == f)
                {
                    done = true;
                    continue;
                }
                uint offset = h.Sequence - first;
                if (offset > last - first)
                {
                    continue; // a stale reply to an earlier, timed-out request
                }
                var (errno, text) = ParseError(reader.Payload, h.Flags);
                if (errno != 0)
                {
                    ref var s = ref status[(int)offset];
                    s.State = OperationState.Failed;
                    s.Errno = errno;
                    s.KernelMessage = text;
                    anyFailed = true;
                }
                if (h.Sequence == last && fence is null)
                {
                    done = true;
                }
            }
        }

        foreach (ref var s in status)
        {
            if (s.State == OperationState.Failed)
            {
                continue;
            }
            if (done && !overflowed)
            {
                s.State = OperationState.Applied;
                s.Errno = 0;
            }
            else
            {
                s.State = OperationState.Unknown;
                s.Errno = done ? Errno.ENOBUFS : Errno.ETIMEDOUT;
                anyFailed = true;
            }
        }
        return anyFailed;
    }

    /// <summary>Sends one request and hands its single reply to the sink. Errors throw.</summary>
    public void Request(NetlinkWriter message, uint sequence, string operation, IReplySink? sink)
    {
        _socket.Send(message.WrittenSpan);
        while (true)
        {
            int n = _socket.Receive(_receive.AsSpan(0, ReceiveBufferBytes));
            if (n < 0)
            {
                throw new NetlinkTimeoutException(operation, ReplyTimeout, sequence);
            }
            var reader = new NetlinkMessageReader(_receive.AsSpan(0, n));
            while (reader.MoveNext())
            {
                var h = reader.Header;
                if (h.Sequence != sequence)
                {
                    continue;
                }
                if (h.Type == NetlinkConstants.NLMSG_ERROR)
                {
                    var (errno, text) = ParseError(reader.Payload, h.Flags);
                    if (errno != 0)
                    {
                        throw new NetlinkException(operation, errno, $"{operation}: {Errno.Name(errno)}", text, sequence);
                    }
                    if (sink is null)
                    {
                        return; // a plain ACK was all that was asked for
                    }
                    throw new NetlinkDecodeException($"{operation}: the kernel acknowledged but sent no reply");
                }
                Deliver(sink, reader.Payload, operation);
                return;
            }
        }
    }

    /// <summary>
    /// Runs a dump (the message must carry NLM_F_DUMP) until NLMSG_DONE, restarting on NLM_F_DUMP_INTR.
    /// Returns how many datagrams of the final attempt carried entries. The kernel fills one
    /// datagram per call of the family's dump function, under its lock, and NLMSG_DONE comes from
    /// a call of its own; entries that all came in one datagram were therefore read in one pass and
    /// cannot have been disturbed by concurrent changes. Entries in a second datagram come from a
    /// walk resumed by position, after the lock was let go.
    /// </summary>
    public int Dump(NetlinkWriter message, uint sequence, string operation, IReplySink sink)
    {
        for (int attempt = 0; ; attempt++)
        {
            if (attempt > 0)
            {
                sink.Reset();
                sequence = ReserveSequences(1);
                BinaryPrimitives.WriteUInt32LittleEndian(message.WrittenSpanMutable[8..], sequence);
            }
            int datagrams = DumpOnce(message, sequence, operation, sink);
            if (datagrams >= 0)
            {
                return datagrams;
            }
            if (attempt == MaxDumpRestarts)
            {
                throw new NetlinkException(operation, Errno.EINTR, $"{operation}: the dump was interrupted by concurrent changes {MaxDumpRestarts + 1} times");
            }
        }
    }

    // Returns the number of datagrams that carried entries, or -1 when the kernel flagged the dump as interrupted.
    private int DumpOnce(NetlinkWriter message, uint sequence, string operation, IReplySink sink)
    {
        _socket.Send(message.WrittenSpan);
        if (_receive.Length < ReceiveBufferBytes * DumpSlots)
        {
            _receive = GC.AllocateUninitializedArray<byte>(ReceiveBufferBytes * DumpSlots, pinned: true);
        }
        var state = new DumpState();
        while (true)
        {
            // SO_RCVTIMEO bounds each wait, not a long dump as a whole.
            int received = _socket.ReceiveMany(_receive, ReceiveBufferBytes, _lengths);
            if (received < 0)
            {
                throw new NetlinkTimeoutException(operation, ReplyTimeout, sequence);
            }
            for (int slot = 0; slot < received; slot++)
            {
                // Anything after NLMSG_DONE in later slots is stale: only one request is ever in flight.
                if (DumpDatagram(_receive.AsSpan(slot * ReceiveBufferBytes, _lengths[slot]), sequence, operation, sink, ref state))
                {
                    return state.Interrupted ? -1 : state.Datagrams;
                }
            }
        }
    }

    private struct DumpState
    {
        // Datagrams that carried at least one entry.
        public int Datagrams;
        public bool Interrupted;
    }

    // Hands one datagram's messages to the sink; returns true once the dump has ended.
    private static bool DumpDatagram(ReadOnlySpan<byte> datagram, uint sequence, string operation, IReplySink sink, ref DumpState state)
    {
        var reader = new NetlinkMessageReader(datagram);
        bool counted = false;
        while (reader.MoveNext())
        {
            var h = reader.Header;
            if (h.Sequence != sequence)
            {
                continue;
            }
            state.Interrupted |= (h.Flags & NetlinkConstants.NLM_F_DUMP_INTR) != 0;
            switch (h.Type)
            {
                case NetlinkConstants.NLMSG_DONE:
                    // NLMSG_DONE carries the dump's own result as an int.
                    if (reader.Payload.Length >= 4)
                    {
                        int result = BinaryPrimitives.ReadInt32LittleEndian(reader.Payload);
                        if (result < 0)
                        {
                            throw new NetlinkException(operation, -result, $"{operation}: {Errno.Name(-result)}", null, sequence);
                        }
                    }
                    return true;
                case NetlinkConstants.NLMSG_ERROR:
                    var (errno, text) = ParseError(reader.Payload, h.Flags);
                    if (errno != 0)
                    {
                        throw new NetlinkException(operation, errno, $"{operation}: {Errno.Name(errno)}", text, sequence);
                    }
                    return true;
                case NetlinkConstants.NLMSG_NOOP:
                case NetlinkConstants.NLMSG_OVERRUN:
                    continue;
                default:
                    if (!counted)
                    {
                        counted = true;
                        state.Datagrams++;
                    }
                    if (!state.Interrupted)
                    {
                        Deliver(sink, reader.Payload, operation);
                    }
                    break;
            }
        }
        return false;
    }

    private static void Deliver(IReplySink? sink, ReadOnlySpan<byte> payload, string operation)
    {
        if (payload.Length < NetlinkConstants.GENL_HDRLEN)
        {
            ThrowHelper.ThrowShortPayload(operation + " reply", NetlinkConstants.GENL_HDRLEN, payload.Length);
        }
        sink?.OnReply(payload[0], payload[NetlinkConstants.GENL_HDRLEN..]);
    }

    private uint SendFence()
    {
        uint seq = ReserveSequences(1);
        _fence ??= new NetlinkWriter(64);
        _fence.Reset();
        int m = _fence.BeginMessage(NetlinkConstants.NLMSG_NOOP, NetlinkConstants.NLM_F_REQUEST | NetlinkConstants.NLM_F_ACK, seq);
        _fence.EndMessage(m);
        _socket.Send(_fence.WrittenSpan);
        return seq;
    }

    /// <summary>
    /// Decodes struct nlmsgerr: a negative errno, the offending request (its header only when the
    /// reply is NLM_F_CAPPED), then extended-ACK attributes when NLM_F_ACK_TLVS is set.
    /// </summary>
    internal static (int Errno, string? Message) ParseError(ReadOnlySpan<byte> payload, ushort flags)
    {
        if (payload.Length < 4)
        {
            ThrowHelper.ThrowShortPayload("NLMSG_ERROR", 4, payload.Length);
        }
        int errno = -BinaryPrimitives.ReadInt32LittleEndian(payload);
        if ((flags & NetlinkConstants.NLM_F_ACK_TLVS) == 0 || payload.Length < 4 + NetlinkConstants.NLMSG_HDRLEN)
        {
            return (errno, null);
        }
        // The echoed length comes from the wire: align it in 64 bits so a hostile value near
        // int.MaxValue cannot wrap negative and pass the bounds check.
        long echoed = (flags & NetlinkConstants.NLM_F_CAPPED) != 0
            ? NetlinkConstants.NLMSG_HDRLEN
            : (BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]) + 3L) & ~3L;
        if (echoed < NetlinkConstants.NLMSG_HDRLEN || echoed > payload.Length - 4)
        {
            return (errno, null);
        }
        string? message = null;
        var attrs = new AttributeReader(payload[(4 + (int)echoed)..]);
        while (attrs.MoveNext())
        {
            if (attrs.Type == NetlinkConstants.NLMSGERR_ATTR_MSG)
            {
                message = attrs.GetString();
            }
        }
        return (errno, message);
    }

    public void Dispose()
    {
        _socket.Dispose();
        _fence?.Dispose();
    }
}
