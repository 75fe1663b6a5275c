using System.Buffers.Binary;
using Ipvs.Netlink;

namespace Ipvs.Bench;

// Transports for attributing the library's cost (bench --fake, read --record/--replay). They plug
// into the library's internal transport seam, so the library code that runs is the real one: only
// the socket (and with it every netlink syscall and all kernel work) is taken away.

/// <summary>Header fields of the netlink messages in one datagram.</summary>
internal static class Datagrams
{
    public static (ushort Type, ushort Flags, uint Sequence) Last(ReadOnlySpan<byte> datagram)
    {
        (ushort, ushort, uint) last = default;
        var reader = new NetlinkMessageReader(datagram);
        while (reader.MoveNext())
        {
            last = (reader.Header.Type, reader.Header.Flags, reader.Header.Sequence);
        }
        return last;
    }

    public static byte[] Header(ushort type, ushort flags, uint sequence, int payloadLength)
    {
        var m = new byte[NetlinkConstants.NLMSG_HDRLEN + payloadLength];
        BinaryPrimitives.WriteInt32LittleEndian(m, m.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(6), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(8), sequence);
        return m;
    }

    // The generic netlink controller's answer to CTRL_CMD_GETFAMILY: a family id and version.
    public static byte[] FamilyReply(uint sequence, ushort id)
    {
        var m = Header(NetlinkConstants.GENL_ID_CTRL, 0, sequence, NetlinkConstants.GENL_HDRLEN + 8 + 8);
        var p = m.AsSpan(NetlinkConstants.NLMSG_HDRLEN);
        p[0] = 1; // CTRL_CMD_NEWFAMILY
        p[1] = 2;
        var a = p[NetlinkConstants.GENL_HDRLEN..];
        BinaryPrimitives.WriteUInt16LittleEndian(a, 6);
        BinaryPrimitives.WriteUInt16LittleEndian(a[2..], NetlinkConstants.CTRL_ATTR_FAMILY_ID);
        BinaryPrimitives.WriteUInt16LittleEndian(a[4..], id);
        BinaryPrimitives.WriteUInt16LittleEndian(a[8..], 8);
        BinaryPrimitives.WriteUInt16LittleEndian(a[10..], NetlinkConstants.CTRL_ATTR_VERSION);
        BinaryPrimitives.WriteUInt32LittleEndian(a[12..], 1);
        return m;
    }

    // NLMSG_ERROR with error 0 (an ACK), capped to the request header as the real socket asks.
    public static byte[] Ack(uint sequence)
    {
        var m = Header(NetlinkConstants.NLMSG_ERROR, NetlinkConstants.NLM_F_CAPPED, sequence, 4 + NetlinkConstants.NLMSG_HDRLEN);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(NetlinkConstants.NLMSG_HDRLEN + 4 + 8), sequence);
        return m;
    }
}

/// <summary>
/// A kernel that applies everything instantly: it answers the family lookup and ACKs every send
/// that asks for an ACK. What the library spends against it is its own user-space work.
/// </summary>
internal sealed class AckingKernel : INetlinkTransport
{
    private readonly Queue<byte[]> _replies = new();

    public int SendBufferSize => 8 << 20;

    public int ReceiveBufferSize => 8 << 20;

    public TimeSpan ReceiveTimeout
    {
        set { }
    }

    public void Send(ReadOnlySpan<byte> datagram)
    {
        var (type, flags, seq) = Datagrams.Last(datagram);
        if (type == NetlinkConstants.GENL_ID_CTRL)
        {
            _replies.Enqueue(Datagrams.FamilyReply(seq, 0x20));
        }
        else if ((flags & NetlinkConstants.NLM_F_ACK) != 0)
        {
            _replies.Enqueue(Datagrams.Ack(seq));
        }
    }

    public int Receive(Span<byte> buffer)
    {
        if (!_replies.TryDequeue(out var r))
        {
            return -1;
        }
        r.CopyTo(buffer);
        return r.Length;
    }

    public void Dispose()
    {
    }
}

/// <summary>Passes everything to the real socket and appends each received datagram to a file.</summary>
internal sealed class RecordingTransport(INetlinkTransport inner, Stream file) : INetlinkTransport
{
    public int SendBufferSize => inner.SendBufferSize;

    public int ReceiveBufferSize => inner.ReceiveBufferSize;

    public TimeSpan ReceiveTimeout
    {
        set => inner.ReceiveTimeout = value;
    }

    public void Send(ReadOnlySpan<byte> datagram) => inner.Send(datagram);

    public int Receive(Span<byte> buffer)
    {
        int n = inner.Receive(buffer);
        if (n >= 0)
        {
            Span<byte> len = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(len, n);
            file.Write(len);
            file.Write(buffer[..n]);
        }
        return n;
    }

    public void Dispose()
    {
        inner.Dispose();
        file.Dispose();
    }
}

/// <summary>
/// Replays recorded datagrams in order, renumbering every message to the sequence of the latest
/// request (a read has one request outstanding at a time), so the same library code decodes the
/// same bytes without a socket or a kernel.
/// </summary>
internal sealed class ReplayTransport(byte[] recording) : INetlinkTransport
{
    private int _offset;
    private uint _sequence;

    public int SendBufferSize => 8 << 20;

    public int ReceiveBufferSize => 8 << 20;

    public TimeSpan ReceiveTimeout
    {
        set { }
    }

    public void Send(ReadOnlySpan<byte> datagram) => _sequence = Datagrams.Last(datagram).Sequence;

    public int Receive(Span<byte> buffer)
    {
        if (_offset >= recording.Length)
        {
            // Read again (--repeat): start over after the family lookup, which Open alone asks for.
            _offset = 4 + BinaryPrimitives.ReadInt32LittleEndian(recording);
            if (_offset >= recording.Length)
            {
                return -1;
            }
        }
        int n = BinaryPrimitives.ReadInt32LittleEndian(recording.AsSpan(_offset));
        var d = buffer[..n];
        recording.AsSpan(_offset + 4, n).CopyTo(d);
        _offset += 4 + n;
        int o = 0;
        while (o + NetlinkConstants.NLMSG_HDRLEN <= n)
        {
            int len = BinaryPrimitives.ReadInt32LittleEndian(d[o..]);
            BinaryPrimitives.WriteUInt32LittleEndian(d[(o + 8)..], _sequence);
            if (len < NetlinkConstants.NLMSG_HDRLEN)
            {
                break;
            }
            o += (len + 3) & ~3;
        }
        return n;
    }

    public void Dispose()
    {
    }
}
