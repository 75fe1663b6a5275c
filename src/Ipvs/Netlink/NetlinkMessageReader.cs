namespace Ipvs.Netlink;

/// <summary>
/// Walks the netlink messages of one received datagram. Every length is checked before it is used,
/// so garbage input ends in <see cref="NetlinkDecodeException"/>, never an out-of-range read or a loop.
/// </summary>
internal ref struct NetlinkMessageReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _offset;

    public NetlinkMessageReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _offset = 0;
        Header = default;
        Payload = default;
    }

    public NetlinkHeader Header { get; private set; }

    /// <summary>The bytes after the 16-byte header, up to nlmsg_len.</summary>
    public ReadOnlySpan<byte> Payload { get; private set; }

    public bool MoveNext()
    {
        int remaining = _buffer.Length - _offset;
        if (remaining <= 0)
        {
            return false;
        }
        if (remaining < NetlinkConstants.NLMSG_HDRLEN)
        {
            ThrowHelper.ThrowTruncatedMessage(_offset, NetlinkConstants.NLMSG_HDRLEN, remaining);
        }
        var header = NetlinkHeader.Read(_buffer[_offset..]);
        if (header.Length < NetlinkConstants.NLMSG_HDRLEN || header.Length > remaining)
        {
            ThrowHelper.ThrowTruncatedMessage(_offset, header.Length, remaining);
        }
        Header = header;
        Payload = _buffer.Slice(_offset + NetlinkConstants.NLMSG_HDRLEN, header.Length - NetlinkConstants.NLMSG_HDRLEN);
        // The last message of a datagram may lack its alignment padding.
        _offset = Math.Min(_buffer.Length, _offset + Align.To4(header.Length));
        return true;
    }
}
