namespace Ipvs.Model;

/// <summary>The role of a connection synchronisation daemon (IP_VS_STATE_*).</summary>
public enum SyncDaemonState : uint
{
    /// <summary>Not running.</summary>
    None = 0,

    /// <summary>Sends connection state.</summary>
    Master = 1,

    /// <summary>Receives connection state.</summary>
    Backup = 2,
}

/// <summary>
/// A connection synchronisation daemon. When starting one, zero or null values mean "kernel default"
/// (syncid 0, maxlen from the interface MTU, group 224.0.0.81, port 8848, ttl 1).
/// </summary>
/// <param name="State">Master or backup.</param>
/// <param name="Interface">The multicast interface, such as eth0.</param>
public sealed record SyncDaemon(SyncDaemonState State, string Interface)
{
    /// <summary>The sync id (0–255 as ipvsadm accepts).</summary>
    public uint SyncId { get; init; }

    /// <summary>Largest sync message payload; 0 for the kernel's choice.</summary>
    public ushort MaxLength { get; init; }

    /// <summary>Multicast group (IPv4 or IPv6); null for the default 224.0.0.81.</summary>
    public IPAddress? MulticastGroup { get; init; }

    /// <summary>Multicast UDP port; 0 for the default 8848.</summary>
    public ushort MulticastPort { get; init; }

    /// <summary>Multicast TTL; 0 for the default 1.</summary>
    public byte MulticastTtl { get; init; }
}
