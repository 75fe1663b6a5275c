using Ipvs.Tests.Support;

namespace Ipvs.Tests;

/// <summary>
/// Golden request bytes for every IPVS operation and GET request, computed by hand from the
/// kernel's wire rules (ip_vs_ctl.c 6.1, /tmp/research/ipvs-wire.md): ports big-endian, IPv4
/// netmask a big-endian mask, IPv6 netmask a host-order prefix, flags {flags|PERSISTENT when a
/// timeout is set, mask 0xFFFFFFFF}, addresses always 16 bytes, daemon port host order, and
/// NLA_F_NESTED (0x8000) on every nest. Family id 0x0025, sequence 0x11223344, port id 0.
/// </summary>
public class RequestGoldenTests
{
    private const ushort Family = 0x0025;
    private const uint Sequence = 0x11223344;

    // nlmsghdr after nlmsg_len: type 0x0025, flags, seq 0x11223344 (LE), pid 0.
    private const string Request = "2500 0100 44332211 00000000";
    private const string DumpRequest = "2500 0103 44332211 00000000"; // NLM_F_REQUEST | NLM_F_DUMP (0x301)

    // IPVS_CMD_ATTR_SERVICE identities (inner attributes only).
    private const string KeyTcp10001Port80 =
        "0600 0100 0200 0000" +                           // SVC_AF u16 2 (AF_INET)
        "0600 0200 0600 0000" +                           // SVC_PROTOCOL u16 6 (tcp)
        "1400 0300 0a000001 00000000 00000000 00000000" + // SVC_ADDR 16 bytes, 10.0.0.1 first
        "0600 0400 0050 0000";                            // SVC_PORT be16 80
                                                          // = 44 bytes
    private const string ServiceNestTcp10001Port80 = "3000 0180" + KeyTcp10001Port80; // 4 + 44 = 48

    private static readonly ServiceKey Tcp80 = ServiceKey.Parse("tcp:10.0.0.1:80");

    private static readonly Dictionary<string, (Func<IpvsOperation> Operation, string Hex)> Operations = new()
    {
        ["AddService v4 tcp"] = (
            () => IpvsOperation.AddService(new VirtualService(Tcp80) { Scheduler = Scheduler.RoundRobin }),
            "68000000" + Request + "01010000" +               // 16 + 4 + 84 = 104; NEW_SERVICE, version 1
            "5400 0180" + KeyTcp10001Port80 +                 // SERVICE nest: 4 + 44 + 36 = 84
            "0700 0600 72720000" +                            // SCHED_NAME "rr\0" + 1 pad
            "0c00 0700 00000000 ffffffff" +                   // FLAGS {0, mask ~0}
            "0800 0800 00000000" +                            // TIMEOUT 0
            "0800 0900 ffffffff"),                            // NETMASK be32 255.255.255.255

        ["AddService v6 with prefix netmask and persistence"] = (
            () => IpvsOperation.AddService(new VirtualService(ServiceKey.Parse("[2001:db8::1]:443"))
            {
                PersistenceTimeout = 300,
                Netmask = Netmask.FromPrefixLength(64, AddressFamily.InterNetworkV6),
            }),
            "68000000" + Request + "01010000" +
            "5400 0180" +
            "0600 0100 0a00 0000" +                           // AF_INET6 (10)
            "0600 0200 0600 0000" +                           // tcp
            "1400 0300 20010db8 00000000 00000000 00000001" + // 2001:db8::1
            "0600 0400 01bb 0000" +                           // port 443 be
            "0800 0600 776c6300" +                            // "wlc\0" (the default)
            "0c00 0700 01000000 ffffffff" +                   // PERSISTENT because timeout > 0
            "0800 0800 2c010000" +                            // TIMEOUT 300
            "0800 0900 40000000"),                            // NETMASK: prefix 64, host order

        ["AddService fwmark v4 with scheduler flags and a dotted netmask"] = (
            () => IpvsOperation.AddService(new VirtualService(ServiceKey.Parse("fwmark:1"))
            {
                Scheduler = Scheduler.SourceHashing,
                Flags = ServiceFlags.ShFallback | ServiceFlags.ShPort,
                PersistenceTimeout = 60,
                Netmask = Netmask.Parse("255.255.255.0", AddressFamily.InterNetwork),
            }),
            "4c000000" + Request + "01010000" +               // 16 + 4 + 56 = 76
            "3800 0180" +                                     // 4 + 16 + 36 = 56
            "0600 0100 0200 0000" +                           // AF_INET
            "0800 0500 01000000" +                            // FWMARK u32 1; no protocol/addr/port
            "0700 0600 73680000" +                            // "sh\0"
            "0c00 0700 19000000 ffffffff" +                   // 0x08 | 0x10 | PERSISTENT
            "0800 0800 3c000000" +                            // 60 s
            "0800 0900 ffffff00"),                            // 255.255.255.0 be

        ["AddService fwmark6 defaults"] = (
            () => IpvsOperation.AddService(new VirtualService(ServiceKey.Parse("fwmark6:7"))),
            "4c000000" + Request + "01010000" +
            "3800 0180" +
            "0600 0100 0a00 0000" +
            "0800 0500 07000000" +
            "0800 0600 776c6300" +
            "0c00 0700 00000000 ffffffff" +
            "0800 0800 00000000" +
            "0800 0900 80000000"),                            // /128 default, host order

        ["EditService udp with PE, kernel-only flags dropped"] = (
            () => IpvsOperation.EditService(new VirtualService(ServiceKey.Parse("udp:10.0.0.2:53"))
            {
                Scheduler = Scheduler.RoundRobin,
                // Persistent and Hashed never come from Flags: persistence follows the timeout.
                Flags = ServiceFlags.OnePacket | ServiceFlags.Persistent | ServiceFlags.Hashed,
                PersistenceEngine = "sip",
            }),
            "70000000" + Request + "02010000" +               // 16 + 4 + 92 = 112; SET_SERVICE
            "5c00 0180" +                                     // 4 + 44 + 44 = 92
            "0600 0100 0200 0000" +
            "0600 0200 1100 0000" +                           // udp (17)
            "1400 0300 0a000002 00000000 00000000 00000000" +
            "0600 0400 0035 0000" +                           // port 53 be
            "0700 0600 72720000" +                            // "rr\0"
            "0800 0b00 73697000" +                            // PE_NAME "sip\0"
            "0c00 0700 04000000 ffffffff" +                   // ONEPACKET only
            "0800 0800 00000000" +
            "0800 0900 ffffffff"),

        ["DeleteService"] = (
            () => IpvsOperation.DeleteService(Tcp80),
            "44000000" + Request + "03010000" +               // 16 + 4 + 48 = 68; DEL_SERVICE
            ServiceNestTcp10001Port80),

        ["AddDestination masquerade"] = (
            () => IpvsOperation.AddDestination(Tcp80, new Destination(IPAddress.Parse("192.168.1.10"), 8080)
            {
                Weight = 5,
                UpperThreshold = 100,
                LowerThreshold = 10,
            }),
            "8c000000" + Request + "05010000" +               // 16 + 4 + 48 + 72 = 140; NEW_DEST
            ServiceNestTcp10001Port80 +
            "4800 0280" +                                     // DEST nest: 4 + 68 = 72
            "0600 0b00 0200 0000" +                           // ADDR_FAMILY AF_INET
            "1400 0100 c0a8010a 00000000 00000000 00000000" + // ADDR 192.168.1.10
            "0600 0200 1f90 0000" +                           // PORT 8080 be
            "0800 0300 00000000" +                            // FWD_METHOD masq
            "0800 0400 05000000" +                            // WEIGHT 5
            "0800 0500 64000000" +                            // U_THRESH 100
            "0800 0600 0a000000"),                            // L_THRESH 10

        ["AddDestination tunnel GUE with port"] = (
            () => IpvsOperation.AddDestination(Tcp80, new Destination(IPAddress.Parse("10.1.0.5"), 0)
            {
                Forwarding = ForwardingMethod.Tunnel,
                TunnelType = TunnelType.Gue,
                TunnelPort = 6080,
            }),
            "9c000000" + Request + "05010000" +               // 16 + 4 + 48 + 88 = 156
            ServiceNestTcp10001Port80 +
            "5800 0280" +                                     // 4 + 84 = 88
            "0600 0b00 0200 0000" +
            "1400 0100 0a010005 00000000 00000000 00000000" +
            "0600 0200 0000 0000" +                           // port 0
            "0800 0300 02000000" +                            // TUNNEL
            "0800 0400 01000000" +                            // weight 1 (default)
            "0800 0500 00000000" +
            "0800 0600 00000000" +
            "0500 0d00 01 000000" +                           // TUN_TYPE u8 GUE
            "0600 0e00 17c0 0000"),                           // TUN_PORT be16 6080

        ["AddDestination tunnel GRE, IPv6 under IPv4, checksum flags"] = (
            () => IpvsOperation.AddDestination(Tcp80, new Destination(IPAddress.Parse("2001:db8::10"), 0)
            {
                Forwarding = ForwardingMethod.Tunnel,
                Weight = 2,
                TunnelType = TunnelType.Gre,
                TunnelFlags = TunnelFlags.Checksum | TunnelFlags.RemoteChecksum,
            }),
            "a4000000" + Request + "05010000" +               // 16 + 4 + 48 + 96 = 164
            ServiceNestTcp10001Port80 +
            "6000 0280" +                                     // 4 + 92 = 96
            "0600 0b00 0a00 0000" +                           // ADDR_FAMILY AF_INET6: mixed family
            "1400 0100 20010db8 00000000 00000000 00000010" +
            "0600 0200 0000 0000" +
            "0800 0300 02000000" +
            "0800 0400 02000000" +
            "0800 0500 00000000" +
            "0800 0600 00000000" +
            "0500 0d00 02 000000" +                           // TUN_TYPE GRE
            "0600 0e00 0000 0000" +                           // TUN_PORT 0
            "0600 0f00 0300 0000"),                           // TUN_FLAGS u16 CSUM | REMCSUM, host order

        ["EditDestination"] = (
            () => IpvsOperation.EditDestination(Tcp80, new Destination(IPAddress.Parse("192.168.1.10"), 8080)
            {
                Forwarding = ForwardingMethod.DirectRoute,
                Weight = 0,
            }),
            "8c000000" + Request + "06010000" +               // SET_DEST
            ServiceNestTcp10001Port80 +
            "4800 0280" +
            "0600 0b00 0200 0000" +
            "1400 0100 c0a8010a 00000000 00000000 00000000" +
            "0600 0200 1f90 0000" +
            "0800 0300 03000000" +                            // DROUTE
            "0800 0400 00000000" +                            // weight 0 (quiesced)
            "0800 0500 00000000" +
            "0800 0600 00000000"),

        ["DeleteDestination"] = (
            () => IpvsOperation.DeleteDestination(Tcp80, DestinationKey.Parse("192.168.1.10:8080")),
            "6c000000" + Request + "07010000" +               // 16 + 4 + 48 + 40 = 108; DEL_DEST
            ServiceNestTcp10001Port80 +
            "2800 0280" +                                     // 4 + 36 = 40: the key only
            "0600 0b00 0200 0000" +
            "1400 0100 c0a8010a 00000000 00000000 00000000" +
            "0600 0200 1f90 0000"),

        ["Flush"] = (
            IpvsOperation.Flush,
            "14000000" + Request + "11010000"),               // FLUSH (17), no attributes

        ["Zero all"] = (
            () => IpvsOperation.Zero(),
            "14000000" + Request + "10010000"),               // ZERO (16) without a service zeroes all

        ["Zero one"] = (
            () => IpvsOperation.Zero(Tcp80),
            "44000000" + Request + "10010000" + ServiceNestTcp10001Port80),

        ["SetTimeouts"] = (
            () => IpvsOperation.SetTimeouts(Timeouts.FromSeconds(900, 120, 300)),
            "2c000000" + Request + "0c010000" +               // 16 + 4 + 24 = 44; SET_CONFIG (12)
            "0800 0400 84030000" +                            // TIMEOUT_TCP 900
            "0800 0500 78000000" +                            // TIMEOUT_TCP_FIN 120
            "0800 0600 2c010000"),                            // TIMEOUT_UDP 300

        ["SetTimeouts with unchanged fields"] = (
            () => IpvsOperation.SetTimeouts(Timeouts.FromSeconds(0, 0, 60)),
            "2c000000" + Request + "0c010000" +
            "0800 0400 00000000" +                            // 0 = leave unchanged
            "0800 0500 00000000" +
            "0800 0600 3c000000"),

        ["StartSyncDaemon without multicast settings"] = (
            () => IpvsOperation.StartSyncDaemon(new SyncDaemon(SyncDaemonState.Master, "eth0")),
            "34000000" + Request + "09010000" +               // 16 + 4 + 32 = 52; NEW_DAEMON
            "2000 0380" +                                     // DAEMON nest: 4 + 28
            "0800 0100 01000000" +                            // STATE master
            "0900 0200 65746830 00 000000" +                  // MCAST_IFN "eth0\0"
            "0800 0300 00000000"),                            // SYNC_ID 0

        ["StartSyncDaemon with IPv4 group, port, ttl, maxlen"] = (
            () => IpvsOperation.StartSyncDaemon(new SyncDaemon(SyncDaemonState.Backup, "eth1")
            {
                SyncId = 5,
                MaxLength = 1400,
                MulticastGroup = IPAddress.Parse("224.0.0.81"),
                MulticastPort = 8848,
                MulticastTtl = 2,
            }),
            "54000000" + Request + "09010000" +               // 16 + 4 + 64 = 84
            "4000 0380" +                                     // 4 + 60
            "0800 0100 02000000" +                            // STATE backup
            "0900 0200 65746831 00 000000" +                  // "eth1\0"
            "0800 0300 05000000" +                            // SYNC_ID 5
            "0600 0400 7805 0000" +                           // SYNC_MAXLEN u16 1400
            "0800 0500 e0000051" +                            // MCAST_GROUP in_addr, network order
            "0600 0700 9022 0000" +                           // MCAST_PORT u16 8848, HOST order
            "0500 0800 02 000000"),                           // MCAST_TTL u8 2

        ["StartSyncDaemon with IPv6 group and port"] = (
            () => IpvsOperation.StartSyncDaemon(new SyncDaemon(SyncDaemonState.Master, "eth0")
            {
                SyncId = 1,
                MulticastGroup = IPAddress.Parse("ff02::81"),
                MulticastPort = 8849,
            }),
            "50000000" + Request + "09010000" +               // 16 + 4 + 60 = 80
            "3c00 0380" +                                     // 4 + 56
            "0800 0100 01000000" +
            "0900 0200 65746830 00 000000" +
            "0800 0300 01000000" +
            "1400 0600 ff020000 00000000 00000000 00000081" + // MCAST_GROUP6 in6_addr
            "0600 0700 9122 0000"),                           // 8849 host order

        ["StopSyncDaemon"] = (
            () => IpvsOperation.StopSyncDaemon(SyncDaemonState.Master),
            "20000000" + Request + "0a010000" +               // 16 + 4 + 12 = 32; DEL_DAEMON
            "0c00 0380 0800 0100 01000000"),                  // the kernel reads only STATE
    };

    private static readonly Dictionary<string, (Action<NetlinkWriter> Write, string Hex)> Reads = new()
    {
        ["get services (dump)"] = (
            w => IpvsRequests.WriteGetServices(w, Family, Sequence),
            "14000000" + DumpRequest + "04010000"),
        ["get destinations (dump)"] = (
            w => IpvsRequests.WriteGetDestinations(w, Family, Sequence, Tcp80),
            "44000000" + DumpRequest + "08010000" + ServiceNestTcp10001Port80),
        ["get service"] = (
            w => IpvsRequests.WriteGetService(w, Family, Sequence, Tcp80),
            "44000000" + Request + "04010000" + ServiceNestTcp10001Port80),
        ["get service fwmark6"] = (
            w => IpvsRequests.WriteGetService(w, Family, Sequence, ServiceKey.Parse("fwmark6:258")),
            "28000000" + Request + "04010000" +               // 16 + 4 + 20 = 40
            "1400 0180 0600 0100 0a00 0000 0800 0500 02010000"),
        ["get config"] = (
            w => IpvsRequests.WriteGetConfig(w, Family, Sequence),
            "14000000" + Request + "0d010000"),
        ["get info"] = (
            w => IpvsRequests.WriteGetInfo(w, Family, Sequence),
            "14000000" + Request + "0f010000"),
        ["get daemons (dump)"] = (
            w => IpvsRequests.WriteGetDaemons(w, Family, Sequence),
            "14000000" + DumpRequest + "0b010000"),
    };

    public static TheoryData<string> OperationCases => [.. Operations.Keys];

    public static TheoryData<string> ReadCases => [.. Reads.Keys];

    [Theory]
    [MemberData(nameof(OperationCases))]
    public void Operation_request_bytes_match_the_hand_computed_kernel_layout(string name)
    {
        var (operation, hex) = Operations[name];
        using var w = new NetlinkWriter(32);
        IpvsRequests.Write(w, Family, Sequence, operation());
        Assert.Equal(1, w.MessageCount);
        Bytes.Equal(Bytes.Hex(hex), w.WrittenSpan, name);
    }

    [Theory]
    [MemberData(nameof(ReadCases))]
    public void Read_request_bytes_match_the_hand_computed_kernel_layout(string name)
    {
        var (write, hex) = Reads[name];
        using var w = new NetlinkWriter(32);
        write(w);
        Bytes.Equal(Bytes.Hex(hex), w.WrittenSpan, name);
    }

    [Fact]
    public void Every_operation_kind_has_a_golden_vector()
    {
        var covered = Operations.Values.Select(o => o.Operation().GetType()).ToHashSet();
        var all = typeof(IpvsOperation).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(IpvsOperation)) && !t.IsAbstract);
        Assert.Empty(all.Where(t => !covered.Contains(t)).Select(t => t.Name));
    }

    [Fact]
    public void Messages_written_back_to_back_keep_their_own_lengths_and_sequences()
    {
        using var w = new NetlinkWriter(32);
        IpvsRequests.Write(w, Family, 7, IpvsOperation.Flush());
        IpvsRequests.Write(w, Family, 8, IpvsOperation.DeleteService(Tcp80));
        IpvsRequests.Write(w, Family, 9, IpvsOperation.Zero());
        Assert.Equal(3, w.MessageCount);
        Assert.Equal([0, 20, 88, 108], Enumerable.Range(0, 4).Select(w.MessageOffset).ToArray());
        Bytes.Equal(Bytes.Hex(
            "14000000 2500 0100 07000000 00000000 11010000" +
            "44000000 2500 0100 08000000 00000000 03010000" + ServiceNestTcp10001Port80 +
            "14000000 2500 0100 09000000 00000000 10010000"), w.WrittenSpan);
    }
}
