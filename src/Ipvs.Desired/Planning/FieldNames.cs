namespace Ipvs.Desired;

/// <summary>
/// The names of settings an edit changes, as listed in <see cref="PlannedChange.ChangedFields"/> and
/// in the JSON rendering (the same names as the settings' JSON properties).
/// </summary>
public static class FieldNames
{
    /// <summary>The service's scheduler.</summary>
    public const string Scheduler = "scheduler";

    /// <summary>One-packet and scheduler flags.</summary>
    public const string Flags = "flags";

    /// <summary>The persistence timeout (0: not persistent).</summary>
    public const string PersistenceTimeout = "persistenceTimeout";

    /// <summary>The persistence netmask.</summary>
    public const string Netmask = "netmask";

    /// <summary>The persistence engine.</summary>
    public const string PersistenceEngine = "persistenceEngine";

    /// <summary>The destination's forwarding method.</summary>
    public const string Forwarding = "forwarding";

    /// <summary>The destination's weight.</summary>
    public const string Weight = "weight";

    /// <summary>The upper connection threshold.</summary>
    public const string UpperThreshold = "upperThreshold";

    /// <summary>The lower connection threshold.</summary>
    public const string LowerThreshold = "lowerThreshold";

    /// <summary>The tunnel type.</summary>
    public const string TunnelType = "tunnelType";

    /// <summary>The GUE tunnel port.</summary>
    public const string TunnelPort = "tunnelPort";

    /// <summary>The tunnel checksum flags.</summary>
    public const string TunnelFlags = "tunnelFlags";

    /// <summary>The TCP timeout.</summary>
    public const string Tcp = "tcp";

    /// <summary>The TCP FIN timeout.</summary>
    public const string TcpFin = "tcpFin";

    /// <summary>The UDP timeout.</summary>
    public const string Udp = "udp";
}
