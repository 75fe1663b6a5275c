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
}
