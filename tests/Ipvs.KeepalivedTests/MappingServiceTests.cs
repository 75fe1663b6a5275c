using Ipvs.Desired;

namespace Ipvs.KeepalivedTests;

/// <summary>The import of virtual_server settings: the kernel service and the daemon's policy.</summary>
public class MappingServiceTests
{
    [Fact]
    public void A_virtual_server_becomes_a_service_keyed_by_protocol_address_and_port_where_it_is_written()
    {
        var service = Import.OnlyService(Parse.WithRealServer("") + "\n");
        Assert.Equal(ServiceKey.Tcp("10.1.0.100:80"), service.Key);
        Assert.Equal("rr", service.Service.Scheduler.Name);
        Assert.Equal(Import.At(1, 1), service.Location);
    }

    [Theory]
    [InlineData("UDP", "udp:10.1.0.100:80")]
    [InlineData("SCTP", "sctp:10.1.0.100:80")]
    public void The_protocol_keys_the_service(string protocol, string key)
    {
        var service = Import.OnlyService(Parse.WithRealServer("").Replace("protocol TCP", $"protocol {protocol}", StringComparison.Ordinal));
        Assert.Equal(ServiceKey.Parse(key), service.Key);
    }

    [Fact]
    public void A_fwmark_virtual_server_becomes_a_firewall_mark_service_of_its_family()
    {
        var state = Import.Ok("""
            virtual_server fwmark 7 {
                lb_algo wlc
                lb_kind DR
                ip_family inet6
                real_server 2001:db8::11 {
                }
            }
            virtual_server fwmark 8 {
                lb_algo wlc
                lb_kind DR
                real_server 10.1.1.11 {
                }
            }
            """);
        Assert.Equal([ServiceKey.ForFirewallMark(7, AddressFamily.InterNetworkV6), ServiceKey.ForFirewallMark(8)], state.Services.Select(s => s.Key));
        // DR to a fwmark service: the real server has no port (ipvs_cmd() sends 0).
        Assert.Equal(0, state.Services[0].Destinations[0].Key.Port);
    }

    [Fact]
    public void Persistence_timeout_granularity_and_engine_go_to_the_service()
    {
        var v4 = Import.OnlyService(Parse.Service("""
                persistence_timeout 600
                persistence_granularity 255.255.255.0
                real_server 10.1.1.11 80 {
                }
            """));
        Assert.Equal(600u, v4.Service.PersistenceTimeout);
        Assert.Equal(Netmask.FromPrefixLength(24), v4.Service.Netmask);

        var v6 = Import.OnlyService(Parse.Service("""
                persistence_timeout 300
                persistence_granularity 64
                real_server 2001:db8::11 80 {
                }
            """, "2001:db8::100 80"));
        Assert.Equal(Netmask.FromPrefixLength(64, AddressFamily.InterNetworkV6), v6.Service.Netmask);

        var sip = Import.OnlyService(Parse.Service("""
                persistence_timeout 60
                persistence_engine sip
                real_server 10.1.1.11 80 {
                }
            """).Replace("protocol TCP", "protocol UDP", StringComparison.Ordinal));
        Assert.Equal("sip", sip.Service.PersistenceEngine);
    }

    [Fact]
    public void Persistence_timeout_without_a_value_is_keepalived_s_360_seconds()
    {
        var service = Import.OnlyService(Parse.Service("    persistence_timeout\n    real_server 10.1.1.11 80 {\n    }"));
        Assert.Equal(360u, service.Service.PersistenceTimeout);
    }

    [Fact]
    public void A_persistence_engine_without_persistence_is_refused_strictly_and_dropped_leniently()
    {
        var text = Parse.Service("    persistence_engine sip\n    real_server 10.1.1.11 80 {\n    }");
        var strict = Import.Text(text);
        Assert.Null(strict.State);
        var error = Import.Single(strict, DiagnosticCodes.Adjusted);
        Assert.Equal((DiagnosticSeverity.Error, 5, 5), (error.Severity, error.Location.Line, error.Location.Column));

        var lenient = Import.Text(text, KeepalivedParseMode.Lenient);
        Assert.Null(Assert.Single(lenient.State!.Services).Service.PersistenceEngine);
        Assert.Equal(DiagnosticSeverity.Warning, Import.Single(lenient, DiagnosticCodes.Adjusted).Severity);
    }

    [Fact]
    public void Ops_and_scheduler_flags_become_service_flags()
    {
        var ops = Import.OnlyService(Parse.Service("    ops\n    real_server 10.1.1.11 80 {\n    }").Replace("protocol TCP", "protocol UDP", StringComparison.Ordinal));
        Assert.Equal(ServiceFlags.OnePacket, ops.Service.Flags);

        var sh = Import.OnlyService(Parse.Service("    real_server 10.1.1.11 80 {\n    }").Replace("lb_algo rr", "lb_algo sh\n    sh-port\n    sh-fallback", StringComparison.Ordinal));
        Assert.Equal(ServiceFlags.ShPort | ServiceFlags.ShFallback, sh.Service.Flags);

        var raw = Import.OnlyService(Parse.Service("    flag-3\n    real_server 10.1.1.11 80 {\n    }"));
        Assert.Equal(ServiceFlags.SchedulerFlag3, raw.Service.Flags);
    }

    [Fact]
    public void The_daemon_settings_of_a_virtual_server_become_its_policy()
    {
        var service = Import.OnlyService("""
            global_defs {
                enable_script_security
                script_user nobody
            }
            virtual_server 10.1.0.100 80 {
                lb_algo wrr
                lb_kind NAT
                protocol TCP
                quorum 3
                hysteresis 1
                quorum_up "/bin/echo quorum up"
                quorum_down "/bin/echo down" root
                alpha
                omega
                inhibit_on_failure
                delay_loop 7
                virtualhost www.example
                real_server 10.1.1.11 80 {
                    weight 2
                }
                real_server 10.1.1.12 80 {
                    weight 2
                }
            }
            """);
        var p = service.Policy;
        Assert.Equal((3, 1, true, true, true), (p.Quorum, p.Hysteresis, p.Alpha, p.Omega, p.InhibitOnFailure));
        Assert.Equal((TimeSpan.FromSeconds(7), "www.example"), (p.DelayLoop, p.VirtualHost));
        var up = Assert.IsType<ProgramHook>(p.QuorumUp);
        Assert.Equal(("/bin/echo", "nobody"), (up.Path, up.User));
        Assert.Equal(["quorum", "up"], up.Arguments);
        Assert.Equal(Import.At(11, 5), up.Location);
        var down = Assert.IsType<ProgramHook>(p.QuorumDown);
        Assert.Equal(("/bin/echo", "root"), (down.Path, down.User));
    }

    [Fact]
    public void Keepalived_s_defaults_fill_the_policy_delay_loop_60_s_and_quorum_1()
    {
        var p = Import.OnlyService(Parse.WithRealServer("")).Policy;
        Assert.Equal((1, 0, TimeSpan.FromSeconds(60)), (p.Quorum, p.Hysteresis, p.DelayLoop));
        Assert.Null(p.SorryServer);
    }

    [Fact]
    public void A_bare_script_name_is_looked_up_in_the_standard_path_as_keepalived_does()
    {
        var hook = Import.OnlyDestination("""
            global_defs {
                enable_script_security
                script_user root
            }
            virtual_server 10.1.0.100 80 {
                lb_algo rr
                lb_kind NAT
                protocol TCP
                real_server 10.1.1.11 80 {
                    notify_up "true now"
                }
            }
            """).NotifyUp;
        var program = Assert.IsType<ProgramHook>(hook);
        Assert.True(Path.IsPathFullyQualified(program.Path) && program.Path.EndsWith("/true", StringComparison.Ordinal) && File.Exists(program.Path), program.Path);
        Assert.Equal(["now"], program.Arguments);
        Assert.Equal("no-such-program-here", Ipvs.Keepalived.Mapping.ImportSession.Program("no-such-program-here"));
    }

    [Fact]
    public void lvs_timeouts_become_the_desired_timeouts_and_a_timeout_not_written_is_0_unchanged()
    {
        var state = Import.Ok("global_defs {\n    lvs_timeouts tcp 900 udp 300\n}\n" + Parse.WithRealServer(""));
        Assert.Equal(Timeouts.FromSeconds(900, 0, 300), state.Timeouts);
        Assert.Equal(Import.At(2, 5), state.TimeoutsLocation);
        Assert.Null(Import.Ok(Parse.WithRealServer("")).Timeouts);
    }

    [Fact]
    public void Virtual_servers_become_services_in_file_order()
    {
        var state = Import.Ok(Parse.WithRealServer("") + "\n" + Parse.WithRealServer("", "10.1.1.12 80").Replace("10.1.0.100", "10.1.0.99", StringComparison.Ordinal));
        Assert.Equal(["tcp:10.1.0.100:80", "tcp:10.1.0.99:80"], state.Services.Select(s => s.Key.ToString()));
    }
}
