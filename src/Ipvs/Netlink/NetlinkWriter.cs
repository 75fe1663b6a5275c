using System.Text;

namespace Ipvs.Netlink;

/// <summary>
/// Builds one or many netlink messages into a pooled, growable buffer. A writer holds whole batches
/// (thousands of messages), so it is a reusable class rather than a ref struct over a fixed span;
/// after warm-up, writing a message allocates nothing. Nested attributes and messages use tokens:
/// Begin returns the offset, End back-patches the length, as nla_nest_start/nla_nest_end do.
/// </summary>
internal sealed class NetlinkWriter : IDisposable
{
    private byte[] _buffer;
    private int _length;
    private int[] _messageOffsets;
    private int _messageCount;

    public NetlinkWriter(int initialCapacity = 4096)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
        _messageOffsets = ArrayPool<int>.Shared.Rent(16);
    }

    public int Length => _length;

    public int MessageCount => _messageCount;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public Span<byte> WrittenSpanMutable => _buffer.AsSpan(0, _length);

    /// <summary>Start offset of message <paramref name="index"/>; index == count gives the end.</summary>
    public int MessageOffset(int index) => index == _messageCount ? _length : _messageOffsets[index];

    /// <summary>Drops the last message written (a request that turned out not to fit a send).</summary>
    public void RemoveLastMessage()
    {
        if (_messageCount > 0)
        {
            _length = _messageOffsets[--_messageCount];
        }
    }

    public void Reset()
    {
        _length = 0;
        _messageCount = 0;
    }

    public int BeginMessage(ushort type, ushort flags, uint sequence)
    {
        if (_messageCount == _messageOffsets.Length)
        {
            var bigger = ArrayPool<int>.Shared.Rent(_messageOffsets.Length * 2);
            _messageOffsets.AsSpan(0, _messageCount).CopyTo(bigger);
            ArrayPool<int>.Shared.Return(_messageOffsets);
            _messageOffsets = bigger;
        }
        int start = _length;
        _messageOffsets[_messageCount++] = start;
        var h = Reserve(NetlinkConstants.NLMSG_HDRLEN);
        BinaryPrimitives.WriteInt32LittleEndian(h, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(h[8..], sequence);
        // Port id 0: the kernel fills in the sender's autobound id.
        BinaryPrimitives.WriteUInt32LittleEndian(h[12..], 0);
        return start;
    }

    public void EndMessage(int start) =>
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(start), _length - start);

    public void WriteGenericHeader(byte command, byte version)
    {
        var g = Reserve(NetlinkConstants.GENL_HDRLEN);
        g[0] = command;
        g[1] = version;
        g[2] = 0;
        g[3] = 0;
    }

    public int BeginNested(ushort type)
    {
        int start = _length;
        var a = Reserve(NetlinkConstants.NLA_HDRLEN);
        BinaryPrimitives.WriteUInt16LittleEndian(a[2..], (ushort)(type | NetlinkConstants.NLA_F_NESTED));
        return start;
    }

    public void EndNested(int start) =>
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(start), checked((ushort)(_length - start)));

    public void PutU8(ushort type, byte value) => Attribute(type, 1)[0] = value;

    public void PutU16(ushort type, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Attribute(type, 2), value);

    public void PutBe16(ushort type, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Attribute(type, 2), value);

    public void PutU32(ushort type, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Attribute(type, 4), value);

    public void PutBe32(ushort type, uint value) => BinaryPrimitives.WriteUInt32BigEndian(Attribute(type, 4), value);

    public void PutU64(ushort type, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Attribute(type, 8), value);

    public void PutBytes(ushort type, ReadOnlySpan<byte> value) => value.CopyTo(Attribute(type, value.Length));

    /// <summary>A NUL-terminated ASCII string, as NLA_NUL_STRING and NLA_STRING policies accept.</summary>
    public void PutString(ushort type, string value)
    {
        var span = Attribute(type, value.Length + 1);
        int n = Encoding.ASCII.GetBytes(value, span);
        span[n] = 0;
    }

    /// <summary>
    /// An address as union nf_inet_addr: always 16 bytes, IPv4 in the first 4, as ipvsadm sends it.
    /// </summary>
    public void PutAddress(ushort type, IPAddress address)
    {
        var span = Attribute(type, 16);
        span.Clear();
        if (!address.TryWriteBytes(span, out _))
        {
            ThrowHelper.ThrowInvalidValue($"address {address} does not fit union nf_inet_addr");
        }
    }

    // Reserves an attribute header plus value, zeroes the padding, and returns the value span.
    private Span<byte> Attribute(ushort type, int valueLength)
    {
        int total = NetlinkConstants.NLA_HDRLEN + valueLength;
        var a = Reserve(Align.To4(total));
        BinaryPrimitives.WriteUInt16LittleEndian(a, checked((ushort)total));
        BinaryPrimitives.WriteUInt16LittleEndian(a[2..], type);
        a[total..].Clear();
        return a.Slice(NetlinkConstants.NLA_HDRLEN, valueLength);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Reserve(int size)
    {
        if (_length + size > _buffer.Length)
        {
            Grow(size);
        }
        var span = _buffer.AsSpan(_length, size);
        _length += size;
        return span;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int size)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + size));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        ArrayPool<int>.Shared.Return(_messageOffsets);
        _buffer = [];
        _messageOffsets = [];
    }
}
