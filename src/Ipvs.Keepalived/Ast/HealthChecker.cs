namespace Ipvs.Keepalived;

/// <summary>
/// A health checker of a real server. Timing and connection settings are resolved as keepalived
/// does: the checker's own, else the real server's, else the virtual server's, else the checker
/// type's default (<c>queue_checker()</c> in check_api.c, <c>validate_check_config()</c>).
/// </summary>
public abstract record HealthChecker
{
    /// <summary>Where the checker keyword is.</summary>
    public required SourceLocation Location { get; init; }

    /// <summary>Where each of its own settings that took effect is written, by keyword (<c>connect_port</c>, <c>retry</c>...).</summary>
    public ImmutableDictionary<string, SourceLocation> SettingLocations { get; init; } = ImmutableDictionary<string, SourceLocation>.Empty;

    /// <summary>The keyword: HTTP_GET, SSL_GET, TCP_CHECK, MISC_CHECK, SMTP_CHECK, DNS_CHECK, UDP_CHECK, PING_CHECK, FILE_CHECK or BFD_CHECK.</summary>
    public abstract string Kind { get; }
}

/// <summary>A checker that keepalived schedules itself, with retries and a loop.</summary>
public abstract record TimedChecker : HealthChecker
{
    /// <summary>Retries, intervals, alpha.</summary>
    public required CheckerTiming Timing { get; init; }
}

/// <summary>A checker that opens a connection of its own.</summary>
public abstract record ConnectingChecker : TimedChecker
{
    /// <summary>Where and how it connects.</summary>
    public required CheckerConnection Connection { get; init; }
}

/// <summary>
/// The scheduling of a checker (install_checker_common_keywords() in check_api.c).
/// </summary>
/// <param name="Retry">
/// <c>retry</c> (HTTP_GET's deprecated <c>nb_get_retry</c> too); default the real server's, else
/// 1, but 0 for MISC_CHECK and 3 for DNS_CHECK.
/// </param>
/// <param name="DelayBeforeRetry">
/// <c>delay_before_retry</c>; default the real server's, else 3 s for HTTP_GET/SSL_GET, delay_loop
/// for DNS_CHECK, 1 s otherwise.
/// </param>
/// <param name="Warmup"><c>warmup</c>: the random start delay's upper bound; default the real server's, else delay_loop.</param>
/// <param name="DelayLoop"><c>delay_loop</c>; default the real server's (60 s).</param>
/// <param name="Alpha"><c>alpha</c>; default the real server's.</param>
/// <param name="LogAllFailures"><c>log_all_failures</c>; default global checker_log_all_failures.</param>
public sealed record CheckerTiming(uint Retry, TimeSpan DelayBeforeRetry, TimeSpan Warmup, TimeSpan DelayLoop, bool Alpha, bool LogAllFailures);

/// <summary>Where a checker connects (the connection keywords of install_checker_common_keywords()).</summary>
/// <param name="Address"><c>connect_ip</c>; default the real server's address.</param>
/// <param name="Port">
/// <c>connect_port</c>; default the real server's port as written. keepalived copies the real
/// server's address before filling in a missing port, so a real server written without a port
/// leaves 0 here (the parser warns).
/// </param>
/// <param name="BindTo"><c>bindto</c> source address.</param>
/// <param name="BindPort"><c>bind_port</c> source port; 0 when not set.</param>
/// <param name="BindInterface"><c>bind_if</c>.</param>
/// <param name="Timeout"><c>connect_timeout</c>; default the real server's (5 s).</param>
/// <param name="Fwmark"><c>fwmark</c> put on the checker's packets; 0 when not set.</param>
public sealed record CheckerConnection(IPAddress Address, ushort Port, IPAddress? BindTo, ushort BindPort, string? BindInterface, TimeSpan Timeout, uint Fwmark);

/// <summary>HTTP_GET or SSL_GET (check_http.c).</summary>
public sealed record HttpChecker : ConnectingChecker
{
    /// <summary>True for SSL_GET.</summary>
    public bool Ssl { get; init; }

    /// <inheritdoc/>
    public override string Kind => Ssl ? "SSL_GET" : "HTTP_GET";

    /// <summary>The URLs checked in turn; at least one (keepalived drops a checker without).</summary>
    public ImmutableArray<HttpUrl> Urls { get; init; } = [];

    /// <summary>The Host header: the checker's <c>virtualhost</c>, else the real server's, else the virtual server's.</summary>
    public string? VirtualHost { get; init; }

    /// <summary><c>http_protocol</c>; default 1.0 (<c>alloc_http_get()</c>).</summary>
    public HttpProtocolVersion Protocol { get; init; } = HttpProtocolVersion.Http10;

    /// <summary><c>enable_sni</c>.</summary>
    public bool EnableSni { get; init; }

    /// <summary><c>fast_recovery</c>.</summary>
    public bool FastRecovery { get; init; }
}

/// <summary>The HTTP version an HTTP_GET speaks.</summary>
public enum HttpProtocolVersion
{
    /// <summary>HTTP/1.0 (<c>1.0</c>), the default.</summary>
    Http10 = 0,

    /// <summary>HTTP/1.0 with "Connection: close" (<c>1.0C</c>).</summary>
    Http10Close = 1,

    /// <summary>HTTP/1.1 (<c>1.1</c>).</summary>
    Http11 = 2,
}

/// <summary>A <c>url { ... }</c> of HTTP_GET/SSL_GET.</summary>
/// <param name="Path"><c>path</c> (required; keepalived drops a url without).</param>
/// <param name="Digest"><c>digest</c>: the MD5 of the body, 32 hex digits, lower-cased.</param>
/// <param name="StatusCodes"><c>status_code</c> ranges, 100..599; default 200-299 (HTTP_DEFAULT_STATUS_CODE_MIN/MAX).</param>
/// <param name="VirtualHost">The url's own <c>virtualhost</c>.</param>
/// <param name="Regex"><c>regex</c> and its options.</param>
/// <param name="Location">Where <c>url</c> is.</param>
public sealed record HttpUrl(string Path, string? Digest, ImmutableArray<StatusCodeRange> StatusCodes, string? VirtualHost, HttpRegex? Regex, SourceLocation Location);

/// <summary>An inclusive range of HTTP status codes.</summary>
/// <param name="First">The first code.</param>
/// <param name="Last">The last code.</param>
public readonly record struct StatusCodeRange(int First, int Last)
{
    /// <summary><c>200</c> or <c>200-299</c>.</summary>
    public override string ToString() => First == Last ? $"{First}" : $"{First}-{Last}";
}

/// <summary>A url's <c>regex</c> with <c>regex_no_match</c>, <c>regex_options</c>, offsets and stack.</summary>
/// <param name="Pattern">The PCRE2 pattern.</param>
/// <param name="NoMatch">Fail when it matches.</param>
/// <param name="Options">PCRE2 option names (keepalived ignores names it does not know).</param>
/// <param name="MinOffset"><c>regex_min_offset</c>.</param>
/// <param name="MaxOffset"><c>regex_max_offset</c>; null when not set.</param>
/// <param name="StackStart"><c>regex_stack</c> start, or null.</param>
/// <param name="StackMax"><c>regex_stack</c> maximum, or null.</param>
public sealed record HttpRegex(string Pattern, bool NoMatch, ImmutableArray<string> Options, ulong MinOffset, ulong? MaxOffset, ulong? StackStart, ulong? StackMax);

/// <summary>TCP_CHECK: a connect (check_tcp.c).</summary>
public sealed record TcpChecker : ConnectingChecker
{
    /// <inheritdoc/>
    public override string Kind => "TCP_CHECK";
}

/// <summary>PING_CHECK: an ICMP echo (check_ping.c).</summary>
public sealed record PingChecker : ConnectingChecker
{
    /// <inheritdoc/>
    public override string Kind => "PING_CHECK";
}

/// <summary>SMTP_CHECK: HELO to an SMTP server (check_smtp.c).</summary>
public sealed record SmtpChecker : ConnectingChecker
{
    /// <inheritdoc/>
    public override string Kind => "SMTP_CHECK";

    /// <summary><c>helo_name</c>; default <c>smtpchecker.keepalived.org</c> (SMTP_DEFAULT_HELO).</summary>
    public string HeloName { get; init; } = "smtpchecker.keepalived.org";

    /// <summary>Deprecated <c>host { ... }</c> blocks; keepalived turns each into one more SMTP checker.</summary>
    public ImmutableArray<CheckerConnection> Hosts { get; init; } = [];
}

/// <summary>DNS_CHECK: a query over UDP (check_dns.c).</summary>
public sealed record DnsChecker : ConnectingChecker
{
    /// <inheritdoc/>
    public override string Kind => "DNS_CHECK";

    /// <summary><c>type</c>: A NS CNAME SOA MX TXT AAAA RRSIG DNSKEY, upper-cased; default SOA (DNS_DEFAULT_TYPE).</summary>
    public string QueryType { get; init; } = "SOA";

    /// <summary><c>name</c>; default empty, the root (DNS_DEFAULT_NAME).</summary>
    public string Name { get; init; } = "";
}

/// <summary>UDP_CHECK: a datagram and, optionally, a reply (check_udp.c).</summary>
public sealed record UdpChecker : ConnectingChecker
{
    /// <inheritdoc/>
    public override string Kind => "UDP_CHECK";

    /// <summary><c>payload</c> bytes; null sends random data.</summary>
    public ImmutableArray<byte>? Payload { get; init; }

    /// <summary><c>require_reply</c>.</summary>
    public bool RequireReply { get; init; }

    /// <summary>The expected reply prefix given to require_reply, or null.</summary>
    public ImmutableArray<byte>? ReplyData { get; init; }

    /// <summary>Bits of <see cref="ReplyData"/> that must match (0 for an <c>x</c> nibble), or null when every bit must.</summary>
    public ImmutableArray<byte>? ReplyMask { get; init; }

    /// <summary><c>min_reply_length</c>; default 0.</summary>
    public ushort MinReplyLength { get; init; }

    /// <summary><c>max_reply_length</c>; default 255.</summary>
    public ushort MaxReplyLength { get; init; } = 255;
}

/// <summary>MISC_CHECK: a script (check_misc.c). It has no connection settings.</summary>
public sealed record MiscChecker : TimedChecker
{
    /// <inheritdoc/>
    public override string Kind => "MISC_CHECK";

    /// <summary><c>misc_path</c> with its arguments and <c>user</c>.</summary>
    public required NotifyScript Script { get; init; }

    /// <summary><c>misc_timeout</c> in whole seconds; default (0) means the virtual server's delay_loop.</summary>
    public TimeSpan Timeout { get; init; }

    /// <summary><c>misc_dynamic</c>: the exit code sets the weight.</summary>
    public bool Dynamic { get; init; }
}

/// <summary>FILE_CHECK: a weight taken from a track_file (check_file.c). It has no timing.</summary>
public sealed record FileChecker : HealthChecker
{
    /// <inheritdoc/>
    public override string Kind => "FILE_CHECK";

    /// <summary>The track_file's name.</summary>
    public required string TrackFile { get; init; }

    /// <summary>The file it reads (from the track_file).</summary>
    public required string FilePath { get; init; }

    /// <summary><c>weight</c>; default the track_file's weight.</summary>
    public int Weight { get; init; }

    /// <summary><c>weight N reverse</c>; default the track_file's.</summary>
    public bool Reverse { get; init; }
}

/// <summary>BFD_CHECK: the state of a bfd_instance (check_bfd.c); the BFD session itself stays with keepalived.</summary>
public sealed record BfdChecker : HealthChecker
{
    /// <inheritdoc/>
    public override string Kind => "BFD_CHECK";

    /// <summary>The bfd_instance's name.</summary>
    public required string Name { get; init; }

    /// <summary><c>alpha</c>.</summary>
    public bool Alpha { get; init; }
}
