namespace Ipvs.Netlink;

/// <summary>
/// The datagram seam under <see cref="NetlinkConnection"/>: the real socket, or a scripted fake in
/// unit tests. A fake may serve unit tests only; kernel behaviour is proven in the lab.
/// </summary>
internal interface INetlinkTransport : IDisposable
{
    /// <summary>Effective SO_SNDBUF (the kernel's doubled value).</summary>
    int SendBufferSize { get; }

    /// <summary>Effective SO_RCVBUF (the kernel's doubled value).</summary>
    int ReceiveBufferSize { get; }

    /// <summary>Bounds each receive.</summary>
    TimeSpan ReceiveTimeout { set; }

    /// <summary>Sends one datagram; throws <see cref="NetlinkException"/> on failure.</summary>
    void Send(ReadOnlySpan<byte> datagram);

    /// <summary>Receives one datagram; returns -1 on timeout; throws NetlinkException (ENOBUFS, …).</summary>
    int Receive(Span<byte> buffer);

    /// <summary>
    /// Receives up to <c>lengths.Length</c> datagrams into consecutive slots of <paramref name="slot"/>
    /// bytes, waiting only for the first. Returns how many arrived, or -1 on timeout.
    /// </summary>
    int ReceiveMany(Span<byte> buffer, int slot, Span<int> lengths)
    {
        int n = Receive(buffer[..slot]);
        if (n < 0)
        {
            return -1;
        }
        lengths[0] = n;
        return 1;
    }
}
