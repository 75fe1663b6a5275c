namespace Ipvs.Netlink;

/// <summary>The requests of a batch, encoded on demand so that only one send's worth is in memory.</summary>
internal interface IRequestSource
{
    int Count { get; }

    /// <summary>Writes request <paramref name="index"/> as one message with the given sequence number.</summary>
    void Write(NetlinkWriter writer, int index, uint sequence);
}
