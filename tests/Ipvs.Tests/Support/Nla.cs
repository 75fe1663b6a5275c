namespace Ipvs.Tests.Support;

/// <summary>
/// A byte builder for kernel-shaped netlink messages, written independently of the library's
/// NetlinkWriter so that replies built here test the decoders rather than mirror the encoder.
/// Every attribute returned is padded to 4 bytes; nla_len excludes the padding.
/// </summary>
internal static class Nla
{
    public const ushort Nested = 0x8000;

    public static byte[] Attr(ushort type, ReadOnlySpan<byte> value)
    {
        int len = 4 + value.Length;
        var a = new byte[(len + 3) & ~3];
        BinaryPrimitives.WriteUInt16LittleEndian(a, checked((ushort)len));
        BinaryPrimitives.WriteUInt16LittleEndian(a.AsSpan(2), type);
        value.CopyTo(a.AsSpan(4));
        return a;
    }

    public static byte[] U8(ushort type, byte v) => Attr(type, [v]);

    public static byte[] U16(ushort type, ushort v)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        return Attr(type, b);
    }

    public static byte[] Be16(ushort type, ushort v)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, v);
        return Attr(type, b);
    }

    public static byte[] U32(ushort type, uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return Attr(type, b);
    }

    public static byte[] Be32(ushort type, uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, v);
        return Attr(type, b);
    }

    public static byte[] U64(ushort type, ulong v)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        return Attr(type, b);
    }

    public static byte[] Str(ushort type, string s) => Attr(type, Encoding.ASCII.GetBytes(s + "\0"));

    /// <summary>union nf_inet_addr: 16 bytes, IPv4 in the first four.</summary>
    public static byte[] Addr16(ushort type, IPAddress address)
    {
        var b = new byte[16];
        address.GetAddressBytes().CopyTo(b, 0);
        return Attr(type, b);
    }

    public static byte[] Nest(ushort type, params byte[][] children) =>
        Attr((ushort)(type | Nested), Bytes.Concat(children));

    /// <summary>nlmsghdr (port id 0) + payload, nlmsg_len set, padded.</summary>
    public static byte[] Message(ushort type, ushort flags, uint sequence, ReadOnlySpan<byte> payload)
    {
        int len = 16 + payload.Length;
        var m = new byte[(len + 3) & ~3];
        BinaryPrimitives.WriteInt32LittleEndian(m, len);
        BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(6), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(8), sequence);
        payload.CopyTo(m.AsSpan(16));
        return m;
    }

    /// <summary>A generic netlink message: nlmsghdr, genlmsghdr {cmd, version, 0}, attributes.</summary>
    public static byte[] Genl(ushort family, ushort flags, uint sequence, byte command, params byte[][] attributes) =>
        Message(family, flags, sequence, Bytes.Concat([command, 1, 0, 0], Bytes.Concat(attributes)));

    /// <summary>
    /// NLMSG_ERROR: -errno, then the request's header (capped, as NETLINK_CAP_ACK makes it), then an
    /// NLMSGERR_ATTR_MSG when text is given.
    /// </summary>
    public static byte[] Error(uint sequence, int errno, ReadOnlySpan<byte> requestHeader = default, string? text = null)
    {
        var hdr = new byte[16];
        if (requestHeader.Length >= 16)
        {
            requestHeader[..16].CopyTo(hdr);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(hdr, 16);
            BinaryPrimitives.WriteUInt32LittleEndian(hdr.AsSpan(8), sequence);
        }
        var code = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(code, -errno);
        ushort flags = NetlinkConstants.NLM_F_CAPPED;
        byte[] tlvs = [];
        if (text is not null)
        {
            flags |= NetlinkConstants.NLM_F_ACK_TLVS;
            tlvs = Str(NetlinkConstants.NLMSGERR_ATTR_MSG, text);
        }
        return Message(NetlinkConstants.NLMSG_ERROR, flags, sequence, Bytes.Concat(code, hdr, tlvs));
    }

    public static byte[] Done(uint sequence, ushort flags = NetlinkConstants.NLM_F_MULTI) =>
        Message(NetlinkConstants.NLMSG_DONE, flags, sequence, new byte[4]);

    // ---- IPVS reply nests, in the order ip_vs_genl_fill_* writes them ----

    /// <summary>IPVS_SVC_ATTR_STATS: u32 counters and rates, u64 byte counts.</summary>
    public static byte[] Stats32(ushort type, IpvsStats s) => Nest(type,
        U32(IpvsWire.StatsConns, (uint)s.Connections),
        U32(IpvsWire.StatsInPkts, (uint)s.InPackets),
        U32(IpvsWire.StatsOutPkts, (uint)s.OutPackets),
        U64(IpvsWire.StatsInBytes, s.InBytes),
        U64(IpvsWire.StatsOutBytes, s.OutBytes),
        U32(IpvsWire.StatsCps, (uint)s.ConnectionRate),
        U32(IpvsWire.StatsInPps, (uint)s.InPacketRate),
        U32(IpvsWire.StatsOutPps, (uint)s.OutPacketRate),
        U32(IpvsWire.StatsInBps, (uint)s.InByteRate),
        U32(IpvsWire.StatsOutBps, (uint)s.OutByteRate));

    /// <summary>IPVS_SVC_ATTR_STATS64: all u64 (with an optional zero-length PAD, as non-x86 kernels insert).</summary>
    public static byte[] Stats64(ushort type, IpvsStats s, bool pad = false) => Nest(type,
        pad ? Attr(11, []) : [],
        U64(IpvsWire.StatsConns, s.Connections),
        U64(IpvsWire.StatsInPkts, s.InPackets),
        U64(IpvsWire.StatsOutPkts, s.OutPackets),
        pad ? Attr(11, []) : [],
        U64(IpvsWire.StatsInBytes, s.InBytes),
        U64(IpvsWire.StatsOutBytes, s.OutBytes),
        U64(IpvsWire.StatsCps, s.ConnectionRate),
        U64(IpvsWire.StatsInPps, s.InPacketRate),
        U64(IpvsWire.StatsOutPps, s.OutPacketRate),
        U64(IpvsWire.StatsInBps, s.InByteRate),
        U64(IpvsWire.StatsOutBps, s.OutByteRate));
}
