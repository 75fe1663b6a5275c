using Ipvs.Desired;

namespace Ipvs.KeepalivedTests;

/// <summary>The import of real_server and sorry_server: the destinations keepalived adds once healthy.</summary>
public class MappingDestinationTests
{
    [Fact]
    public void A_real_server_becomes_a_destination_with_its_weight_and_thresholds_where_it_is_written()
    {
        var d = Import.OnlyDestination(Parse.WithRealServer("        weight 7\n        uthreshold 1000\n        lthreshold 800"));
        Assert.Equal(DestinationKey.Parse("10.1.1.11:80"), d.Key);
        Assert.Equal((ForwardingMethod.Masquerade, 7, 1000u, 800u), (d.Destination.Forwarding, d.Destination.Weight, d.Destination.UpperThreshold, d.Destination.LowerThreshold));
        Assert.Equal(Import.At(5, 5), d.Location);
        Assert.Empty(d.Checks);
    }

    [Fact]
    public void A_real_server_without_a_weight_takes_the_virtual_server_s_and_weight_0_stays_0()
    {
        var service = Import.OnlyService(Parse.Service("""
                weight 4
                real_server 10.1.1.11 80 {
                }
                real_server 10.1.1.12 80 {
                    weight 0
                }
            """));
        Assert.Equal([4, 0], service.Destinations.Select(d => d.Destination.Weight));
    }

    [Fact]
    public void A_nat_real_server_without_a_port_takes_the_service_port_and_dr_always_uses_it()
    {
        var nat = Import.OnlyDestination(Parse.WithRealServer("", "10.1.1.11"));
        Assert.Equal(80, nat.Key.Port);
        var dr = Import.OnlyDestination(Parse.Service("    real_server 10.1.1.11 {\n    }").Replace("lb_kind NAT", "lb_kind DR", StringComparison.Ordinal));
        Assert.Equal((80, ForwardingMethod.DirectRoute), (dr.Key.Port, dr.Destination.Forwarding));
    }

    [Fact]
    public void A_real_server_s_own_method_with_its_tunnel_settings_overrides_the_virtual_server_s()
    {
        var service = Import.OnlyService(Parse.Service("""
                real_server 10.1.1.11 80 {
                    lvs_method TUN type gue port 6080 csum
                }
                real_server 10.1.1.12 80 {
                    lvs_method TUN type gre csum
                }
                real_server 2001:db8::13 80 {
                    lvs_method TUN
                }
                real_server 10.1.1.14 80 {
                    lvs_method DR
                }
            """));
        var d = service.Destinations.Select(x => x.Destination).ToList();
        Assert.Equal((ForwardingMethod.Tunnel, TunnelType.Gue, (ushort)6080, TunnelFlags.Checksum), (d[0].Forwarding, d[0].TunnelType, d[0].TunnelPort, d[0].TunnelFlags));
        Assert.Equal((TunnelType.Gre, TunnelFlags.Checksum), (d[1].TunnelType, d[1].TunnelFlags));
        Assert.Equal((ForwardingMethod.Tunnel, TunnelType.IpIp, AddressFamily.InterNetworkV6), (d[2].Forwarding, d[2].TunnelType, d[2].Family));
        Assert.Equal(ForwardingMethod.DirectRoute, d[3].Forwarding);
    }

    [Fact]
    public void Notify_scripts_become_the_destination_s_hooks()
    {
        var d = Import.OnlyDestination("""
            global_defs {
                enable_script_security
                script_user root
            }
            virtual_server 10.1.0.100 80 {
                lb_algo rr
                lb_kind NAT
                protocol TCP
                real_server 10.1.1.11 80 {
                    notify_up "/bin/echo rs1 up"
                    notify_down "/bin/echo rs1 down" nobody
                }
            }
            """);
        var up = Assert.IsType<ProgramHook>(d.NotifyUp);
        Assert.Equal(("/bin/echo", "root", Import.At(10, 9)), (up.Path, up.User, up.Location));
        Assert.Equal(["rs1", "up"], up.Arguments);
        Assert.Equal("nobody", Assert.IsType<ProgramHook>(d.NotifyDown).User);
    }

    [Fact]
    public void Inhibit_on_failure_is_kept_per_destination_only_where_it_differs_from_the_service()
    {
        var service = Import.OnlyService(Parse.Service("""
                inhibit_on_failure
                real_server 10.1.1.11 80 {
                }
                real_server 10.1.1.12 80 {
                    inhibit_on_failure false
                }
            """));
        Assert.True(service.Policy.InhibitOnFailure);
        Assert.Equal([null, false], service.Destinations.Select(d => d.InhibitOnFailure));
    }

    [Fact]
    public void A_sorry_server_is_policy_only_since_keepalived_adds_it_when_the_quorum_is_lost()
    {
        var service = Import.OnlyService(Parse.Service("""
                sorry_server 10.1.1.99 8080
                sorry_server_lvs_method DR
                real_server 10.1.1.11 80 {
                }
            """));
        Assert.Single(service.Destinations);
        var sorry = service.Policy.SorryServer!;
        // DR: the virtual server's port; keepalived's weight for it is 1.
        Assert.Equal((DestinationKey.Parse("10.1.1.99:80"), ForwardingMethod.DirectRoute, 1), (sorry.Key, sorry.Forwarding, sorry.Weight));
        Assert.False(service.Policy.SorryServerInhibit);
    }

    [Fact]
    public void An_inhibited_sorry_server_is_also_a_destination_of_weight_0_as_keepalived_adds_it_at_start_up()
    {
        var service = Import.OnlyService(Parse.Service("""
                sorry_server 10.1.1.99 8080
                sorry_server_inhibit
                real_server 10.1.1.11 80 {
                }
            """));
        Assert.True(service.Policy.SorryServerInhibit);
        var sorry = service.Destinations[1];
        Assert.Equal((DestinationKey.Parse("10.1.1.99:8080"), 0, Import.At(5, 5)), (sorry.Key, sorry.Destination.Weight, sorry.Location));
        Assert.Empty(sorry.Checks);
        Assert.Equal(1, service.Policy.SorryServer!.Weight);
    }

    [Fact]
    public void A_nat_sorry_server_without_a_port_keeps_port_0_as_keepalived_sends_it()
    {
        // validate_check_config() fills in the NAT port of real servers only.
        var service = Import.OnlyService(Parse.Service("    sorry_server 10.1.1.99\n    real_server 10.1.1.11 {\n    }"));
        Assert.Equal((0, 80), (service.Policy.SorryServer!.Port, service.Destinations[0].Key.Port));
    }
}
