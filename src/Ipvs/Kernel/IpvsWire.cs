namespace Ipvs.Kernel;

// Values from include/uapi/linux/ip_vs.h (Linux 6.1). They are ABI: the kernel only appends.
internal static class IpvsWire
{
    public const string FamilyName = "IPVS";
    public const byte FamilyVersion = 1;

    public const ushort AF_INET = 2;
    public const ushort AF_INET6 = 10;

    // IPVS_CMD_ATTR_*
    public const ushort CmdAttrService = 1;
    public const ushort CmdAttrDest = 2;
    public const ushort CmdAttrDaemon = 3;
    public const ushort CmdAttrTimeoutTcp = 4;
    public const ushort CmdAttrTimeoutTcpFin = 5;
    public const ushort CmdAttrTimeoutUdp = 6;

    // IPVS_SVC_ATTR_*
    public const ushort SvcAf = 1;          // u16
    public const ushort SvcProtocol = 2;    // u16
    public const ushort SvcAddr = 3;        // union nf_inet_addr
    public const ushort SvcPort = 4;        // be16
    public const ushort SvcFwmark = 5;      // u32
    public const ushort SvcSchedName = 6;   // string, IP_VS_SCHEDNAME_MAXLEN
    public const ushort SvcFlags = 7;       // struct ip_vs_flags { u32 flags; u32 mask; }
    public const ushort SvcTimeout = 8;     // u32 seconds
    public const ushort SvcNetmask = 9;     // be32 mask (IPv4) / u32 prefix (IPv6), one raw field
    public const ushort SvcStats = 10;      // nested IPVS_STATS_ATTR_*
    public const ushort SvcPeName = 11;     // string, IP_VS_PENAME_MAXLEN
    public const ushort SvcStats64 = 12;    // nested, Linux 4.1

    // IPVS_DEST_ATTR_*
    public const ushort DestAddr = 1;
    public const ushort DestPort = 2;           // be16
    public const ushort DestFwdMethod = 3;      // u32
    public const ushort DestWeight = 4;         // u32 (int)
    public const ushort DestUThresh = 5;        // u32
    public const ushort DestLThresh = 6;        // u32
    public const ushort DestActiveConns = 7;    // u32
    public const ushort DestInactConns = 8;     // u32
    public const ushort DestPersistConns = 9;   // u32
    public const ushort DestStats = 10;
    public const ushort DestAddrFamily = 11;    // u16, Linux 3.18
    public const ushort DestStats64 = 12;       // Linux 4.1
    public const ushort DestTunType = 13;       // u8, Linux 5.2
    public const ushort DestTunPort = 14;       // be16, Linux 5.2
    public const ushort DestTunFlags = 15;      // u16, Linux 5.3

    // IPVS_DAEMON_ATTR_*
    public const ushort DaemonState = 1;        // u32
    public const ushort DaemonMcastIfn = 2;     // string, IP_VS_IFNAME_MAXLEN
    public const ushort DaemonSyncId = 3;       // u32
    public const ushort DaemonSyncMaxlen = 4;   // u16
    public const ushort DaemonMcastGroup = 5;   // in_addr (be32)
    public const ushort DaemonMcastGroup6 = 6;  // in6_addr
    public const ushort DaemonMcastPort = 7;    // u16, host order
    public const ushort DaemonMcastTtl = 8;     // u8

    // IPVS_STATS_ATTR_*
    public const ushort StatsConns = 1;
    public const ushort StatsInPkts = 2;
    public const ushort StatsOutPkts = 3;
    public const ushort StatsInBytes = 4;
    public const ushort StatsOutBytes = 5;
    public const ushort StatsCps = 6;
    public const ushort StatsInPps = 7;
    public const ushort StatsOutPps = 8;
    public const ushort StatsInBps = 9;
    public const ushort StatsOutBps = 10;

    // IPVS_INFO_ATTR_*
    public const ushort InfoVersion = 1;
    public const ushort InfoConnTabSize = 2;

    public const int IfNameMaxLength = 15; // IP_VS_IFNAME_MAXLEN 16 with NUL
}

/// <summary>IPVS generic netlink commands (IPVS_CMD_*).</summary>
public enum IpvsCommand : byte
{
    /// <summary>Add a service.</summary>
    NewService = 1,
    /// <summary>Edit a service.</summary>
    SetService = 2,
    /// <summary>Delete a service.</summary>
    DelService = 3,
    /// <summary>Read services.</summary>
    GetService = 4,
    /// <summary>Add a destination.</summary>
    NewDest = 5,
    /// <summary>Edit a destination.</summary>
    SetDest = 6,
    /// <summary>Delete a destination.</summary>
    DelDest = 7,
    /// <summary>Read destinations.</summary>
    GetDest = 8,
    /// <summary>Start a sync daemon.</summary>
    NewDaemon = 9,
    /// <summary>Stop a sync daemon.</summary>
    DelDaemon = 10,
    /// <summary>Read sync daemons.</summary>
    GetDaemon = 11,
    /// <summary>Set timeouts.</summary>
    SetConfig = 12,
    /// <summary>Read timeouts.</summary>
    GetConfig = 13,
    /// <summary>The reply to GetInfo.</summary>
    SetInfo = 14,
    /// <summary>Read version and table size.</summary>
    GetInfo = 15,
    /// <summary>Zero counters.</summary>
    Zero = 16,
    /// <summary>Delete every service.</summary>
    Flush = 17,
}
