using Ipvs.Tests.Support;

namespace Ipvs.Tests;

/// <summary>
/// IpvsReplies against kernel-shaped replies, built with the independent <see cref="Nla"/>
/// builder in the attribute order of ip_vs_genl_fill_service / _fill_dest / _dump_daemon.
/// </summary>
public class ReplyDecodingTests
{
    private static readonly IpvsStats Small = new(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    private static readonly IpvsStats Big = new(5_000_000_000, 6_000_000_000, 7, 8_000_000_000_000, 9, 10, 11, 12, 13, 14);

    private static byte[] ServiceFlags(uint flags) =>
        Nla.Attr(IpvsWire.SvcFlags, Bytes.Concat(BitConverter.GetBytes(flags), [0xff, 0xff, 0xff, 0xff]));

    [Fact]
    public void A_service_with_STATS_and_STATS64_takes_the_64_bit_statistics()
    {
        var attrs = Nla.Nest(IpvsWire.CmdAttrService,
            Nla.U16(IpvsWire.SvcAf, IpvsWire.AF_INET),
            Nla.U16(IpvsWire.SvcProtocol, 6),
            Nla.Addr16(IpvsWire.SvcAddr, IPAddress.Parse("10.0.0.1")),
            Nla.Be16(IpvsWire.SvcPort, 80),
            Nla.Str(IpvsWire.SvcSchedName, "wrr"),
            ServiceFlags(0x2 /* HASHED */),
            Nla.U32(IpvsWire.SvcTimeout, 0),
            Nla.Be32(IpvsWire.SvcNetmask, 0xFFFFFFFF),
            Nla.Stats32(IpvsWire.SvcStats, Small),
            Nla.Stats64(IpvsWire.SvcStats64, Big));

        var info = IpvsReplies.Service(attrs);

        Assert.Equal(ServiceKey.Parse("tcp:10.0.0.1:80"), info.Key);
        Assert.Equal(new Scheduler("wrr"), info.Service.Scheduler);
        Assert.Equal(Model.ServiceFlags.None, info.Service.Flags); // HASHED is the kernel's own
        Assert.False(info.Service.IsPersistent);
        Assert.Equal(Netmask.Full(AddressFamily.InterNetwork), info.Service.Netmask);
        Assert.Null(info.Service.PersistenceEngine);
        Assert.Equal(Big, info.Stats);
    }

    [Fact]
    public void A_service_from_a_kernel_before_4_1_takes_the_32_bit_statistics()
    {
        var attrs = Nla.Nest(IpvsWire.CmdAttrService,
            Nla.U16(IpvsWire.SvcAf, IpvsWire.AF_INET),
            Nla.U16(IpvsWire.SvcProtocol, 17),
            Nla.Addr16(IpvsWire.SvcAddr, IPAddress.Parse("10.0.0.2")),
            Nla.Be16(IpvsWire.SvcPort, 53),
            Nla.Str(IpvsWire.SvcSchedName, "rr"),
            ServiceFlags(0x2 | 0x4),
            Nla.U32(IpvsWire.SvcTimeout, 0),
            Nla.Be32(IpvsWire.SvcNetmask, 0xFFFFFFFF),
            Nla.Stats32(IpvsWire.SvcStats, Small with { InBytes = 1L << 40 }));

        var info = IpvsReplies.Service(attrs);

        Assert.Equal(ServiceKey.Parse("udp:10.0.0.2:53"), info.Key);
        Assert.Equal(Model.ServiceFlags.OnePacket, info.Service.Flags);
        Assert.Equal(Small with { InBytes = 1L << 40 }, info.Stats);
    }

    [Fact]
    public void Zero_length_PAD_attributes_inside_STATS64_are_skipped()
    {
        var stats = IpvsReplies.Stats(Nla.Stats64(IpvsWire.SvcStats64, Big, pad: true)[4..]);
        Assert.Equal(Big, stats);
    }

    [Fact]
    public void A_firewall_mark_service_has_no_address_and_takes_its_family_from_AF()
    {
        var attrs = Nla.Nest(IpvsWire.CmdAttrService,
            Nla.U16(IpvsWire.SvcAf, IpvsWire.AF_INET6),
            Nla.U32(IpvsWire.SvcFwmark, 42),
            Nla.Str(IpvsWire.SvcSchedName, "sh"),
            ServiceFlags(0x2 | 0x1 | 0x8 | 0x10),
            Nla.U32(IpvsWire.SvcTimeout, 360),
            Nla.U32(IpvsWire.SvcNetmask, 128),
            Nla.Stats32(IpvsWire.SvcStats, default),
            Nla.Stats64(IpvsWire.SvcStats64, default));

        var s = IpvsReplies.Service(attrs).Service;

        Assert.True(s.Key.IsFirewallMark);
        Assert.Equal(42u, s.Key.FirewallMark);
        Assert.Equal(AddressFamily.InterNetworkV6, s.Key.Family);
        Assert.Null(s.Key.Address);
        Assert.Equal(0, s.Key.Port);
        Assert.Equal(ServiceKey.Parse("fwmark6:42"), s.Key);
        Assert.Equal(Model.ServiceFlags.ShFallback | Model.ServiceFlags.ShPort, s.Flags);
        Assert.Equal(360u, s.PersistenceTimeout);
        Assert.True(s.IsPersistent);
    }

    [Fact]
    public void An_IPv6_service_netmask_is_a_host_order_prefix_length()
    {
        var attrs = Nla.Nest(IpvsWire.CmdAttrService,
            Nla.U16(IpvsWire.SvcAf, IpvsWire.AF_INET6),
            Nla.U16(IpvsWire.SvcProtocol, 6),
            Nla.Addr16(IpvsWire.SvcAddr, IPAddress.Parse("2001:db8::1")),
            Nla.Be16(IpvsWire.SvcPort, 443),
            Nla.Str(IpvsWire.SvcSchedName, "wlc"),
            Nla.Str(IpvsWire.SvcPeName, "sip"),
            ServiceFlags(0x3),
            Nla.U32(IpvsWire.SvcTimeout, 300),
            Nla.Attr(IpvsWire.SvcNetmask, [64, 0, 0, 0]));

        var s = IpvsReplies.Service(attrs).Service;

        Assert.Equal(ServiceKey.Parse("tcp:[2001:db8::1]:443"), s.Key);
        Assert.Equal(64, s.Netmask.PrefixLength);
        Assert.Equal(Netmask.FromPrefixLength(64, AddressFamily.InterNetworkV6), s.Netmask);
        Assert.Equal("sip", s.PersistenceEngine);
        Assert.Equal(300u, s.PersistenceTimeout);
    }

    [Fact]
    public void An_IPv4_service_netmask_is_a_network_order_mask()
    {
        var attrs = Nla.Nest(IpvsWire.CmdAttrService,
            Nla.U16(IpvsWire.SvcAf, IpvsWire.AF_INET),
            Nla.U32(IpvsWire.SvcFwmark, 1),
            Nla.Str(IpvsWire.SvcSchedName, "rr"),
            ServiceFlags(0x3),
            Nla.U32(IpvsWire.SvcTimeout, 60),
            Nla.Attr(IpvsWire.SvcNetmask, [255, 255, 255, 0]));

        var s = IpvsReplies.Service(attrs).Service;

        Assert.Equal("255.255.255.0", s.Netmask.ToString());
        Assert.Equal(24, s.Netmask.PrefixLength);
    }

    [Fact]
    public void Service_flags_are_read_as_flags_and_mask()
    {
        var attrs = Nla.Nest(IpvsWire.CmdAttrService,
            Nla.U16(IpvsWire.SvcAf, IpvsWire.AF_INET),
            Nla.U32(IpvsWire.SvcFwmark, 1),
            Nla.Attr(IpvsWire.SvcFlags, Bytes.Hex("1c000000 0c000000")), // flags 0x1c, mask 0x0c
            Nla.U32(IpvsWire.SvcTimeout, 60));

        var s = IpvsReplies.Service(attrs).Service;

        Assert.Equal(Model.ServiceFlags.OnePacket | Model.ServiceFlags.SchedulerFlag1, s.Flags);
        Assert.Equal(0u, s.PersistenceTimeout); // PERSISTENT is masked out, so the timeout is not kept
        Assert.Equal("none", s.Scheduler.Name); // no SCHED_NAME: the kernel's "none"
    }

    [Fact]
    public void A_destination_with_ADDR_FAMILY_takes_that_family_even_under_a_service_of_another()
    {
        var attrs = Nla.Nest(IpvsWire.CmdAttrDest,
            Nla.Addr16(IpvsWire.DestAddr, IPAddress.Parse("2001:db8::10")),
            Nla.Be16(IpvsWire.DestPort, 0),
            Nla.U32(IpvsWire.DestFwdMethod, 2),
            Nla.U32(IpvsWire.DestWeight, 3),
            Nla.U8(IpvsWire.DestTunType, 2),
            Nla.Be16(IpvsWire.DestTunPort, 0),
            Nla.U16(IpvsWire.DestTunFlags, 1),
            Nla.U32(IpvsWire.DestUThresh, 0),
            Nla.U32(IpvsWire.DestLThresh, 0),
            Nla.U32(IpvsWire.DestActiveConns, 11),
            Nla.U32(IpvsWire.DestInactConns, 12),
            Nla.U32(IpvsWire.DestPersistConns, 13),
            Nla.U16(IpvsWire.DestAddrFamily, IpvsWire.AF_INET6),
            Nla.Stats32(IpvsWire.DestStats, Small),
            Nla.Stats64(IpvsWire.DestStats64, Big));

        var info = IpvsReplies.Destination(attrs, AddressFamily.InterNetwork);

        Assert.Equal(DestinationKey.Parse("[2001:db8::10]:0"), info.Key);
        Assert.Equal(ForwardingMethod.Tunnel, info.Destination.Forwarding);
        Assert.Equal(3, info.Destination.Weight);
        Assert.Equal(TunnelType.Gre, info.Destination.TunnelType);
        Assert.Equal(TunnelFlags.Checksum, info.Destination.TunnelFlags);
        Assert.Equal((11u, 12u, 13u), (info.ActiveConnections, info.InactiveConnections, info.PersistentConnections));
        Assert.Equal(Big, info.Stats);
    }

    [Fact]
    public void A_destination_without_ADDR_FAMILY_falls_back_to_the_service_family()
    {
        // Kernels before 3.18: no ADDR_FAMILY, no STATS64, no tunnel attributes.
        var attrs = Nla.Nest(IpvsWire.CmdAttrDest,
            Nla.Addr16(IpvsWire.DestAddr, IPAddress.Parse("192.168.1.10")),
            Nla.Be16(IpvsWire.DestPort, 8080),
            Nla.U32(IpvsWire.DestFwdMethod, 0x0003 | 0x2000), // only the low 3 bits are the method
            Nla.U32(IpvsWire.DestWeight, 5),
            Nla.U32(IpvsWire.DestUThresh, 100),
            Nla.U32(IpvsWire.DestLThresh, 10),
            Nla.U32(IpvsWire.DestActiveConns, 1),
            Nla.U32(IpvsWire.DestInactConns, 2),
            Nla.U32(IpvsWire.DestPersistConns, 0),
            Nla.Stats32(IpvsWire.DestStats, Small));

        var d = IpvsReplies.Destination(attrs, AddressFamily.InterNetwork);

        Assert.Equal(IPAddress.Parse("192.168.1.10"), d.Destination.Address);
        Assert.Equal(AddressFamily.InterNetwork, d.Destination.Family);
        Assert.Equal(8080, d.Destination.Port);
        Assert.Equal(ForwardingMethod.DirectRoute, d.Destination.Forwarding);
        Assert.Equal((100u, 10u), (d.Destination.UpperThreshold, d.Destination.LowerThreshold));
        Assert.Equal(TunnelType.IpIp, d.Destination.TunnelType);
        Assert.Equal(Small, d.Stats);

        // The same 16 bytes under an IPv6 service are an IPv6 address.
        var v6 = IpvsReplies.Destination(attrs, AddressFamily.InterNetworkV6);
        Assert.Equal(IPAddress.Parse("c0a8:10a::"), v6.Destination.Address);
    }

    [Fact]
    public void Tunnel_attributes_decode_GUE_with_a_big_endian_port_and_host_order_flags()
    {
        var attrs = Nla.Nest(IpvsWire.CmdAttrDest,
            Nla.Addr16(IpvsWire.DestAddr, IPAddress.Parse("10.1.0.5")),
            Nla.Be16(IpvsWire.DestPort, 0),
            Nla.U32(IpvsWire.DestFwdMethod, 2),
            Nla.U32(IpvsWire.DestWeight, 1),
            Nla.U8(IpvsWire.DestTunType, 1),
            Nla.Attr(IpvsWire.DestTunPort, [0x17, 0xc0]),
            Nla.Attr(IpvsWire.DestTunFlags, [0x03, 0x00]),
            Nla.U16(IpvsWire.DestAddrFamily, IpvsWire.AF_INET));

        var d = IpvsReplies.Destination(attrs, AddressFamily.InterNetwork).Destination;

        Assert.Equal(TunnelType.Gue, d.TunnelType);
        Assert.Equal(6080, d.TunnelPort);
        Assert.Equal(TunnelFlags.Checksum | TunnelFlags.RemoteChecksum, d.TunnelFlags);
    }

    [Fact]
    public void A_daemon_reply_decodes_every_setting_with_the_port_in_host_order()
    {
        var attrs = Nla.Nest(IpvsWire.CmdAttrDaemon,
            Nla.U32(IpvsWire.DaemonState, 1),
            Nla.Str(IpvsWire.DaemonMcastIfn, "eth0"),
            Nla.U32(IpvsWire.DaemonSyncId, 7),
            Nla.U16(IpvsWire.DaemonSyncMaxlen, 1472),
            Nla.Attr(IpvsWire.DaemonMcastPort, [0x90, 0x22]),
            Nla.U8(IpvsWire.DaemonMcastTtl, 1),
            Nla.Attr(IpvsWire.DaemonMcastGroup, [224, 0, 0, 81]));

        var d = IpvsReplies.Daemon(attrs);

        Assert.Equal(new SyncDaemon(SyncDaemonState.Master, "eth0")
        {
            SyncId = 7,
            MaxLength = 1472,
            MulticastPort = 8848,
            MulticastTtl = 1,
            MulticastGroup = IPAddress.Parse("224.0.0.81"),
        }, d);
    }

    [Fact]
    public void A_daemon_reply_with_an_IPv6_group_decodes_it()
    {
        var attrs = Nla.Nest(IpvsWire.CmdAttrDaemon,
            Nla.U32(IpvsWire.DaemonState, 2),
            Nla.Str(IpvsWire.DaemonMcastIfn, "bond0"),
            Nla.U32(IpvsWire.DaemonSyncId, 0),
            Nla.U16(IpvsWire.DaemonSyncMaxlen, 1452),
            Nla.U16(IpvsWire.DaemonMcastPort, 8848),
            Nla.U8(IpvsWire.DaemonMcastTtl, 1),
            Nla.Addr16(IpvsWire.DaemonMcastGroup6, IPAddress.Parse("ff02::81")));

        var d = IpvsReplies.Daemon(attrs);

        Assert.Equal(SyncDaemonState.Backup, d.State);
        Assert.Equal("bond0", d.Interface);
        Assert.Equal(IPAddress.Parse("ff02::81"), d.MulticastGroup);
    }

    [Fact]
    public void A_config_reply_carries_the_three_timeouts_at_top_level()
    {
        var t = IpvsReplies.Timeouts(Bytes.Concat(
            Nla.U32(IpvsWire.CmdAttrTimeoutTcp, 900),
            Nla.U32(IpvsWire.CmdAttrTimeoutTcpFin, 120),
            Nla.U32(IpvsWire.CmdAttrTimeoutUdp, 300)));
        Assert.Equal(Timeouts.FromSeconds(900, 120, 300), t);
    }

    [Fact]
    public void An_info_reply_with_version_0x010201_is_IPVS_1_2_1()
    {
        var info = IpvsReplies.Info(Bytes.Concat(
            Nla.U32(IpvsWire.InfoVersion, 0x010201),
            Nla.U32(IpvsWire.InfoConnTabSize, 4096)));
        Assert.Equal(new Version(1, 2, 1), info.Version);
        Assert.Equal(4096u, info.ConnectionTableSize);
    }

    [Fact]
    public void Unknown_newer_attributes_are_ignored()
    {
        var attrs = Bytes.Concat(
            Nla.U32(99, 1),
            Nla.Nest(IpvsWire.CmdAttrService,
                Nla.U16(IpvsWire.SvcAf, IpvsWire.AF_INET),
                Nla.U32(IpvsWire.SvcFwmark, 3),
                Nla.Attr(13, [1, 2, 3]),
                Nla.Nest(14, Nla.U8(1, 1))));
        Assert.Equal(ServiceKey.Parse("fwmark:3"), IpvsReplies.Service(attrs).Key);
    }

    public static TheoryData<string, byte[]> MalformedServices => new()
    {
        { "no IPVS_CMD_ATTR_SERVICE", Nla.U32(IpvsWire.CmdAttrTimeoutTcp, 1) },
        { "no address family", Nla.Nest(IpvsWire.CmdAttrService, Nla.U32(IpvsWire.SvcFwmark, 3)) },
        { "unknown address family", Nla.Nest(IpvsWire.CmdAttrService, Nla.U16(IpvsWire.SvcAf, 7), Nla.U32(IpvsWire.SvcFwmark, 3)) },
        { "neither fwmark nor address", Nla.Nest(IpvsWire.CmdAttrService, Nla.U16(IpvsWire.SvcAf, 2), Nla.Be16(IpvsWire.SvcPort, 1)) },
        { "IPv6 address of 4 bytes", Nla.Nest(IpvsWire.CmdAttrService, Nla.U16(IpvsWire.SvcAf, 10), Nla.U16(IpvsWire.SvcProtocol, 6), Nla.Attr(IpvsWire.SvcAddr, [1, 2, 3, 4]), Nla.Be16(IpvsWire.SvcPort, 1)) },
        { "short flags", Nla.Nest(IpvsWire.CmdAttrService, Nla.U16(IpvsWire.SvcAf, 2), Nla.U32(IpvsWire.SvcFwmark, 3), Nla.Attr(IpvsWire.SvcFlags, [1, 0, 0, 0])) },
        { "scheduler name too long", Nla.Nest(IpvsWire.CmdAttrService, Nla.U16(IpvsWire.SvcAf, 2), Nla.U32(IpvsWire.SvcFwmark, 3), Nla.Str(IpvsWire.SvcSchedName, "abcdefghijklmnopq")) },
        { "empty scheduler name", Nla.Nest(IpvsWire.CmdAttrService, Nla.U16(IpvsWire.SvcAf, 2), Nla.U32(IpvsWire.SvcFwmark, 3), Nla.Str(IpvsWire.SvcSchedName, "")) },
        { "netmask of 2 bytes", Nla.Nest(IpvsWire.CmdAttrService, Nla.U16(IpvsWire.SvcAf, 2), Nla.U32(IpvsWire.SvcFwmark, 3), Nla.Attr(IpvsWire.SvcNetmask, [1, 2])) },
        { "stats field of 3 bytes", Nla.Nest(IpvsWire.CmdAttrService, Nla.U16(IpvsWire.SvcAf, 2), Nla.U32(IpvsWire.SvcFwmark, 3), Nla.Nest(IpvsWire.SvcStats, Nla.Attr(1, [1, 2, 3]))) },
    };

    [Theory]
    [MemberData(nameof(MalformedServices))]
    public void A_malformed_service_reply_throws_NetlinkDecodeException(string why, byte[] attributes)
    {
        var e = Assert.Throws<NetlinkDecodeException>(() => IpvsReplies.Service(attributes));
        Assert.False(string.IsNullOrEmpty(e.Message), why);
    }

    public static TheoryData<string, byte[]> MalformedDestinations => new()
    {
        { "no IPVS_CMD_ATTR_DEST", Nla.U32(IpvsWire.CmdAttrTimeoutTcp, 1) },
        { "no address", Nla.Nest(IpvsWire.CmdAttrDest, Nla.Be16(IpvsWire.DestPort, 1)) },
        { "weight above INT_MAX", Nla.Nest(IpvsWire.CmdAttrDest, Nla.Addr16(IpvsWire.DestAddr, IPAddress.Loopback), Nla.U32(IpvsWire.DestWeight, 0x80000000)) },
        { "tunnel type 9", Nla.Nest(IpvsWire.CmdAttrDest, Nla.Addr16(IpvsWire.DestAddr, IPAddress.Loopback), Nla.U8(IpvsWire.DestTunType, 9)) },
        { "unknown family", Nla.Nest(IpvsWire.CmdAttrDest, Nla.Addr16(IpvsWire.DestAddr, IPAddress.Loopback), Nla.U16(IpvsWire.DestAddrFamily, 1)) },
        { "port of 4 bytes", Nla.Nest(IpvsWire.CmdAttrDest, Nla.Addr16(IpvsWire.DestAddr, IPAddress.Loopback), Nla.U32(IpvsWire.DestPort, 80)) },
    };

    [Theory]
    [MemberData(nameof(MalformedDestinations))]
    public void A_malformed_destination_reply_throws_NetlinkDecodeException(string why, byte[] attributes)
    {
        var e = Assert.Throws<NetlinkDecodeException>(() => IpvsReplies.Destination(attributes, AddressFamily.InterNetwork));
        Assert.False(string.IsNullOrEmpty(e.Message), why);
    }

    [Fact]
    public void An_error_reply_yields_the_positive_errno()
    {
        var message = Nla.Error(5, Errno.EEXIST);
        var r = new NetlinkMessageReader(message);
        Assert.True(r.MoveNext());
        Assert.Equal((Errno.EEXIST, (string?)null), NetlinkConnection.ParseError(r.Payload, r.Header.Flags));
    }

    [Fact]
    public void Extended_ACK_text_is_read_after_a_capped_request_header()
    {
        var message = Nla.Error(5, Errno.EINVAL, text: "Attribute failed policy validation");
        var r = new NetlinkMessageReader(message);
        Assert.True(r.MoveNext());
        Assert.Equal((Errno.EINVAL, "Attribute failed policy validation"), NetlinkConnection.ParseError(r.Payload, r.Header.Flags));
    }

    [Fact]
    public void Extended_ACK_text_is_read_after_an_uncapped_echoed_request()
    {
        // Without NETLINK_CAP_ACK the whole request is echoed, and its nlmsg_len says how much.
        var request = Nla.Genl(0x25, 1, 5, 1, Nla.U32(1, 2), Nla.U32(3, 4));
        var payload = Bytes.Concat(BitConverter.GetBytes(-Errno.ERANGE), request,
            Nla.U32(NetlinkConstants.NLMSGERR_ATTR_OFFS, 24), Nla.Str(NetlinkConstants.NLMSGERR_ATTR_MSG, "out of range"));
        Assert.Equal((Errno.ERANGE, "out of range"), NetlinkConnection.ParseError(payload, NetlinkConstants.NLM_F_ACK_TLVS));
    }

    [Fact]
    public void An_ACK_is_errno_zero()
    {
        Assert.Equal((0, (string?)null), NetlinkConnection.ParseError(new byte[20], NetlinkConstants.NLM_F_CAPPED));
        Assert.Throws<NetlinkDecodeException>(() => NetlinkConnection.ParseError(new byte[3], 0));
    }
}
