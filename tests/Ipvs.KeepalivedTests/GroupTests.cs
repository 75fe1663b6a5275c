namespace Ipvs.KeepalivedTests;

/// <summary>virtual_server_group: addresses, ranges, blocks, firewall marks, and its link to virtual_server group.</summary>
public class GroupTests
{
    private static string Grouped(string entries) => $$"""
        virtual_server_group g {
        {{entries}}
        }
        virtual_server group g {
            lb_algo rr
            lb_kind NAT
            protocol TCP
            real_server 10.1.1.11 80 {
            }
        }
        """;

    [Fact]
    public void Every_entry_form_keepalived_allows_is_read()
    {
        var config = Parse.Ok(Grouped("""
                10.1.0.100 80
                10.1.0.1-10 80
                10.1.0.250-10.1.1.10 80
                10.1.2.8/29 80
                fwmark 7
                fwmark 8 inet
            """));
        var g = Assert.Single(config.VirtualServerGroups);
        Assert.Equal("g", g.Name);
        var ranges = g.Entries.OfType<VirtualServerGroupRange>().Select(r => $"{r.First}-{r.Last}:{r.Port}").ToList();
        Assert.Equal(["10.1.0.100-10.1.0.100:80", "10.1.0.1-10.1.0.10:80", "10.1.0.250-10.1.1.10:80", "10.1.2.8-10.1.2.15:80"], ranges);
        var marks = g.Entries.OfType<VirtualServerGroupFwmark>().ToList();
        Assert.Equal([(7u, (AddressFamily?)null), (8u, AddressFamily.InterNetwork)], marks.Select(m => (m.Mark, m.Family)));
        Assert.Equal(new SourceLocation(Parse.File, 3, 5), g.Entries[1].Location);
    }

    [Fact]
    public void An_ipv6_range_replaces_the_last_16_bit_group_in_hexadecimal()
    {
        var config = Parse.Ok("virtual_server_group g6 {\n    2001:db8::1-1f 443\n    2001:db8::/126 443\n}\nvirtual_server group g6 {\n lb_algo rr\n lb_kind NAT\n protocol TCP\n real_server 2001:db8:1::11 443 {\n }\n}\n");
        var ranges = config.VirtualServerGroups[0].Entries.Cast<VirtualServerGroupRange>().Select(r => $"{r.First}-{r.Last}").ToList();
        Assert.Equal(["2001:db8::1-2001:db8::1f", "2001:db8::-2001:db8::3"], ranges);
        Assert.Equal(AddressFamily.InterNetworkV6, config.VirtualServers[0].Family);
    }

    [Fact]
    public void A_group_of_both_families_does_not_fit_a_virtual_server_with_nat_real_servers()
    {
        var result = Parse.Strict(Grouped("    10.1.0.100 80\n    2001:db8::1 80"));
        Parse.HasError(result, DiagnosticCodes.FamilyMismatch, 5, 1);
    }

    [Fact]
    public void A_group_service_takes_the_groups_family_and_keeps_the_real_servers_ports()
    {
        var vs = Assert.Single(Parse.Ok(Grouped("    10.1.0.100 80")).VirtualServers);
        Assert.Equal(new VirtualServerGroupId("g"), vs.Id);
        Assert.Equal(AddressFamily.InterNetwork, vs.Family);
        Assert.Equal(IpvsProtocol.Tcp, vs.Protocol);
    }

    [Theory]
    [InlineData("    10.1.0.10-5 80", 2, 5, DiagnosticCodes.InvalidValue)]
    [InlineData("    10.1.0.10-10 80", 2, 5, DiagnosticCodes.InvalidValue)]
    [InlineData("    10.1.0.1-256 80", 2, 5, DiagnosticCodes.OutOfRange)]
    [InlineData("    10.1.0.9/29 80", 2, 5, DiagnosticCodes.InvalidValue)]
    [InlineData("    10.1.0.0/33 80", 2, 5, DiagnosticCodes.InvalidValue)]
    [InlineData("    10.1.0.100 65536", 2, 16, DiagnosticCodes.OutOfRange)]
    [InlineData("    10.1.0.100 80 extra", 2, 19, DiagnosticCodes.ExtraArgument)]
    [InlineData("    fwmark -1", 2, 12, DiagnosticCodes.OutOfRange)]
    [InlineData("    fwmark 1 ipv4", 2, 14, DiagnosticCodes.InvalidValue)]
    [InlineData("    www.example.org 80", 2, 5, DiagnosticCodes.InvalidValue)]
    public void A_bad_entry_is_refused_where_it_is(string entry, int line, int column, string code)
    {
        var result = Parse.Strict(Grouped("    10.1.0.100 80\n" + entry));
        Parse.HasError(result, code, line + 1, column);
    }

    [Fact]
    public void An_empty_group_is_refused_and_its_service_with_it()
    {
        var result = Parse.Strict(Grouped(""));
        Parse.HasError(result, DiagnosticCodes.Incomplete, 1, 1);
        Parse.HasError(result, DiagnosticCodes.UnknownReference, 4, 22);
    }

    [Fact]
    public void A_group_that_is_not_closed_before_the_next_virtual_server_is_reported_there()
    {
        var result = Parse.Strict("virtual_server_group g {\n    10.1.0.100 80\nvirtual_server group g {\n lb_algo rr\n lb_kind NAT\n protocol TCP\n real_server 10.1.1.11 80 {\n }\n}\n");
        var error = Assert.Single(result.Errors);
        Assert.Equal((DiagnosticCodes.UnclosedBlock, 3, 1), (error.Code, error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void A_group_address_without_port_makes_the_service_persistent()
    {
        var error = Parse.SingleError(Grouped("    10.1.0.100"));
        Assert.Equal(DiagnosticCodes.Adjusted, error.Code);
    }

    [Fact]
    public void A_group_mixing_families_with_a_familyless_fwmark_is_refused()
    {
        var result = Parse.Strict(Grouped("    10.1.0.100 80\n    2001:db8::1 80\n    fwmark 3"));
        Parse.HasError(result, DiagnosticCodes.FamilyMismatch, 1, 1);
    }
}
