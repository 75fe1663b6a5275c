namespace Ipvs.Tests.Support;

/// <summary>CsCheck generators for valid model values.</summary>
internal static class Gens
{
    public static readonly Gen<IPAddress> AnyIPv4 = Gen.Byte.Array[4].Select(b => new IPAddress(b));

    public static readonly Gen<IPAddress> AnyIPv6 = Gen.Byte.Array[16].Select(b => new IPAddress(b));

    public static readonly Gen<IPAddress> AnyAddress = Gen.OneOf<IPAddress>(AnyIPv4, AnyIPv6);

    public static readonly Gen<AddressFamily> AnyFamily = Gen.OneOf(AddressFamily.InterNetwork, AddressFamily.InterNetworkV6);

    public static readonly Gen<IpvsProtocol> AnyProtocol = Gen.OneOf(IpvsProtocol.Tcp, IpvsProtocol.Udp, IpvsProtocol.Sctp);

    public static readonly Gen<ServiceKey> AnyAddressKey =
        Gen.Select(AnyProtocol, AnyAddress, Gen.UShort, (p, a, port) => ServiceKey.Create(p, a, port));

    public static readonly Gen<ServiceKey> AnyMarkKey =
        Gen.Select(Gen.UInt[1, uint.MaxValue], AnyFamily, (m, f) => ServiceKey.ForFirewallMark(m, f));

    public static readonly Gen<ServiceKey> AnyKey = Gen.Frequency((3, AnyAddressKey), (1, AnyMarkKey));

    /// <summary>A kernel-style name: 1 to 15 printable ASCII characters.</summary>
    public static readonly Gen<string> AnyName = Gen.String[Gen.Char['!', '~'], 1, Scheduler.MaxLength];

    public static readonly Gen<Scheduler> AnyScheduler = Gen.Frequency(
        (3, Gen.OneOf([.. Scheduler.BuiltIn]).Select(n => new Scheduler(n))),
        (1, AnyName.Select(n => new Scheduler(n))),
        (1, Gen.Const(default(Scheduler))));

    public static readonly Gen<ServiceFlags> AnyFlags = Gen.UInt[0, 0x3F].Select(f => (ServiceFlags)f);

    public static readonly Gen<uint> AnyTimeout = Gen.Frequency((1, Gen.Const(0u)), (2, Gen.UInt[1, 31 * 24 * 3600]), (1, Gen.UInt));

    public static Gen<Netmask> AnyNetmask(AddressFamily family) => family == AddressFamily.InterNetworkV6
        ? Gen.Int[1, 128].Select(p => Netmask.FromPrefixLength(p, AddressFamily.InterNetworkV6))
        : Gen.Frequency(
            (2, Gen.Int[0, 32].Select(p => Netmask.FromPrefixLength(p))),
            (1, Gen.UInt.Select(Netmask.FromIPv4Value)));

    public static readonly Gen<string?> AnyPersistenceEngine = Gen.Frequency((3, Gen.Const((string?)null)), (1, AnyName.Select(n => (string?)n)));

    public static readonly Gen<VirtualService> AnyService =
        from key in AnyKey
        from scheduler in AnyScheduler
        from flags in AnyFlags
        from timeout in AnyTimeout
        from netmask in AnyNetmask(key.Family)
        from pe in AnyPersistenceEngine
        select new VirtualService(key)
        {
            Scheduler = scheduler,
            Flags = flags,
            PersistenceTimeout = timeout,
            Netmask = netmask,
            PersistenceEngine = pe,
        };

    public static readonly Gen<Destination> AnyDestination =
        from address in AnyAddress
        from port in Gen.UShort
        from forwarding in Gen.Enum<ForwardingMethod>()
        from weight in Gen.Frequency((1, Gen.Int[0, 10]), (1, Gen.Int[0, int.MaxValue]))
        from upper in Gen.UInt
        from lower in Gen.UInt
        from tunnelType in Gen.Enum<TunnelType>()
        from tunnelPort in Gen.Frequency((1, Gen.Const((ushort)0)), (2, Gen.UShort))
        from tunnelFlags in Gen.UShort[0, 3]
        select new Destination(address, port)
        {
            Forwarding = forwarding,
            Weight = weight,
            UpperThreshold = upper,
            LowerThreshold = lower,
            TunnelType = tunnelType,
            TunnelPort = tunnelPort,
            TunnelFlags = (TunnelFlags)tunnelFlags,
        };

    public static readonly Gen<IPAddress?> AnyMulticastGroup = Gen.Frequency(
        (1, Gen.Const((IPAddress?)null)),
        (1, Gen.Byte.Array[3].Select(b => (IPAddress?)new IPAddress([(byte)(224 + (b[0] & 15)), b[1], b[2], b[0]]))),
        (1, Gen.Byte.Array[14].Select(b => (IPAddress?)new IPAddress([0xff, 0x02, .. b]))));

    public static readonly Gen<SyncDaemon> AnyDaemon =
        from state in Gen.OneOf(SyncDaemonState.Master, SyncDaemonState.Backup)
        from ifname in Gen.String[Gen.Char.AlphaNumeric, 1, 15]
        from syncId in Gen.UInt[0, 255]
        from maxlen in Gen.UShort
        from mcast in AnyMulticastGroup
        from port in Gen.UShort
        from ttl in Gen.Byte
        select new SyncDaemon(state, ifname)
        {
            SyncId = syncId,
            MaxLength = maxlen,
            MulticastGroup = mcast,
            MulticastPort = port,
            MulticastTtl = ttl,
        };
}
