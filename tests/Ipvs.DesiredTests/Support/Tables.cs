namespace Ipvs.DesiredTests.Support;

/// <summary>
/// Random current tables and desired states over small pools of keys, so that they overlap often:
/// the same service in both, with the same or different settings and destinations.
/// </summary>
internal static class Tables
{
    private static readonly ServiceKey[] ServiceKeys =
    [
        ServiceKey.Parse("tcp:10.0.0.1:80"),
        ServiceKey.Parse("tcp:10.0.0.1:443"),
        ServiceKey.Parse("udp:10.0.0.1:53"),
        ServiceKey.Parse("sctp:10.0.0.2:80"),
        ServiceKey.Parse("tcp:[2001:db8::1]:80"),
        ServiceKey.Parse("fwmark:1"),
        ServiceKey.Parse("fwmark6:2"),
    ];

    private static readonly DestinationKey[] V4 =
        [.. new[] { "192.168.0.1:80", "192.168.0.2:80", "192.168.0.3:8080", "192.168.0.4:0" }.Select(DestinationKey.Parse)];

    private static readonly DestinationKey[] V6 =
        [.. new[] { "[2001:db8::a]:80", "[2001:db8::b]:80", "[2001:db8::c]:0" }.Select(DestinationKey.Parse)];

    private static readonly string[] Schedulers = ["rr", "wrr", "wlc", "sh", "mh"];

    /// <summary>A current table, a desired state and a prune flag, from one seed.</summary>
    public static readonly Gen<(ServiceEntry[] Current, DesiredState Desired, bool Prune)> Scenario =
        Gen.Int.Select(seed =>
        {
            var r = new Random(seed);
            var current = Pick(r, ServiceKeys).Select(k => Entry(r, k)).ToArray();
            var desired = new DesiredState(Pick(r, ServiceKeys).Select(k => Desired(r, k, current.FirstOrDefault(e => e.Key == k))));
            return (current, desired, r.Next(2) == 0);
        });

    private static ServiceEntry Entry(Random r, ServiceKey key) =>
        new(new VirtualServiceInfo(Service(r, key), default),
            [.. Pick(r, Pool(r, key)).Select(d => new DestinationInfo(Destination(r, key, d), 0, 0, 0, default))]);

    // Half the time a service the table has keeps its settings and some destinations, so that the
    // "nothing to change" paths are taken as often as the others.
    private static DesiredService Desired(Random r, ServiceKey key, ServiceEntry? current)
    {
        var service = current is not null && r.Next(2) == 0 ? current.Info.Service : Service(r, key);
        var dests = new List<Destination>();
        foreach (var d in Pick(r, Pool(r, key)))
        {
            var existing = current?.Destinations.FirstOrDefault(c => c.Key == d)?.Destination;
            dests.Add(existing is not null && r.Next(2) == 0 ? existing : Destination(r, key, d));
        }
        return new DesiredService(service, dests.Select(DesiredDestination.FromDestination));
    }

    private static VirtualService Service(Random r, ServiceKey key)
    {
        var scheduler = Schedulers[r.Next(Schedulers.Length)];
        uint timeout = r.Next(3) switch { 0 => 0u, 1 => 300u, _ => 360u };
        var s = new VirtualService(key)
        {
            Scheduler = scheduler,
            PersistenceTimeout = timeout,
            Flags = (ServiceFlags)(r.Next(4) == 0 ? (uint)r.Next(0, 0x40) & ~3u : 0u),
            PersistenceEngine = key.Protocol == IpvsProtocol.Udp && r.Next(4) == 0 ? "sip" : null,
        };
        return r.Next(3) == 0
            ? s with { Netmask = Netmask.FromPrefixLength(key.Family == AddressFamily.InterNetworkV6 ? 64 : 24, key.Family) }
            : s;
    }

    private static Destination Destination(Random r, ServiceKey service, DestinationKey key)
    {
        bool mixed = key.Address.AddressFamily != service.Family;
        var forwarding = mixed
            ? ForwardingMethod.Tunnel
            : (ForwardingMethod)r.Next(0, 5);
        var (upper, lower) = r.Next(3) switch { 0 => (0u, 0u), 1 => (100u, 10u), _ => (50u, 50u) };
        var d = new Destination(key)
        {
            Forwarding = forwarding,
            Weight = r.Next(0, 6),
            UpperThreshold = upper,
            LowerThreshold = lower,
        };
        // Tunnel settings, also on non-tunnel destinations now and then: the kernel keeps them.
        return forwarding == ForwardingMethod.Tunnel || r.Next(4) == 0
            ? r.Next(3) switch
            {
                0 => d,
                1 => d with { TunnelType = TunnelType.Gue, TunnelPort = (ushort)(6080 + r.Next(2)), TunnelFlags = (TunnelFlags)r.Next(4) },
                _ => d with { TunnelType = TunnelType.Gre, TunnelFlags = (TunnelFlags)r.Next(4) },
            }
            : d;
    }

    // Mostly destinations of the service's family; tunnels may reach the other one.
    private static DestinationKey[] Pool(Random r, ServiceKey key) =>
        key.Family == AddressFamily.InterNetworkV6
            ? [.. V6, .. r.Next(3) == 0 ? V4[..1] : []]
            : [.. V4, .. r.Next(3) == 0 ? V6[..1] : []];

    private static T[] Pick<T>(Random r, T[] pool) => [.. pool.Where(_ => r.Next(2) == 0).OrderBy(_ => r.Next())];
}
