namespace Ipvs.Desired;

/// <summary>Passes when a TCP connection opens (keepalived's TCP_CHECK).</summary>
public sealed record TcpCheck : HealthCheck
{
    /// <inheritdoc />
    public override string Kind => "tcp";

    internal override bool NeedsPort => true;
}

/// <summary>
/// Sends a datagram and, when <see cref="RequireReply"/>, passes only on a reply that starts with
/// <see cref="ExpectedReply"/> (keepalived's UDP_CHECK). Without it, only an ICMP error fails.
/// </summary>
public sealed record UdpCheck : HealthCheck
{
    /// <inheritdoc />
    public override string Kind => "udp";

    /// <summary>The datagram's payload; may be empty.</summary>
    public ImmutableArray<byte> Payload
    {
        get;
        init => field = value.IsDefault ? [] : value;
    } = [];

    /// <summary>Fail unless a reply arrives within the read timeout.</summary>
    public bool RequireReply { get; init; }

    /// <summary>What the reply must start with; empty accepts any reply.</summary>
    public ImmutableArray<byte> ExpectedReply
    {
        get;
        init => field = value.IsDefault ? [] : value;
    } = [];

    internal override bool NeedsPort => true;
}

/// <summary>DNS query types a <see cref="DnsCheck"/> can ask for; values are QTYPE numbers.</summary>
public enum DnsRecordType : ushort
{
    /// <summary>IPv4 address.</summary>
    A = 1,

    /// <summary>Name server.</summary>
    Ns = 2,

    /// <summary>Canonical name.</summary>
    Cname = 5,

    /// <summary>Start of authority.</summary>
    Soa = 6,

    /// <summary>Pointer.</summary>
    Ptr = 12,

    /// <summary>Mail exchanger.</summary>
    Mx = 15,

    /// <summary>Text.</summary>
    Txt = 16,

    /// <summary>IPv6 address.</summary>
    Aaaa = 28,

    /// <summary>Service locator.</summary>
    Srv = 33,
}

/// <summary>Sends a DNS query and passes on an answer with no error (keepalived's DNS_CHECK).</summary>
public sealed record DnsCheck : HealthCheck
{
    /// <inheritdoc />
    public override string Kind => "dns";

    /// <summary>The query type; A by default.</summary>
    public DnsRecordType Type { get; init; } = DnsRecordType.A;

    /// <summary>The name asked for; the root (<c>.</c>) by default.</summary>
    public string Name { get; init; } = ".";

    internal override bool NeedsPort => true;
}

/// <summary>Connects, reads the greeting, says HELO and QUIT, passing on 2xx replies (keepalived's SMTP_CHECK).</summary>
public sealed record SmtpCheck : HealthCheck
{
    /// <inheritdoc />
    public override string Kind => "smtp";

    /// <summary>The HELO name, or null for the host's name.</summary>
    public string? HeloName { get; init; }

    internal override bool NeedsPort => true;
}

/// <summary>Passes on an ICMP (or ICMPv6) echo reply (keepalived's PING_CHECK).</summary>
public sealed record IcmpCheck : HealthCheck
{
    /// <inheritdoc />
    public override string Kind => "icmp";
}
