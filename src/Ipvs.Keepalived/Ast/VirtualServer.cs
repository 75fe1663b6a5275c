namespace Ipvs.Keepalived;

/// <summary>
/// A virtual_server with the values keepalived 2.2.7 would use: what was written, else the
/// default it fills in (<c>alloc_vs()</c> in check_data.c for the initial values,
/// <c>validate_check_config()</c> for the ones resolved after parsing).
/// </summary>
public sealed record VirtualServer
{
    /// <summary>What the virtual server is: an address and port, a firewall mark, or a group.</summary>
    public required VirtualServerId Id { get; init; }

    /// <summary>
    /// The address family: from the address, else <c>ip_family</c>, else the first non-tunnelled
    /// real or sorry server, else the persistence granularity (<c>vs_end_handler()</c>,
    /// <c>rs_end_handler()</c>, <c>pgr_handler()</c>); null for a group whose family is open.
    /// </summary>
    public AddressFamily? Family { get; init; }

    /// <summary><c>lb_algo</c>/<c>lvs_sched</c>; default <c>wlc</c> (IPVS_DEF_SCHED, ipvswrapper.h).</summary>
    public required string Scheduler { get; init; }

    /// <summary><c>ops</c>, <c>flag-1..3</c>, <c>sh-port</c>, <c>sh-fallback</c>, <c>mh-port</c>, <c>mh-fallback</c> (<c>lbflags_handler()</c>).</summary>
    public ServiceFlags Flags { get; init; }

    /// <summary><c>lb_kind</c>/<c>lvs_method</c>; default NAT (<c>validate_check_config()</c>).</summary>
    public required LvsMethod Method { get; init; }

    /// <summary>
    /// <c>protocol</c>; null for a firewall-mark service (keepalived ignores it there). When an
    /// address service has none, keepalived 2.2.7 uses UDP (<c>validate_check_config()</c>).
    /// </summary>
    public IpvsProtocol? Protocol { get; init; }

    /// <summary>
    /// <c>persistence_timeout</c> in seconds; 0 is not persistent. Without a value, or when only a
    /// granularity or a zero port is given, 360 (IPVS_SVC_PERSISTENT_TIMEOUT, libipvs.h).
    /// </summary>
    public uint PersistenceTimeout { get; init; }

    /// <summary><c>persistence_granularity</c>; default the full mask, /32 or /128 (ipvswrapper.c).</summary>
    public Netmask PersistenceGranularity { get; init; }

    /// <summary><c>persistence_engine</c> (only <c>sip</c> exists).</summary>
    public string? PersistenceEngine { get; init; }

    /// <summary><c>quorum</c>: the live weight needed to keep the service; default 1.</summary>
    public uint Quorum { get; init; } = 1;

    /// <summary><c>hysteresis</c> around the quorum; default 0.</summary>
    public uint Hysteresis { get; init; }

    /// <summary><c>quorum_up</c> script.</summary>
    public NotifyScript? QuorumUp { get; init; }

    /// <summary><c>quorum_down</c> script.</summary>
    public NotifyScript? QuorumDown { get; init; }

    /// <summary><c>alpha</c>: start with every real server down until a check passes; default off.</summary>
    public bool Alpha { get; init; }

    /// <summary><c>omega</c>: run the down notifiers when keepalived stops; default off.</summary>
    public bool Omega { get; init; }

    /// <summary><c>ha_suspend</c>: suspend checkers while the VIP is not on this host.</summary>
    public bool HaSuspend { get; init; }

    /// <summary><c>inhibit_on_failure</c>: set a failed server's weight to 0 instead of removing it; default for real servers.</summary>
    public bool InhibitOnFailure { get; init; }

    /// <summary><c>delay_loop</c>: the checkers' interval; default 60 s (KEEPALIVED_DEFAULT_DELAY, check_data.h).</summary>
    public TimeSpan DelayLoop { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>connect_timeout</c>; default 5 s (<c>alloc_vs()</c>).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary><c>retry</c>; null leaves each checker's own default.</summary>
    public uint? Retry { get; init; }

    /// <summary><c>delay_before_retry</c>; null leaves each checker's own default.</summary>
    public TimeSpan? DelayBeforeRetry { get; init; }

    /// <summary><c>warmup</c>; null means "up to delay_loop".</summary>
    public TimeSpan? Warmup { get; init; }

    /// <summary><c>weight</c>: the default weight of its real servers; default 1.</summary>
    public uint Weight { get; init; } = 1;

    /// <summary><c>virtualhost</c>: default Host header for HTTP_GET/SSL_GET.</summary>
    public string? VirtualHost { get; init; }

    /// <summary><c>smtp_alert</c> resolved with the global settings; default off.</summary>
    public bool SmtpAlert { get; init; }

    /// <summary><c>snmp_name</c>.</summary>
    public string? SnmpName { get; init; }

    /// <summary><c>sorry_server</c> with its settings.</summary>
    public SorryServer? SorryServer { get; init; }

    /// <summary>The real servers, in file order, duplicates removed as keepalived does.</summary>
    public ImmutableArray<RealServer> RealServers { get; init; } = [];

    /// <summary>Where <c>virtual_server</c> is written.</summary>
    public required SourceLocation Location { get; init; }

    /// <summary>Where each of its settings that took effect is written, by keyword (<c>lb_algo</c>, <c>quorum</c>...).</summary>
    public ImmutableDictionary<string, SourceLocation> SettingLocations { get; init; } = ImmutableDictionary<string, SourceLocation>.Empty;
}

/// <summary>What a virtual_server line names.</summary>
public abstract record VirtualServerId;

/// <summary><c>virtual_server ADDRESS [PORT]</c>; port 0 when none was given (then keepalived makes it persistent).</summary>
/// <param name="Address">The virtual IP.</param>
/// <param name="Port">The port, or 0.</param>
public sealed record VirtualServerAddress(IPAddress Address, ushort Port) : VirtualServerId;

/// <summary><c>virtual_server fwmark N</c>.</summary>
/// <param name="Mark">The firewall mark.</param>
public sealed record VirtualServerFwmark(uint Mark) : VirtualServerId;

/// <summary><c>virtual_server group NAME</c>.</summary>
/// <param name="Name">The virtual_server_group's name.</param>
public sealed record VirtualServerGroupId(string Name) : VirtualServerId;

/// <summary>
/// A forwarding method as keepalived spells it: <c>NAT</c>, <c>DR</c>, or
/// <c>TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum]</c> (<c>svr_forwarding_handler()</c>).
/// </summary>
/// <param name="Method">Masquerade (NAT), DirectRoute (DR) or Tunnel (TUN).</param>
/// <param name="TunnelType">For TUN: ipip (default), gue or gre.</param>
/// <param name="TunnelPort">For a GUE tunnel: its UDP port; otherwise 0.</param>
/// <param name="TunnelFlags">For GUE/GRE: the checksum option (default nocsum).</param>
public sealed record LvsMethod(ForwardingMethod Method, TunnelType TunnelType = TunnelType.IpIp, ushort TunnelPort = 0, TunnelFlags TunnelFlags = TunnelFlags.NoChecksum)
{
    /// <summary>NAT, keepalived's default.</summary>
    public static LvsMethod Nat { get; } = new(ForwardingMethod.Masquerade);

    /// <summary>As keepalived writes it: <c>NAT</c>, <c>DR</c>, <c>TUN type gue port 6080 csum</c>.</summary>
    public override string ToString() => Method switch
    {
        ForwardingMethod.Masquerade => "NAT",
        ForwardingMethod.DirectRoute => "DR",
        ForwardingMethod.Tunnel => TunnelType switch
        {
            TunnelType.Gue => $"TUN type gue port {TunnelPort}{Checksum()}",
            TunnelType.Gre => $"TUN type gre{Checksum()}",
            _ => "TUN",
        },
        _ => Method.ToString(),
    };

    private string Checksum() => TunnelFlags switch
    {
        TunnelFlags.Checksum => " csum",
        TunnelFlags.RemoteChecksum => " remcsum",
        _ => "",
    };
}

/// <summary>A script with its arguments and the user that runs it (notify_up, quorum_up, misc_path...).</summary>
/// <param name="Arguments">The command and its arguments, after keepalived's quote and escape handling.</param>
/// <param name="User">The user given after the script, if any (else global script_user).</param>
/// <param name="Group">The group given after the user, if any.</param>
/// <param name="Location">Where the keyword is.</param>
public sealed record NotifyScript(ImmutableArray<string> Arguments, string? User, string? Group, SourceLocation Location)
{
    /// <summary>The program (the first argument).</summary>
    public string Command => Arguments.IsDefaultOrEmpty ? "" : Arguments[0];
}

/// <summary>
/// sorry_server ADDRESS [PORT]: the server used when the quorum is lost (<c>alloc_ssvr()</c>).
/// Its method is sorry_server_lvs_method, else the virtual server's.
/// </summary>
/// <param name="Address">Its address.</param>
/// <param name="Port">
/// Its port, resolved like a real server's, except that a NAT sorry server written without a port
/// keeps port 0 (<c>validate_check_config()</c> fills in only the real servers' NAT ports).
/// </param>
/// <param name="Method">Its forwarding method.</param>
/// <param name="Inhibit"><c>sorry_server_inhibit</c>.</param>
/// <param name="Location">Where the keyword is.</param>
public sealed record SorryServer(IPAddress Address, ushort Port, LvsMethod Method, bool Inhibit, SourceLocation Location);
