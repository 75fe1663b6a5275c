using System.Text.Json.Serialization;

namespace Ipvs.Cli.Formats;

// The stable JSON shape of `ipvs list -o json` and `ipvs save -o json` (and the input of
// `ipvs restore`). Field names are camelCase; absent optional fields are left out rather than
// written as null. "version" changes only when a field changes meaning or goes away; new fields
// may appear in any version. README.md documents the shape.

/// <summary>A whole table: what `ipvs save -o json` writes and `ipvs restore` reads.</summary>
internal sealed record TableDocument
{
    /// <summary>The document format's version (absent in input: 1).</summary>
    public int? Version { get; init; }

    /// <summary>The services, sorted by key.</summary>
    public List<ServiceDocument>? Services { get; init; }

    /// <summary>The connection timeouts (save only; absent in list output).</summary>
    public TimeoutsDocument? Timeouts { get; init; }
}

/// <summary>One virtual service.</summary>
internal sealed record ServiceDocument
{
    /// <summary>The key as one string: tcp:10.0.0.1:80, udp:[2001:db8::1]:53, fwmark:1, fwmark6:1.</summary>
    public string? Service { get; init; }

    /// <summary>ipv4 or ipv6.</summary>
    public string? Family { get; init; }

    /// <summary>tcp, udp or sctp; absent for a firewall-mark service.</summary>
    public string? Protocol { get; init; }

    /// <summary>The virtual address; absent for a firewall-mark service.</summary>
    public string? Address { get; init; }

    /// <summary>The virtual port (0 = any port with persistence).</summary>
    public int? Port { get; init; }

    /// <summary>The firewall mark; absent for an address service.</summary>
    public long? Fwmark { get; init; }

    /// <summary>The scheduler's name.</summary>
    public string? Scheduler { get; init; }

    /// <summary>Scheduler flags by their ipvsadm names (sh-port, mh-fallback, flag-3, …).</summary>
    public List<string>? SchedulerFlags { get; init; }

    /// <summary>One-packet scheduling (ipvsadm -o).</summary>
    public bool? OnePacket { get; init; }

    /// <summary>The persistence timeout in seconds; absent when not persistent.</summary>
    public long? Persistence { get; init; }

    /// <summary>The persistence netmask: a dotted mask (IPv4) or a prefix length like /64 (IPv6).</summary>
    public string? Netmask { get; init; }

    /// <summary>The persistence engine (sip), if any.</summary>
    public string? PersistenceEngine { get; init; }

    /// <summary>Counters since the service was added or zeroed (list --stats).</summary>
    public StatsDocument? Stats { get; init; }

    /// <summary>The kernel's rate estimates, per second (list --rates).</summary>
    public StatsDocument? Rates { get; init; }

    /// <summary>The real servers.</summary>
    public List<DestinationDocument>? Destinations { get; init; }
}

/// <summary>One real server of a service.</summary>
internal sealed record DestinationDocument
{
    /// <summary>The real server's address.</summary>
    public string? Address { get; init; }

    /// <summary>The real server's port.</summary>
    public int? Port { get; init; }

    /// <summary>masq, route, tunnel, local or bypass.</summary>
    public string? Forward { get; init; }

    /// <summary>The weight (0 = quiesced).</summary>
    public long? Weight { get; init; }

    /// <summary>Upper connection threshold (0 = none).</summary>
    public long? UpperThreshold { get; init; }

    /// <summary>Lower connection threshold (0 = none).</summary>
    public long? LowerThreshold { get; init; }

    /// <summary>Tunnel settings; present with forward = tunnel.</summary>
    public TunnelDocument? Tunnel { get; init; }

    /// <summary>Active connections (list only).</summary>
    public long? ActiveConnections { get; init; }

    /// <summary>Inactive connections (list only).</summary>
    public long? InactiveConnections { get; init; }

    /// <summary>Persistent connection templates (list only).</summary>
    public long? PersistentConnections { get; init; }

    /// <summary>Counters (list --stats).</summary>
    public StatsDocument? Stats { get; init; }

    /// <summary>Rates per second (list --rates).</summary>
    public StatsDocument? Rates { get; init; }
}

/// <summary>Tunnel encapsulation of a destination.</summary>
internal sealed record TunnelDocument
{
    /// <summary>ipip, gue or gre.</summary>
    public string? Type { get; init; }

    /// <summary>The GUE port (gue only).</summary>
    public int? Port { get; init; }

    /// <summary>nocsum, csum or remcsum.</summary>
    public string? Checksum { get; init; }
}

/// <summary>Counters, or rates per second.</summary>
internal sealed record StatsDocument(ulong Connections, ulong InPackets, ulong OutPackets, ulong InBytes, ulong OutBytes);

/// <summary>Connection timeouts in seconds.</summary>
internal sealed record TimeoutsDocument(long Tcp, long TcpFin, long Udp);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(TableDocument))]
internal sealed partial class TableJsonContext : JsonSerializerContext;
