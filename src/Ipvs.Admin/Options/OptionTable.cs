namespace Ipvs.Admin.Options;

/// <summary>
/// ipvsadm 1.31's popt option table, in its order (popt takes the first match), with its
/// values: the short letter, or a tag above the ASCII range for long-only options.
/// </summary>
internal static class OptionTable
{
    public const int TagSet = 128;
    public const int TagStartDaemon = 129;
    public const int TagStopDaemon = 130;
    public const int TagMcastInterface = 131;
    public const int TagTimeout = 132;
    public const int TagDaemon = 133;
    public const int TagStats = 134;
    public const int TagRate = 135;
    public const int TagThresholds = 136;
    public const int TagPersistentConn = 137;
    public const int TagSort = 138;
    public const int TagNoSort = 139;
    public const int TagPersistenceEngine = 140;
    public const int TagSctpService = 141;
    public const int TagMcastGroup = 142;
    public const int TagMcastPort = 143;
    public const int TagMcastTtl = 144;
    public const int TagSyncMaxlen = 145;
    public const int TagTunInfo = 146;
    public const int TagTunType = 147;
    public const int TagTunPort = 148;
    public const int TagTunNoCsum = 149;
    public const int TagTunCsum = 150;
    public const int TagTunRemCsum = 151;

    // Extensions of this implementation. They are enabled only where real ipvsadm would fail
    // anyway, so every command line ipvsadm accepts behaves identically.
    /// <summary>--atomic, only after -R.</summary>
    public const int TagAtomic = 200;
    /// <summary>--help-ipvs, only as the first option.</summary>
    public const int TagHelpIpvs = 201;

    public static readonly IReadOnlyList<PoptOption> All =
    [
        None("add-service", 'A', 'A'),
        None("edit-service", 'E', 'E'),
        None("delete-service", 'D', 'D'),
        None("clear", 'C', 'C'),
        None("list", 'L', 'L'),
        None("list", 'l', 'l'),
        None("zero", 'Z', 'Z'),
        None("add-server", 'a', 'a'),
        None("edit-server", 'e', 'e'),
        None("delete-server", 'd', 'd'),
        None("set", '\0', TagSet),
        None("help", 'h', 'h'),
        None("version", 'v', 'v'),
        None("restore", 'R', 'R'),
        None("save", 'S', 'S'),
        Arg("start-daemon", '\0', TagStartDaemon),
        Arg("stop-daemon", '\0', TagStopDaemon),
        Arg("tcp-service", 't', 't'),
        Arg("udp-service", 'u', 'u'),
        Arg("sctp-service", '\0', TagSctpService),
        Arg("fwmark-service", 'f', 'f'),
        Arg("scheduler", 's', 's'),
        new PoptOption("persistent", 'p', TakesArgument: true, OptionalArgument: true, 'p'),
        Arg("netmask", 'M', 'M'),
        Arg("real-server", 'r', 'r'),
        None("masquerading", 'm', 'm'),
        None("ipip", 'i', 'i'),
        None("gatewaying", 'g', 'g'),
        Arg("weight", 'w', 'w'),
        Arg("u-threshold", 'x', 'x'),
        Arg("l-threshold", 'y', 'y'),
        None("numeric", 'n', 'n'),
        None("connection", 'c', 'c'),
        Arg("mcast-interface", '\0', TagMcastInterface),
        Arg("syncid", '\0', 'I'),
        None("timeout", '\0', TagTimeout),
        None("daemon", '\0', TagDaemon),
        None("stats", '\0', TagStats),
        None("rate", '\0', TagRate),
        None("thresholds", '\0', TagThresholds),
        None("persistent-conn", '\0', TagPersistentConn),
        None("nosort", '\0', TagNoSort),
        None("sort", '\0', TagSort),
        None("exact", 'X', 'X'),
        None("ipv6", '6', '6'),
        None("ops", 'o', 'o'),
        Arg("pe", '\0', TagPersistenceEngine),
        Arg("sched-flags", 'b', 'b'),
        Arg("mcast-group", '\0', TagMcastGroup),
        Arg("mcast-port", '\0', TagMcastPort),
        Arg("mcast-ttl", '\0', TagMcastTtl),
        Arg("sync-maxlen", '\0', TagSyncMaxlen),
        None("tun-info", '\0', TagTunInfo),
        Arg("tun-type", '\0', TagTunType),
        Arg("tun-port", '\0', TagTunPort),
        None("tun-nocsum", '\0', TagTunNoCsum),
        None("tun-csum", '\0', TagTunCsum),
        None("tun-remcsum", '\0', TagTunRemCsum),
        None("atomic", '\0', TagAtomic),
        None("help-ipvs", '\0', TagHelpIpvs),
    ];

    private static PoptOption None(string name, char shortName, int value) => new(name, shortName, false, false, value);

    private static PoptOption Arg(string name, char shortName, int value) => new(name, shortName, true, false, value);
}
