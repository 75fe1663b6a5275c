namespace Ipvs;

/// <summary>Settings for <see cref="IpvsClient.Open(IpvsClientOptions?)"/>.</summary>
public sealed record IpvsClientOptions
{
    /// <summary>
    /// The network namespace to work in: a name under /run/netns (as <c>ip netns add</c> makes), or
    /// a path such as <c>/proc/1234/ns/net</c>. Null means the caller's own namespace.
    /// </summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>How long to wait for any one reply before reporting a timeout. Default 5 s.</summary>
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most requests per send. The gain flattens out above about 256. Default 1024.</summary>
    public int MaxRequestsPerSend { get; init; } = 1024;

    /// <summary>Socket send buffer to ask for, in bytes; bounds one send. Default 4 MiB.</summary>
    public int SendBufferBytes { get; init; } = 4 << 20;

    /// <summary>Socket receive buffer to ask for, in bytes; bounds the error replies one send may draw. Default 4 MiB.</summary>
    public int ReceiveBufferBytes { get; init; } = 4 << 20;

    /// <summary>Overrides kernel feature detection (for tests, or to target an older kernel's feature set).</summary>
    public KernelCapabilities? Capabilities { get; init; }
}
