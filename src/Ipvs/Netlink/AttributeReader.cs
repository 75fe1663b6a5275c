using System.Text;

namespace Ipvs.Netlink;

/// <summary>
/// Iterates netlink attributes (struct nlattr) over a span. <see cref="Type"/> has the NESTED and
/// NET_BYTEORDER flag bits masked off. Typed getters check the exact length and throw
/// <see cref="NetlinkDecodeException"/> naming the attribute when it is wrong.
/// </summary>
internal ref struct AttributeReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _offset;
    private ushort _rawType;

    public AttributeReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _offset = 0;
        _rawType = 0;
        Value = default;
    }

    public readonly ushort Type => (ushort)(_rawType & NetlinkConstants.NLA_TYPE_MASK);

    public readonly bool IsNested => (_rawType & NetlinkConstants.NLA_F_NESTED) != 0;

    public ReadOnlySpan<byte> Value { get; private set; }

    public bool MoveNext()
    {
        int remaining = _data.Length - _offset;
        if (remaining <= 0)
        {
            return false;
        }
        if (remaining < NetlinkConstants.NLA_HDRLEN)
        {
            ThrowHelper.ThrowTruncatedAttribute(_offset, NetlinkConstants.NLA_HDRLEN, remaining);
        }
        int length = BinaryPrimitives.ReadUInt16LittleEndian(_data[_offset..]);
        if (length < NetlinkConstants.NLA_HDRLEN || length > remaining)
        {
            ThrowHelper.ThrowTruncatedAttribute(_offset, length, remaining);
        }
        _rawType = BinaryPrimitives.ReadUInt16LittleEndian(_data[(_offset + 2)..]);
        Value = _data.Slice(_offset + NetlinkConstants.NLA_HDRLEN, length - NetlinkConstants.NLA_HDRLEN);
        _offset = Math.Min(_data.Length, _offset + Align.To4(length));
        return true;
    }

    public readonly AttributeReader Nested() => new(Value);

    public readonly byte GetU8()
    {
        CheckSize(1);
        return Value[0];
    }

    public readonly ushort GetU16()
    {
        CheckSize(2);
        return BinaryPrimitives.ReadUInt16LittleEndian(Value);
    }

    public readonly ushort GetBe16()
    {
        CheckSize(2);
        return BinaryPrimitives.ReadUInt16BigEndian(Value);
    }

    public readonly uint GetU32()
    {
        CheckSize(4);
        return BinaryPrimitives.ReadUInt32LittleEndian(Value);
    }

    public readonly uint GetBe32()
    {
        CheckSize(4);
        return BinaryPrimitives.ReadUInt32BigEndian(Value);
    }

    public readonly ulong GetU64()
    {
        CheckSize(8);
        return BinaryPrimitives.ReadUInt64LittleEndian(Value);
    }

    /// <summary>A NUL-terminated string; the terminator and anything after it are dropped.</summary>
    public readonly string GetString() => Encoding.ASCII.GetString(StringBytes());

    /// <summary>
    /// Like <see cref="GetString()"/>, but returns a shared instance when the value is one of
    /// <paramref name="common"/>: a table read decodes the same few scheduler names thousands of times.
    /// </summary>
    public readonly string GetString(ReadOnlySpan<string> common)
    {
        var v = StringBytes();
        foreach (var c in common)
        {
            if (v.Length == c.Length && Ascii.Equals(v, c))
            {
                return c;
            }
        }
        return Encoding.ASCII.GetString(v);
    }

    /// <summary>
    /// An address attribute: the kernel sends a 16-byte union nf_inet_addr whose first 4 bytes hold
    /// an IPv4 address, so the family has to come from elsewhere.
    /// </summary>
    public readonly IPAddress GetAddress(bool ipv6)
    {
        int need = ipv6 ? 16 : 4;
        if (Value.Length < need)
        {
            ThrowHelper.ThrowAttributeSize(Type, need, Value.Length);
        }
        return new IPAddress(Value[..need]);
    }

    // The value up to its NUL terminator.
    private readonly ReadOnlySpan<byte> StringBytes()
    {
        int nul = Value.IndexOf((byte)0);
        return nul >= 0 ? Value[..nul] : Value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void CheckSize(int size)
    {
        if (Value.Length != size)
        {
            ThrowHelper.ThrowAttributeSize(Type, size, Value.Length);
        }
    }
}
