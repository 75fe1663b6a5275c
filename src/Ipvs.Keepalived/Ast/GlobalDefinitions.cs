using System.Collections.Immutable;

namespace Ipvs.Keepalived;

/// <summary>
/// global_defs, with the settings that matter to an IPVS control plane picked out, and every line
/// kept in <see cref="Settings"/>. Keywords keepalived accepts but ipvs does not use (VRRP tuning,
/// SNMP, D-Bus...) are accepted and only kept there.
/// </summary>
public sealed record GlobalDefinitions
{
    /// <summary>Where global_defs starts; null when there is none.</summary>
    public SourceLocation? Location { get; init; }

    /// <summary><c>router_id</c>; keepalived defaults it to the host name at run time.</summary>
    public string? RouterId { get; init; }

    /// <summary><c>lvs_timeouts tcp N tcpfin N udp N</c>: IPVS connection timeouts in seconds (0 keeps the kernel's).</summary>
    public LvsTimeouts? LvsTimeouts { get; init; }

    /// <summary><c>lvs_sync_daemon</c>: the IPVS connection-sync daemon keepalived runs with VRRP.</summary>
    public LvsSyncDaemon? LvsSyncDaemon { get; init; }

    /// <summary><c>lvs_flush</c>: flush the whole IPVS table at start-up.</summary>
    public bool LvsFlush { get; init; }

    /// <summary><c>lvs_flush_on_stop [VS]</c>: what keepalived removes when it stops.</summary>
    public LvsFlushOnStop LvsFlushOnStop { get; init; }

    /// <summary><c>notification_email { ... }</c> addresses.</summary>
    public ImmutableArray<string> NotificationEmails { get; init; } = [];

    /// <summary><c>notification_email_from</c>.</summary>
    public string? NotificationEmailFrom { get; init; }

    /// <summary><c>smtp_server</c> as written (address, optional port).</summary>
    public ImmutableArray<string> SmtpServer { get; init; } = [];

    /// <summary><c>smtp_alert</c>; null when not set.</summary>
    public bool? SmtpAlert { get; init; }

    /// <summary><c>smtp_alert_checker</c>; null when not set.</summary>
    public bool? SmtpAlertChecker { get; init; }

    /// <summary><c>script_user USER [GROUP]</c>: who runs checker and notify scripts.</summary>
    public string? ScriptUser { get; init; }

    /// <summary>The group of <c>script_user</c>.</summary>
    public string? ScriptGroup { get; init; }

    /// <summary><c>enable_script_security</c>.</summary>
    public bool EnableScriptSecurity { get; init; }

    /// <summary><c>checker_log_all_failures</c>.</summary>
    public bool CheckerLogAllFailures { get; init; }

    /// <summary>Root-level <c>net_namespace</c>: keepalived runs in this network namespace.</summary>
    public string? NetNamespace { get; init; }

    /// <summary>Root-level <c>net_namespace_ipvs</c>: the namespace whose IPVS table keepalived drives (default: <see cref="NetNamespace"/>).</summary>
    public string? NetNamespaceIpvs { get; init; }

    /// <summary>Root-level <c>instance</c>.</summary>
    public string? Instance { get; init; }

    /// <summary>Every global_defs line and root-level global keyword, in order, as written.</summary>
    public ImmutableArray<GlobalSetting> Settings { get; init; } = [];
}

/// <summary>One global setting as written.</summary>
/// <param name="Keyword">The keyword.</param>
/// <param name="Arguments">The words after it.</param>
/// <param name="Location">Where the keyword is.</param>
public sealed record GlobalSetting(string Keyword, ImmutableArray<string> Arguments, SourceLocation Location);

/// <summary>IPVS connection timeouts in seconds; null is "not given" (keepalived leaves the kernel's).</summary>
/// <param name="Tcp">Established TCP.</param>
/// <param name="TcpFin">TCP after FIN.</param>
/// <param name="Udp">UDP.</param>
/// <param name="Location">Where the keyword is.</param>
public sealed record LvsTimeouts(uint? Tcp, uint? TcpFin, uint? Udp, SourceLocation Location);

/// <summary>What keepalived removes from IPVS when it stops.</summary>
public enum LvsFlushOnStop
{
    /// <summary>Only what it added, by deleting its real servers (the default).</summary>
    None = 0,

    /// <summary>The whole table (<c>lvs_flush_on_stop</c>).</summary>
    Full = 1,

    /// <summary>Its virtual servers (<c>lvs_flush_on_stop VS</c>).</summary>
    VirtualServers = 2,
}

/// <summary><c>lvs_sync_daemon INTERFACE [inst VRRP] [id N] [maxlen N] [port N] [ttl N] [group ADDR]</c>.</summary>
/// <param name="Interface">The interface the daemon sends on.</param>
/// <param name="VrrpInstance">The VRRP instance whose state decides master/backup.</param>
/// <param name="SyncId">0..255; null means the VRRP instance's VRID (keepalived's default).</param>
/// <param name="MaxLength">Largest sync message, 1..65507.</param>
/// <param name="Port">UDP port, 1..65535.</param>
/// <param name="Ttl">Multicast TTL, 1..255.</param>
/// <param name="Group">Multicast group.</param>
/// <param name="Location">Where the keyword is.</param>
public sealed record LvsSyncDaemon(string Interface, string? VrrpInstance, uint? SyncId, uint? MaxLength, uint? Port, uint? Ttl, IPAddress? Group, SourceLocation Location);
