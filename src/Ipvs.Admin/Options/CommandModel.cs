namespace Ipvs.Admin.Options;

/// <summary>ipvsadm's commands (CMD_*), in its order.</summary>
internal enum Command
{
    None = 0,
    Add,
    Edit,
    Delete,
    Flush,
    List,
    AddDest,
    DeleteDest,
    EditDest,
    Timeout,
    StartDaemon,
    StopDaemon,
    Restore,
    Save,
    Zero,

    // Not commands in ipvsadm's table: the first option ends the parse with them.
    Help = 100,
    Version,
    HelpIpvs,
}

/// <summary>ipvsadm's option indexes (OPTC_*); the option bit is 1 &lt;&lt; index.</summary>
internal static class Opt
{
    public const int Numeric = 0;
    public const int Connection = 1;
    public const int Service = 2;
    public const int Scheduler = 3;
    public const int Persistent = 4;
    public const int Netmask = 5;
    public const int Server = 6;
    public const int Forward = 7;
    public const int Weight = 8;
    public const int UThreshold = 9;
    public const int LThreshold = 10;
    public const int Mcast = 11;
    public const int Timeout = 12;
    public const int Daemon = 13;
    public const int Stats = 14;
    public const int Rate = 15;
    public const int Thresholds = 16;
    public const int PersistentConn = 17;
    public const int NoSort = 18;
    public const int SyncId = 19;
    public const int Exact = 20;
    public const int OnePacket = 21;
    public const int PersistenceEngine = 22;
    public const int SchedFlags = 23;
    public const int McastGroup = 24;
    public const int McastPort = 25;
    public const int McastTtl = 26;
    public const int SyncMaxlen = 27;
    public const int TunInfo = 28;
    public const int TunType = 29;
    public const int TunPort = 30;
    public const int TunNoCsum = 31;
    public const int TunCsum = 32;
    public const int TunRemCsum = 33;
    public const int Count = 34;

    public static ulong Bit(int index) => 1UL << index;

    /// <summary>optnames[], as ipvsadm prints them in errors.</summary>
    public static readonly string[] Names =
    [
        "numeric", "connection", "service-address", "scheduler", "persistent", "netmask",
        "real-server", "forwarding-method", "weight", "u-threshold", "l-threshold",
        "mcast-interface", "timeout", "daemon", "stats", "rate", "thresholds",
        "persistent-conn", "nosort", "syncid", "exact", "ops", "pe", "sched-flags",
        "mcast-group", "mcast-port", "mcast-ttl", "sync-maxlen", "tun-info", "tun-type",
        "tun-port", "tun-nocsum", "tun-csum", "tun-remcsum",
    ];
}

/// <summary>Listing format flags (FMT_*).</summary>
[Flags]
internal enum ListFormat
{
    None = 0,
    Numeric = 0x0001,
    Rule = 0x0002,
    Stats = 0x0004,
    Rate = 0x0008,
    Thresholds = 0x0010,
    PersistentConn = 0x0020,
    NoSort = 0x0040,
    Exact = 0x0080,
    TunInfo = 0x0100,
}

/// <summary>Kernel constants the command line deals in.</summary>
internal static class Ip
{
    public const ushort AF_UNSPEC = 0;
    public const ushort AF_INET = 2;
    public const ushort AF_INET6 = 10;
    public const ushort IPPROTO_TCP = 6;
    public const ushort IPPROTO_UDP = 17;
    public const ushort IPPROTO_SCTP = 132;

    public const uint SvcPersistent = 0x0001;
    public const uint SvcOnePacket = 0x0004;
    public const uint SvcSched1 = 0x0008;
    public const uint SvcSched2 = 0x0010;
    public const uint SvcSched3 = 0x0020;

    public const uint ConnMasq = 0;
    public const uint ConnLocalNode = 1;
    public const uint ConnTunnel = 2;
    public const uint ConnDRoute = 3;
    public const uint ConnFwdMask = 7;

    public const int TunIpIp = 0;
    public const int TunGue = 1;
    public const int TunGre = 2;

    public const uint StateMaster = 1;
    public const uint StateBackup = 2;

    public const int MaxTimeout = 86400 * 31;
    public const int DefaultPersistentTimeout = 6 * 60;
    public const string DefaultScheduler = "wlc";
    public const string DefaultTunnelType = "ipip";
    public const string DefaultMcastInterface = "eth0";
}

/// <summary>ipvs_service_t as the command line fills it.</summary>
internal sealed class ServiceSpec
{
    public ushort Af;
    public ushort Protocol;
    public byte[] Addr = new byte[16];
    public ushort Port;
    public uint Fwmark;
    public string SchedName = "";
    public uint Flags;
    public uint Timeout;

    /// <summary>
    /// The one persistence-mask field: for IPv4 the mask as a number (255.255.255.0 is
    /// 0xFFFFFF00), for IPv6 a prefix length. Starts at 0xFFFFFFFF as in ipvsadm.
    /// </summary>
    public uint Netmask = 0xFFFFFFFF;

    public string PeName = "";

    /// <summary>Back to the values a new one starts with (-R's fast path reuses one per line).</summary>
    public void Reset()
    {
        Af = 0;
        Protocol = 0;
        Array.Clear(Addr);
        Port = 0;
        Fwmark = 0;
        SchedName = "";
        Flags = 0;
        Timeout = 0;
        Netmask = 0xFFFFFFFF;
        PeName = "";
    }

    public ServiceSpec Clone()
    {
        var c = (ServiceSpec)MemberwiseClone();
        c.Addr = (byte[])Addr.Clone();
        return c;
    }
}

/// <summary>ipvs_dest_t as the command line fills it.</summary>
internal sealed class DestSpec
{
    public ushort Af;
    public byte[] Addr = new byte[16];
    public ushort Port;
    public uint ConnFlags = Ip.ConnDRoute;
    public int Weight = 1;
    public int UThreshold;
    public int LThreshold;
    public int TunType;
    public ushort TunPort;
    public ushort TunFlags;

    /// <summary>Back to the values a new one starts with (-R's fast path reuses one per line).</summary>
    public void Reset()
    {
        Af = 0;
        Array.Clear(Addr);
        Port = 0;
        ConnFlags = Ip.ConnDRoute;
        Weight = 1;
        UThreshold = 0;
        LThreshold = 0;
        TunType = 0;
        TunPort = 0;
        TunFlags = 0;
    }
}

/// <summary>ipvs_daemon_t as the command line fills it.</summary>
internal sealed class DaemonSpec
{
    public uint State;
    public string McastIfn = "";
    public int SyncId;
    public ushort SyncMaxlen;
    public ushort McastAf;
    public byte[] McastGroup = new byte[16];
    public ushort McastPort;
    public byte McastTtl;
}

/// <summary>One parsed command line (struct ipvs_command_entry plus options and format).</summary>
internal sealed class CommandEntry
{
    public CommandEntry(string program) => Program = program;

    /// <summary>argv[0], which ipvsadm prints in help and errors.</summary>
    public string Program { get; }

    public Command Command;
    public ServiceSpec Service = new();
    public DestSpec Dest = new();
    public int[] Timeouts = new int[3];
    public DaemonSpec Daemon = new();
    public ulong Options;
    public ListFormat Format;

    /// <summary>--atomic (with -R only).</summary>
    public bool Atomic;

    public bool Has(int opt) => (Options & Opt.Bit(opt)) != 0;

    /// <summary>
    /// Back to a new entry's state for a change of a service or real server (-R's fast path reuses
    /// one per line); the timeouts and the daemon, which those commands never touch, stay as they are.
    /// </summary>
    public void ResetForChange(Command command)
    {
        Command = command;
        Service.Reset();
        Dest.Reset();
        Options = 0;
        Format = ListFormat.None;
        Atomic = false;
    }
}
