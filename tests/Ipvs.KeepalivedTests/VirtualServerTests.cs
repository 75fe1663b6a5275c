namespace Ipvs.KeepalivedTests;

/// <summary>virtual_server: how it is named, its settings, and the defaults keepalived resolves.</summary>
public class VirtualServerTests
{
    [Fact]
    public void The_thesis_fig6_service_comes_out_as_written()
    {
        var vs = Parse.OnlyVs("""
            virtual_server 10.0.0.1 80 {      ! VIP 10.0.0.1 port 80
              lb_algo wrr                    ! weighted round robin
              lb_kind NAT                    ! forwarding: NAT
              protocol TCP
              real_server 192.168.0.1 80 {
                weight 1
              }
              real_server 192.168.0.2 80 {
                weight 3
              }
            }
            """);
        Assert.Equal(new VirtualServerAddress(IPAddress.Parse("10.0.0.1"), 80), vs.Id);
        Assert.Equal(("wrr", ForwardingMethod.Masquerade, IpvsProtocol.Tcp), (vs.Scheduler, vs.Method.Method, vs.Protocol));
        Assert.Equal(AddressFamily.InterNetwork, vs.Family);
        Assert.Equal(new SourceLocation(Parse.File, 1, 1), vs.Location);
        Assert.Equal([("192.168.0.1", 80, 1u), ("192.168.0.2", 80, 3u)], vs.RealServers.Select(r => (r.Address.ToString(), (int)r.Port, r.Weight)));
        Assert.Equal(new SourceLocation(Parse.File, 8, 3), vs.RealServers[1].Location);
    }

    [Fact]
    public void Defaults_are_keepalived_2_2_7s()
    {
        var result = Parse.Strict("virtual_server 10.1.0.100 80 {\n protocol TCP\n real_server 10.1.1.11 80 {\n }\n}\n");
        Assert.True(result.Succeeded);
        var vs = Assert.Single(result.Config!.VirtualServers);
        // IPVS_DEF_SCHED (ipvswrapper.h) and NAT, both reported by keepalived as defaults filled in.
        Assert.Equal("wlc", vs.Scheduler);
        Assert.Equal(LvsMethod.Nat, vs.Method);
        Assert.Contains(result.Warnings, d => d.Code == DiagnosticCodes.Defaulted && d.Message.Contains("lb_algo", StringComparison.Ordinal));
        Assert.Contains(result.Warnings, d => d.Code == DiagnosticCodes.Defaulted && d.Message.Contains("lb_kind", StringComparison.Ordinal));
        // alloc_vs().
        Assert.Equal(TimeSpan.FromSeconds(60), vs.DelayLoop);
        Assert.Equal(TimeSpan.FromSeconds(5), vs.ConnectTimeout);
        Assert.Equal((1u, 0u, 1u), (vs.Quorum, vs.Hysteresis, vs.Weight));
        Assert.Equal(0u, vs.PersistenceTimeout);
        Assert.Equal(Netmask.Full(AddressFamily.InterNetwork), vs.PersistenceGranularity);
        Assert.False(vs.Alpha || vs.Omega || vs.InhibitOnFailure || vs.HaSuspend || vs.SmtpAlert);
        Assert.Null(vs.Retry);
        var rs = Assert.Single(vs.RealServers);
        Assert.Equal(1u, rs.Weight);
        Assert.True(rs.SmtpAlert);
    }

    [Fact]
    public void Every_virtual_server_setting_is_read()
    {
        var vs = Parse.OnlyVs("""
            global_defs {
                enable_script_security
            }
            virtual_server 10.1.0.100 80 {
                lvs_sched sed
                lvs_method DR
                protocol tcp
                persistence_timeout 900
                persistence_granularity 255.255.0.0
                persistence_engine sip
                quorum 2
                hysteresis 1
                quorum_up "/usr/local/bin/up --all" nobody nogroup
                quorum_down /usr/local/bin/down
                alpha
                omega
                ha_suspend
                inhibit_on_failure
                delay_loop 7.5
                connect_timeout 0.25
                retry 4
                delay_before_retry 2
                warmup 0
                weight 3
                virtualhost www.example.org
                smtp_alert yes
                snmp_name web
                ip_family inet
                real_server 10.1.1.11 80 {
                }
            }
            """);
        Assert.Equal(("sed", ForwardingMethod.DirectRoute, IpvsProtocol.Tcp), (vs.Scheduler, vs.Method.Method, vs.Protocol));
        Assert.Equal((900u, "255.255.0.0", "sip"), (vs.PersistenceTimeout, vs.PersistenceGranularity.ToString(), vs.PersistenceEngine));
        Assert.Equal((2u, 1u), (vs.Quorum, vs.Hysteresis));
        Assert.Equal(["/usr/local/bin/up", "--all"], vs.QuorumUp!.Arguments);
        Assert.Equal(("nobody", "nogroup"), (vs.QuorumUp.User, vs.QuorumUp.Group));
        Assert.Equal("/usr/local/bin/down", vs.QuorumDown!.Command);
        Assert.True(vs.Alpha && vs.Omega && vs.HaSuspend && vs.InhibitOnFailure && vs.SmtpAlert);
        Assert.Equal((TimeSpan.FromSeconds(7.5), TimeSpan.FromMilliseconds(250)), (vs.DelayLoop, vs.ConnectTimeout));
        Assert.Equal((4u, TimeSpan.FromSeconds(2), TimeSpan.Zero, 3u), (vs.Retry, vs.DelayBeforeRetry, vs.Warmup, vs.Weight));
        Assert.Equal(("www.example.org", "web"), (vs.VirtualHost, vs.SnmpName));
        var rs = Assert.Single(vs.RealServers);
        Assert.Equal((3u, true, true, 4u), (rs.Weight, rs.InhibitOnFailure, rs.Alpha, rs.Retry));
        Assert.Equal((TimeSpan.FromSeconds(7.5), TimeSpan.FromMilliseconds(250), "www.example.org"), (rs.DelayLoop, rs.ConnectTimeout, rs.VirtualHost));
    }

    [Fact]
    public void A_fwmark_service_has_no_protocol_and_real_servers_without_port_under_dr()
    {
        var result = Parse.Strict("""
            virtual_server fwmark 4294967295 {
                lb_algo rr
                lb_kind DR
                protocol TCP
                real_server 10.1.1.11 80 {
                }
            }
            """);
        Assert.True(result.Succeeded);
        var vs = Assert.Single(result.Config!.VirtualServers);
        Assert.Equal(new VirtualServerFwmark(uint.MaxValue), vs.Id);
        Assert.Null(vs.Protocol);
        Assert.Equal(0, vs.RealServers[0].Port);
        Assert.Equal(80, vs.RealServers[0].WrittenPort);
        Parse.HasWarning(result, DiagnosticCodes.Adjusted, 4, 5);
        Parse.HasWarning(result, DiagnosticCodes.Adjusted, 5, 5);
    }

    [Fact]
    public void A_fwmark_service_of_tunnelled_ipv6_servers_takes_their_family()
    {
        var vs = Parse.OnlyVs("virtual_server fwmark 7 {\n lb_algo rr\n lb_kind TUN\n real_server 2001:db8::11 {\n }\n}\n");
        Assert.Equal(AddressFamily.InterNetworkV6, vs.Family);
        Assert.Equal(Netmask.Full(AddressFamily.InterNetworkV6), vs.PersistenceGranularity);
    }

    [Fact]
    public void A_service_without_port_becomes_persistent()
    {
        var ok = Parse.OnlyVs(Parse.Service("    persistence_timeout\n    real_server 10.1.1.11 80 {\n    }", "10.1.0.100"));
        Assert.Equal(360u, ok.PersistenceTimeout);
        var error = Parse.SingleError(Parse.Service("    real_server 10.1.1.11 80 {\n    }", "10.1.0.100"));
        Assert.Equal(DiagnosticCodes.Adjusted, error.Code);
    }

    [Fact]
    public void A_granularity_without_timeout_makes_the_service_persistent_and_ipv6_takes_a_prefix()
    {
        var vs = Parse.OnlyVs(Parse.Service("    persistence_granularity 64\n    real_server 2001:db8::11 80 {\n    }", "2001:db8::100 80"));
        Assert.Equal(360u, vs.PersistenceTimeout);
        Assert.Equal(Netmask.FromPrefixLength(64, AddressFamily.InterNetworkV6), vs.PersistenceGranularity);
    }

    [Theory]
    [InlineData("ops", ServiceFlags.OnePacket, "rr", "UDP")]
    [InlineData("flag-1\n    flag-2\n    flag-3", ServiceFlags.SchedulerFlag1 | ServiceFlags.SchedulerFlag2 | ServiceFlags.SchedulerFlag3, "rr", "TCP")]
    [InlineData("sh-port\n    sh-fallback", ServiceFlags.ShPort | ServiceFlags.ShFallback, "sh", "TCP")]
    [InlineData("mh-port\n    mh-fallback", ServiceFlags.MhPort | ServiceFlags.MhFallback, "mh", "TCP")]
    public void Scheduler_flags_are_read_after_the_scheduler(string flags, ServiceFlags expected, string scheduler, string protocol)
    {
        var vs = Parse.OnlyVs($"virtual_server 10.1.0.100 80 {{\n    lb_algo {scheduler}\n    {flags}\n    lb_kind NAT\n    protocol {protocol}\n    real_server 10.1.1.11 80 {{\n    }}\n}}\n");
        Assert.Equal(expected, vs.Flags);
    }

    [Fact]
    public void Ops_on_tcp_is_cleared_as_keepalived_does()
    {
        var error = Parse.SingleError(Parse.Service("    ops\n    real_server 10.1.1.11 80 {\n    }"));
        Assert.Equal(DiagnosticCodes.Adjusted, error.Code);
    }

    [Fact]
    public void An_mh_flag_under_the_sh_scheduler_is_refused()
    {
        var error = Parse.SingleError("virtual_server 10.1.0.100 80 {\n    lb_algo sh\n    mh-port\n    lb_kind NAT\n    protocol TCP\n    real_server 10.1.1.11 80 {\n    }\n}\n");
        Assert.Equal((DiagnosticCodes.InvalidValue, 3, 5), (error.Code, error.Location.Line, error.Location.Column));
    }

    [Theory]
    [InlineData("NAT", ForwardingMethod.Masquerade, TunnelType.IpIp, 0, TunnelFlags.NoChecksum)]
    [InlineData("DR", ForwardingMethod.DirectRoute, TunnelType.IpIp, 0, TunnelFlags.NoChecksum)]
    [InlineData("TUN", ForwardingMethod.Tunnel, TunnelType.IpIp, 0, TunnelFlags.NoChecksum)]
    [InlineData("TUN type ipip", ForwardingMethod.Tunnel, TunnelType.IpIp, 0, TunnelFlags.NoChecksum)]
    [InlineData("TUN type gue port 6080", ForwardingMethod.Tunnel, TunnelType.Gue, 6080, TunnelFlags.NoChecksum)]
    [InlineData("TUN type gue port 6080 csum", ForwardingMethod.Tunnel, TunnelType.Gue, 6080, TunnelFlags.Checksum)]
    [InlineData("TUN port 1 type gue remcsum", ForwardingMethod.Tunnel, TunnelType.Gue, 1, TunnelFlags.RemoteChecksum)]
    [InlineData("TUN type gre csum", ForwardingMethod.Tunnel, TunnelType.Gre, 0, TunnelFlags.Checksum)]
    public void Forwarding_methods_are_spelt_as_keepalived_spells_them(string text, ForwardingMethod method, TunnelType type, int port, TunnelFlags flags)
    {
        var vs = Parse.OnlyVs($"virtual_server 10.1.0.100 80 {{\n lb_algo rr\n lb_kind {text}\n protocol TCP\n real_server 10.1.1.11 80 {{\n }}\n}}\n");
        Assert.Equal(new LvsMethod(method, type, (ushort)port, flags), vs.Method);
        Assert.Equal(vs.Method, vs.RealServers[0].Method);
    }

    [Theory]
    [InlineData("TUN type gue", 3, 2)]
    [InlineData("TUN type gre port 5", 3, 2)]
    [InlineData("TUN type ipip csum", 3, 2)]
    [InlineData("TUN type gre remcsum", 3, 2)]
    [InlineData("TUN type vxlan", 3, 19)]
    [InlineData("TUN type gue port 65536", 3, 28)]
    [InlineData("dr", 3, 10)]
    [InlineData("NAT type gue port 1", 3, 14)]
    public void Bad_forwarding_methods_are_refused_where_they_go_wrong(string text, int line, int column)
    {
        var result = Parse.Strict($"virtual_server 10.1.0.100 80 {{\n lb_algo rr\n lb_kind {text}\n protocol TCP\n real_server 10.1.1.11 80 {{\n }}\n}}\n");
        Assert.Null(result.Config);
        Assert.Contains(result.Errors, d => d.Location.Line == line && d.Location.Column == column);
    }

    [Fact]
    public void A_sorry_server_takes_its_own_method_and_inhibit()
    {
        var vs = Parse.OnlyVs(Parse.Service("""
                sorry_server 10.1.1.99 8080
                sorry_server_inhibit
                sorry_server_lvs_method DR
                real_server 10.1.1.11 80 {
                }
            """));
        Assert.Equal(new SorryServer(IPAddress.Parse("10.1.1.99"), 80, new LvsMethod(ForwardingMethod.DirectRoute), true, new SourceLocation(Parse.File, 5, 5)), vs.SorryServer);
    }

    [Fact]
    public void Sorry_server_options_before_the_sorry_server_are_refused()
    {
        var error = Parse.SingleError(Parse.Service("    sorry_server_inhibit\n    sorry_server 10.1.1.99 80\n    real_server 10.1.1.11 80 {\n    }"));
        Assert.Equal((DiagnosticCodes.Incomplete, 5, 5), (error.Code, error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void The_quorum_is_lowered_to_the_total_weight_with_a_warning()
    {
        var result = Parse.Strict(Parse.Service("    quorum 10\n    real_server 10.1.1.11 80 {\n        weight 3\n    }"));
        Assert.True(result.Succeeded);
        Assert.Equal(3u, result.Config!.VirtualServers[0].Quorum);
        Parse.HasWarning(result, DiagnosticCodes.Adjusted, 5, 5);
    }

    [Fact]
    public void A_hysteresis_not_below_the_quorum_is_refused()
    {
        var error = Parse.SingleError(Parse.Service("    quorum 2\n    hysteresis 2\n    real_server 10.1.1.11 80 {\n        weight 3\n    }"));
        Assert.Equal((DiagnosticCodes.Adjusted, 6, 5), (error.Code, error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void A_virtual_server_without_real_servers_is_refused()
    {
        var error = Parse.SingleError(Parse.Service(""));
        Assert.Equal((DiagnosticCodes.Incomplete, 1, 1), (error.Code, error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void The_same_virtual_server_twice_is_refused()
    {
        var text = Parse.Service("    real_server 10.1.1.11 80 {\n    }");
        var result = Parse.Strict(text + "\n" + text);
        Parse.HasError(result, DiagnosticCodes.Duplicate, 8, 1);
    }

    [Fact]
    public void An_invalid_virtual_server_address_skips_its_block()
    {
        var result = Parse.Lenient("virtual_server 10.1.0.300 80 {\n lb_algoo x\n real_server 10.1.1.11 80 {\n }\n}\n" + Parse.Service("    real_server 10.1.1.12 80 {\n    }"));
        Assert.True(result.Succeeded);
        // keepalived's skip_block(): nothing inside is read, not even the unknown keyword.
        Assert.DoesNotContain(result.Diagnostics, d => d.Code == DiagnosticCodes.UnknownKeyword);
        Assert.Single(result.Config!.VirtualServers);
        Parse.HasWarning(result, DiagnosticCodes.InvalidValue, 1, 16);
    }

    [Fact]
    public void A_missing_protocol_is_refused_in_strict_mode_and_becomes_udp_in_lenient_mode()
    {
        var text = "virtual_server 10.1.0.100 53 {\n lb_algo rr\n lb_kind NAT\n real_server 10.1.1.11 53 {\n }\n}\n";
        Assert.Equal(DiagnosticCodes.Defaulted, Parse.SingleError(text).Code);
        Assert.Equal(IpvsProtocol.Udp, Parse.Lenient(text).Config!.VirtualServers[0].Protocol);
    }
}
