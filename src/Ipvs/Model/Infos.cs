namespace Ipvs.Model;

/// <summary>A virtual service as read from the kernel: settings plus statistics.</summary>
/// <param name="Service">The settings.</param>
/// <param name="Stats">Counters and rates.</param>
public sealed record VirtualServiceInfo(VirtualService Service, IpvsStats Stats)
{
    /// <summary>The service's key.</summary>
    public ServiceKey Key => Service.Key;
}

/// <summary>A destination as read from the kernel: settings, connection counts and statistics.</summary>
/// <param name="Destination">The settings.</param>
/// <param name="ActiveConnections">Connections in an active state (TCP ESTABLISHED).</param>
/// <param name="InactiveConnections">Other connections still in the table.</param>
/// <param name="PersistentConnections">Persistence templates pointing at this destination.</param>
/// <param name="Stats">Counters and rates.</param>
public sealed record DestinationInfo(
    Destination Destination,
    uint ActiveConnections,
    uint InactiveConnections,
    uint PersistentConnections,
    IpvsStats Stats)
{
    /// <summary>The destination's key.</summary>
    public DestinationKey Key => Destination.Key;
}

/// <summary>A service together with its destinations, as one table entry.</summary>
/// <param name="Info">The service.</param>
/// <param name="Destinations">Its destinations, in kernel order.</param>
public sealed record ServiceEntry(VirtualServiceInfo Info, IReadOnlyList<DestinationInfo> Destinations)
{
    /// <summary>The service's key.</summary>
    public ServiceKey Key => Info.Key;
}

/// <summary>IPVS build information.</summary>
/// <param name="Version">The IPVS version, such as 1.2.1.</param>
/// <param name="ConnectionTableSize">Buckets of the connection hash table.</param>
public sealed record IpvsInfo(Version Version, uint ConnectionTableSize);
