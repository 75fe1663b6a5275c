using Ipvs.Keepalived.Syntax;

namespace Ipvs.Keepalived.Parsing;

// Mutable state while parsing, one class per keepalived structure (check_data.h). Null means
// "not written", so that the validator can resolve defaults the way validate_check_config() does.

/// <summary>Remembers where each keyword of a block was first set, for duplicate-setting notes.</summary>
internal abstract class NodeBuilder(SourceLocation location)
{
    public SourceLocation Location { get; } = location;

    public Dictionary<string, SourceLocation> Seen { get; } = new(StringComparer.Ordinal);

    /// <summary>Where each setting that took effect was written (the last one, or the first where keepalived keeps the first).</summary>
    public Dictionary<string, SourceLocation> Written { get; } = new(StringComparer.Ordinal);

    public ImmutableDictionary<string, SourceLocation> WrittenLocations() => Written.ToImmutableDictionary(StringComparer.Ordinal);
}

internal sealed class GlobalBuilder
{
    public SourceLocation? Location { get; set; }
    public string? RouterId { get; set; }
    public uint? TcpTimeout { get; set; }
    public uint? TcpFinTimeout { get; set; }
    public uint? UdpTimeout { get; set; }
    public SourceLocation? TimeoutsAt { get; set; }
    public LvsSyncDaemon? SyncDaemon { get; set; }
    public bool LvsFlush { get; set; }
    public LvsFlushOnStop FlushOnStop { get; set; }
    public List<string> Emails { get; } = [];
    public string? EmailFrom { get; set; }
    public ImmutableArray<string> SmtpServer { get; set; } = [];
    public bool? SmtpAlert { get; set; }
    public bool? SmtpAlertChecker { get; set; }
    public string? ScriptUser { get; set; }
    public string? ScriptGroup { get; set; }
    public bool ScriptSecurity { get; set; }
    public bool CheckerLogAllFailures { get; set; }
    public string? NetNamespace { get; set; }
    public string? NetNamespaceIpvs { get; set; }
    public string? Instance { get; set; }
    public List<GlobalSetting> Settings { get; } = [];
}

internal sealed class GroupBuilder(string name, SourceLocation location) : NodeBuilder(location)
{
    public string Name { get; } = name;
    public List<VirtualServerGroupEntry> Entries { get; } = [];
    public bool HasIPv4 { get; set; }
    public bool HasIPv6 { get; set; }
    public bool FwmarkWithoutFamily { get; set; }
}

internal sealed class VirtualServerBuilder(VirtualServerId id, SourceLocation location, Line line) : NodeBuilder(location)
{
    public VirtualServerId Id { get; } = id;
    public Line Line { get; } = line;
    public AddressFamily? Family { get; set; }
    public string? Scheduler { get; set; }
    public ServiceFlags Flags { get; set; }
    public LvsMethod? Method { get; set; }
    public IpvsProtocol? Protocol { get; set; }
    public SourceLocation? ProtocolAt { get; set; }
    public uint PersistenceTimeout { get; set; }
    public Netmask? Granularity { get; set; }
    public string? PersistenceEngine { get; set; }
    public uint Quorum { get; set; } = 1;
    public SourceLocation? QuorumAt { get; set; }
    public uint Hysteresis { get; set; }
    public SourceLocation? HysteresisAt { get; set; }
    public NotifyScript? QuorumUp { get; set; }
    public NotifyScript? QuorumDown { get; set; }
    public bool Alpha { get; set; }
    public bool Omega { get; set; }
    public bool HaSuspend { get; set; }
    public bool Inhibit { get; set; }
    public TimeSpan DelayLoop { get; set; } = TimeSpan.FromSeconds(60);
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);
    public uint? Retry { get; set; }
    public TimeSpan? DelayBeforeRetry { get; set; }
    public TimeSpan? Warmup { get; set; }
    public uint Weight { get; set; } = 1;
    public string? VirtualHost { get; set; }
    public bool? SmtpAlert { get; set; }
    public string? SnmpName { get; set; }
    public SorryServerBuilder? Sorry { get; set; }
    public List<RealServerBuilder> RealServers { get; } = [];

    public string Describe() => $"virtual_server {Line.Join(1)}";
}

internal sealed class SorryServerBuilder(IPAddress address, ushort port, LvsMethod? method, SourceLocation location)
{
    public IPAddress Address { get; } = address;
    public ushort Port { get; set; } = port;
    public LvsMethod? Method { get; set; } = method;
    public bool Inhibit { get; set; }
    public SourceLocation Location { get; } = location;
}

internal sealed class RealServerBuilder(IPAddress address, ushort port, SourceLocation location, Line line) : NodeBuilder(location)
{
    public IPAddress Address { get; } = address;
    public ushort WrittenPort { get; } = port;
    public Line Line { get; } = line;
    public uint? Weight { get; set; }
    public LvsMethod? Method { get; set; }

    /// <summary>alloc_rs() copies the virtual server's method as it is at the real_server line.</summary>
    public LvsMethod? InheritedMethod { get; init; }

    public LvsMethod? OwnOrInheritedMethod => Method ?? InheritedMethod;
    public uint UpperThreshold { get; set; }
    public uint LowerThreshold { get; set; }
    public bool? Inhibit { get; set; }
    public bool? Alpha { get; set; }
    public uint? Retry { get; set; }
    public TimeSpan? ConnectTimeout { get; set; }
    public TimeSpan? DelayLoop { get; set; }
    public TimeSpan? Warmup { get; set; }
    public TimeSpan? DelayBeforeRetry { get; set; }
    public NotifyScript? NotifyUp { get; set; }
    public NotifyScript? NotifyDown { get; set; }
    public string? VirtualHost { get; set; }
    public bool? SmtpAlert { get; set; }
    public string? SnmpName { get; set; }
    public List<CheckerBuilder> Checkers { get; } = [];

    public string Describe() => $"real_server {Line.Join(1)}";
}

internal sealed class ConnectionBuilder
{
    public IPAddress? Address { get; set; }
    public ushort? Port { get; set; }
    public IPAddress? BindTo { get; set; }
    public ushort BindPort { get; set; }
    public string? BindInterface { get; set; }
    public TimeSpan? Timeout { get; set; }
    public uint Fwmark { get; set; }
}

internal enum CheckerKind
{
    Http,
    Ssl,
    Tcp,
    Ping,
    Smtp,
    Dns,
    Udp,
    Misc,
    File,
    Bfd,
}

internal sealed class CheckerBuilder(CheckerKind kind, SourceLocation location, Line line) : NodeBuilder(location)
{
    public CheckerKind Kind { get; } = kind;
    public Line Line { get; } = line;
    public bool Dropped { get; set; }
    public uint? Retry { get; set; }
    public TimeSpan? DelayBeforeRetry { get; set; }
    public TimeSpan? Warmup { get; set; }
    public TimeSpan? DelayLoop { get; set; }
    public bool? Alpha { get; set; }
    public bool? LogAllFailures { get; set; }
    public ConnectionBuilder? Connection { get; set; }

    // HTTP_GET / SSL_GET
    public List<UrlBuilder> Urls { get; } = [];
    public string? VirtualHost { get; set; }
    public HttpProtocolVersion HttpProtocol { get; set; }
    public bool EnableSni { get; set; }
    public bool FastRecovery { get; set; }

    // SMTP_CHECK
    public string? HeloName { get; set; }
    public List<ConnectionBuilder> Hosts { get; } = [];
    public ConnectionBuilder? SavedConnection { get; set; }

    // DNS_CHECK
    public string DnsType { get; set; } = "SOA";
    public string? DnsName { get; set; }

    // UDP_CHECK
    public ImmutableArray<byte>? Payload { get; set; }
    public bool RequireReply { get; set; }
    public ImmutableArray<byte>? ReplyData { get; set; }
    public ImmutableArray<byte>? ReplyMask { get; set; }
    public ushort MinReplyLength { get; set; }
    public ushort MaxReplyLength { get; set; } = 255;

    // MISC_CHECK
    public NotifyScript? Script { get; set; }
    public uint MiscTimeout { get; set; }
    public bool Dynamic { get; set; }
    public string? User { get; set; }
    public string? Group { get; set; }

    // FILE_CHECK
    public TrackFileBuilder? TrackFile { get; set; }
    public int? FileWeight { get; set; }
    public bool FileReverse { get; set; }

    // BFD_CHECK
    public string? BfdName { get; set; }

    public string Keyword => Line.Keyword;
}

internal sealed class UrlBuilder(SourceLocation location) : NodeBuilder(location)
{
    public bool Dropped { get; set; }
    public string? Path { get; set; }
    public string? Digest { get; set; }
    public List<StatusCodeRange> StatusCodes { get; } = [];
    public string? VirtualHost { get; set; }
    public string? Regex { get; set; }
    public bool RegexNoMatch { get; set; }
    public List<string> RegexOptions { get; } = [];
    public ulong RegexMinOffset { get; set; }
    public ulong? RegexMaxOffset { get; set; }
    public ulong? StackStart { get; set; }
    public ulong? StackMax { get; set; }
}

internal sealed class TrackFileBuilder(string name, SourceLocation location) : NodeBuilder(location)
{
    public string Name { get; } = name;
    public string? FilePath { get; set; }
    public int Weight { get; set; } = 1;
    public bool WeightSet { get; set; }
    public bool Reverse { get; set; }
    public TrackFileInit? Init { get; set; }
}

internal sealed class SslBuilder(SourceLocation location) : NodeBuilder(location)
{
    public string? Password { get; set; }
    public string? CaFile { get; set; }
    public string? CertificateFile { get; set; }
    public string? KeyFile { get; set; }
}
