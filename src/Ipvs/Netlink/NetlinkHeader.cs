namespace Ipvs.Netlink;

/// <summary>struct nlmsghdr, in host byte order.</summary>
internal readonly record struct NetlinkHeader(int Length, ushort Type, ushort Flags, uint Sequence, uint PortId)
{
    public static NetlinkHeader Read(ReadOnlySpan<byte> b) => new(
        BinaryPrimitives.ReadInt32LittleEndian(b),
        BinaryPrimitives.ReadUInt16LittleEndian(b[4..]),
        BinaryPrimitives.ReadUInt16LittleEndian(b[6..]),
        BinaryPrimitives.ReadUInt32LittleEndian(b[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(b[12..]));
}
