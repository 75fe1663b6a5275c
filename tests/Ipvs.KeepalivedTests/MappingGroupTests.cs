using Ipvs.Desired;

namespace Ipvs.KeepalivedTests;

/// <summary>virtual_server_group: one kernel service per address of its ranges and per fwmark, as ipvs_group_cmd() adds them.</summary>
public class MappingGroupTests
{
    private static DesiredState Group(string entries, string body = "    real_server 10.1.1.11 80 {\n    }", string kind = "NAT", string protocol = "protocol TCP") => Import.Ok($$"""
        virtual_server_group g {
        {{entries}}
        }
        virtual_server group g {
            lb_algo wrr
            lb_kind {{kind}}
            {{protocol}}
        {{body}}
        }
        """);

    [Fact]
    public void A_group_expands_to_one_service_per_address_of_its_ranges_then_one_per_fwmark()
    {
        var state = Group("    10.0.0.1 80\n    10.0.0.10-12 80\n    fwmark 5\n    10.0.1.0/30 443");
        Assert.Equal(
            ["tcp:10.0.0.1:80", "tcp:10.0.0.10:80", "tcp:10.0.0.11:80", "tcp:10.0.0.12:80",
             "tcp:10.0.1.0:443", "tcp:10.0.1.1:443", "tcp:10.0.1.2:443", "tcp:10.0.1.3:443", "fwmark:5"],
            state.Services.Select(s => s.Key.ToString()));
    }

    [Fact]
    public void An_ipv4_range_counts_the_whole_address_across_the_last_byte()
    {
        var state = Group("    10.0.0.254-10.0.1.1 80");
        Assert.Equal(["10.0.0.254", "10.0.0.255", "10.0.1.0", "10.0.1.1"], state.Services.Select(s => s.Key.Address!.ToString()));
    }

    [Fact]
    public void An_ipv6_range_counts_the_last_16_bits_only_wrapping_as_keepalived_does()
    {
        var state = Group("    2001:db8::1fe-201 80", "    real_server 2001:db8::11 80 {\n    }");
        Assert.Equal(["2001:db8::1fe", "2001:db8::1ff", "2001:db8::200", "2001:db8::201"], state.Services.Select(s => s.Key.Address!.ToString()));
        // Two full addresses differing above the last group: ipvs_group_range_cmd() still counts
        // only s6_addr16[7], from fffe up to the end's 0, wrapping.
        var wide = Group("    2001:db8::fffe-2001:db8::1:0 80", "    real_server 2001:db8::11 80 {\n    }");
        Assert.Equal(["2001:db8::fffe", "2001:db8::ffff", "2001:db8::"], wide.Services.Select(s => s.Key.Address!.ToString()));
    }

    [Fact]
    public void Every_service_of_a_group_carries_the_virtual_server_s_settings_real_servers_and_policy()
    {
        var state = Group("    10.0.0.1-3 80", """
                persistence_timeout 60
                quorum 2
                real_server 10.1.1.11 80 {
                    weight 2
                    TCP_CHECK {
                    }
                }
            """);
        Assert.Equal(3, state.Services.Length);
        Assert.All(state.Services, s =>
        {
            Assert.Equal(("wrr", 60u, 2, Import.At(4, 1)), (s.Service.Scheduler.Name, s.Service.PersistenceTimeout, s.Policy.Quorum, s.Location));
            var d = Assert.Single(s.Destinations);
            Assert.Equal((DestinationKey.Parse("10.1.1.11:80"), 2, "tcp"), (d.Key, d.Destination.Weight, Assert.Single(d.Checks).Kind));
        });
    }

    [Fact]
    public void Dr_real_servers_take_each_entry_s_port_and_none_for_a_fwmark_while_nat_keeps_its_own()
    {
        var dr = Group("    10.0.0.1 80\n    fwmark 5", "    real_server 10.1.1.11 {\n        TCP_CHECK {\n            connect_port 80\n        }\n    }", kind: "DR");
        Assert.Equal([80, 0], dr.Services.Select(s => (int)s.Destinations[0].Key.Port));
        Assert.All(dr.Services.SelectMany(s => s.Destinations), d => Assert.Equal(ForwardingMethod.DirectRoute, d.Destination.Forwarding));

        var nat = Group("    10.0.0.1 80\n    fwmark 5", "    real_server 10.1.1.11 8080 {\n    }");
        Assert.Equal([8080, 8080], nat.Services.Select(s => (int)s.Destinations[0].Key.Port));
    }

    [Fact]
    public void A_fwmark_entry_takes_its_own_family()
    {
        var state = Group("    fwmark 6 inet6", "    real_server 2001:db8::11 {\n    }", kind: "DR", protocol: "");
        Assert.Equal(ServiceKey.ForFirewallMark(6, AddressFamily.InterNetworkV6), Assert.Single(state.Services).Key);
    }

    [Fact]
    public void A_group_s_persistence_granularity_is_refused_strictly_since_keepalived_sends_the_full_mask()
    {
        var text = """
            virtual_server_group g {
                10.0.0.1-2 80
            }
            virtual_server group g {
                lb_algo rr
                lb_kind NAT
                protocol TCP
                persistence_timeout 300
                persistence_granularity 255.255.255.0
                real_server 10.1.1.11 80 {
                }
            }
            """;
        var strict = Import.Text(text);
        Assert.Null(strict.State);
        var error = Import.Single(strict, DiagnosticCodes.Adjusted);
        Assert.Equal((DiagnosticSeverity.Error, 9, 5), (error.Severity, error.Location.Line, error.Location.Column));

        var lenient = Import.Text(text, KeepalivedParseMode.Lenient);
        Assert.All(lenient.State!.Services, s => Assert.Equal((300u, Netmask.Full(AddressFamily.InterNetwork)), (s.Service.PersistenceTimeout, s.Service.Netmask)));
        Assert.Equal(DiagnosticSeverity.Warning, Import.Single(lenient, DiagnosticCodes.Adjusted).Severity);
    }

    [Fact]
    public void A_finding_about_a_real_server_of_a_group_is_reported_once_for_all_its_services()
    {
        var result = Import.Text("""
            virtual_server_group g {
                10.0.0.1-5 80
            }
            virtual_server group g {
                lb_algo rr
                lb_kind NAT
                protocol TCP
                real_server 10.1.1.11 80 {
                    uthreshold 10
                    lthreshold 20
                    TCP_CHECK {
                        bind_port 4000
                    }
                }
            }
            """);
        Assert.Null(result.State);
        var error = Assert.Single(result.Errors);
        Assert.Equal(("threshold-order", 8), (error.Code, error.Location.Line));
        Assert.Contains("4 more service(s)", error.Message, StringComparison.Ordinal);
        Assert.Single(result.Warnings, w => w.Code == DiagnosticCodes.NotMapped);
    }

    [Fact]
    public void With_nftables_ipvs_keepalived_turns_a_group_into_one_fwmark_service_which_the_import_refuses()
    {
        var result = Import.Text("global_defs {\n    nftables_ipvs keepalived\n}\nvirtual_server_group g {\n    10.0.0.1 80\n}\nvirtual_server group g {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n    real_server 10.1.1.11 80 {\n    }\n}\n");
        Assert.Null(result.State);
        Assert.Equal(2, Import.Single(result, DiagnosticCodes.Unsupported).Location.Line);
    }
}
