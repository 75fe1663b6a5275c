namespace Ipvs.Keepalived;

/// <summary>
/// A real_server with every setting resolved: its own value, else the virtual server's, else
/// keepalived's default (<c>alloc_rs()</c> and <c>validate_check_config()</c> in check_data.c).
/// </summary>
public sealed record RealServer
{
    /// <summary>The server's address.</summary>
    public required IPAddress Address { get; init; }

    /// <summary>
    /// The port keepalived uses: as written; when none was written, the virtual server's port; for
    /// DR/TUN always the virtual server's port (keepalived resets a different one, with a warning);
    /// 0 for a firewall-mark service with DR/TUN.
    /// </summary>
    public ushort Port { get; init; }

    /// <summary>The port as written; 0 when none was.</summary>
    public ushort WrittenPort { get; init; }

    /// <summary><c>weight</c>, 0..2147483647; default the virtual server's <c>weight</c> (1).</summary>
    public uint Weight { get; init; } = 1;

    /// <summary><c>lvs_method</c>; default the virtual server's method.</summary>
    public required LvsMethod Method { get; init; }

    /// <summary><c>uthreshold</c>: connection limit; 0 is none.</summary>
    public uint UpperThreshold { get; init; }

    /// <summary><c>lthreshold</c>: the count under which a server over its limit is used again; 0 is none.</summary>
    public uint LowerThreshold { get; init; }

    /// <summary><c>inhibit_on_failure</c>; default the virtual server's.</summary>
    public bool InhibitOnFailure { get; init; }

    /// <summary><c>alpha</c>; default the virtual server's.</summary>
    public bool Alpha { get; init; }

    /// <summary><c>retry</c>; default the virtual server's (null: each checker's own).</summary>
    public uint? Retry { get; init; }

    /// <summary><c>connect_timeout</c>; default the virtual server's (5 s).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary><c>delay_loop</c>; default the virtual server's (60 s).</summary>
    public TimeSpan DelayLoop { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>warmup</c>; default the virtual server's (null: up to each checker's delay_loop).</summary>
    public TimeSpan? Warmup { get; init; }

    /// <summary><c>delay_before_retry</c>; default the virtual server's (null: each checker's own).</summary>
    public TimeSpan? DelayBeforeRetry { get; init; }

    /// <summary><c>notify_up</c> script.</summary>
    public NotifyScript? NotifyUp { get; init; }

    /// <summary><c>notify_down</c> script.</summary>
    public NotifyScript? NotifyDown { get; init; }

    /// <summary><c>virtualhost</c>; default the virtual server's.</summary>
    public string? VirtualHost { get; init; }

    /// <summary>
    /// <c>smtp_alert</c>; default global smtp_alert_checker, else global smtp_alert, else on
    /// (keepalived keeps "on" here for backward compatibility).
    /// </summary>
    public bool SmtpAlert { get; init; } = true;

    /// <summary><c>snmp_name</c>.</summary>
    public string? SnmpName { get; init; }

    /// <summary>The health checkers, in file order.</summary>
    public ImmutableArray<HealthChecker> Checkers { get; init; } = [];

    /// <summary>Where <c>real_server</c> is written.</summary>
    public required SourceLocation Location { get; init; }

    /// <summary>Where each of its own settings that took effect is written, by keyword (<c>weight</c>, <c>lvs_method</c>...).</summary>
    public ImmutableDictionary<string, SourceLocation> SettingLocations { get; init; } = ImmutableDictionary<string, SourceLocation>.Empty;
}
