namespace Ipvs.KeepalivedTests;

/// <summary>Lenient mode: keepalived 2.2.7's behaviour, every deviation a warning.</summary>
public class LenientModeTests
{
    [Fact]
    public void An_unknown_keyword_is_ignored_with_a_warning()
    {
        var result = Parse.Lenient(Parse.Service("    lb_algoo wrr\n    real_server 10.1.1.11 80 {\n    }"));
        Assert.True(result.Succeeded);
        Assert.Equal("rr", result.Config!.VirtualServers[0].Scheduler);
        Parse.HasWarning(result, DiagnosticCodes.UnknownKeyword, 5, 5);
    }

    [Fact]
    public void The_closing_brace_of_an_unknown_block_closes_the_enclosing_block_as_in_keepalived()
    {
        // keepalived: "Unknown keyword 'foo_block'", "Unexpected '{' - ignoring", and the '}' of
        // foo_block ends the virtual_server, so the real_server lands at the top level and the
        // virtual server has none ("has no real servers - ignoring").
        var result = Parse.Lenient("""
            virtual_server 10.1.0.100 80 {
                lb_algo wrr
                lb_kind NAT
                protocol TCP
                foo_block {
                    bar 1
                }
                real_server 10.1.1.11 80 {
                    weight 2
                }
            }
            """);
        Assert.True(result.Succeeded);
        Assert.Empty(result.Config!.VirtualServers);
        Parse.HasWarning(result, DiagnosticCodes.UnknownKeyword, 5, 5);
        Parse.HasWarning(result, DiagnosticCodes.UnexpectedOpenBrace, 5, 15);
        // The '}' of foo_block is the one that ends the virtual server: that is what the note says.
        Parse.HasWarning(result, DiagnosticCodes.ExtraCloseBrace, 7, 5);
        Parse.HasWarning(result, DiagnosticCodes.Incomplete, 1, 1);
    }

    [Fact]
    public void A_value_out_of_range_is_ignored_and_the_previous_value_stays()
    {
        var result = Parse.Lenient(Parse.WithRealServer("        weight 5\n        weight 2147483648"));
        Assert.Equal(5u, result.Config!.VirtualServers[0].RealServers[0].Weight);
        Parse.HasWarning(result, DiagnosticCodes.OutOfRange, 7, 16);
    }

    [Fact]
    public void An_extra_brace_ends_the_virtual_server_early_as_in_keepalived()
    {
        var result = Parse.Lenient(Parse.Service("    real_server 10.1.1.11 80 {\n    }\n    }\n    real_server 10.1.1.12 80 {\n    }"));
        Assert.Single(result.Config!.VirtualServers[0].RealServers);
        Parse.HasWarning(result, DiagnosticCodes.ExtraCloseBrace, 7, 5);
    }

    [Fact]
    public void Without_a_brace_the_following_lines_are_the_blocks_content_as_in_keepalived()
    {
        var result = Parse.Lenient("virtual_server 10.1.0.100 80\n    lb_algo wrr\n    lb_kind NAT\n    protocol TCP\n    real_server 10.1.1.11 80 {\n    }\n}\n");
        Assert.Equal("wrr", result.Config!.VirtualServers[0].Scheduler);
        Parse.HasWarning(result, DiagnosticCodes.MissingOpenBrace, 1, 29);
    }

    [Fact]
    public void A_duplicate_real_server_is_dropped_with_its_settings()
    {
        var result = Parse.Lenient(Parse.Service("    real_server 10.1.1.11 80 {\n        weight 1\n    }\n    real_server 10.1.1.11 80 {\n        weight 9\n    }"));
        Assert.Equal(1u, Assert.Single(result.Config!.VirtualServers[0].RealServers).Weight);
        Parse.HasWarning(result, DiagnosticCodes.DuplicateRealServer, 8, 5);
    }

    [Fact]
    public void A_real_server_with_a_bad_port_is_skipped_with_its_block()
    {
        var result = Parse.Lenient(Parse.Service("    real_server 10.1.1.11 0x50 {\n        weight 9\n        bogus\n    }\n    real_server 10.1.1.12 80 {\n    }"));
        Assert.Equal("10.1.1.12", Assert.Single(result.Config!.VirtualServers[0].RealServers).Address.ToString());
        Assert.DoesNotContain(result.Diagnostics, d => d.Code == DiagnosticCodes.UnknownKeyword);
    }

    [Fact]
    public void What_keepalived_cannot_recover_from_stays_an_error()
    {
        Assert.Null(Parse.Lenient(Parse.WithRealServer("        weight")).Config);
        Assert.Null(Parse.Lenient("~SEQ(i, 1, 2) x $i").Config);
    }

    [Fact]
    public void Vrrp_blocks_are_skipped_in_both_modes()
    {
        var text = "vrrp_instance VI_1 {\n    state MASTER\n    nonsense_inside_vrrp {\n    }\n}\n" + Parse.Service("    real_server 10.1.1.11 80 {\n    }");
        foreach (var result in new[] { Parse.Strict(text), Parse.Lenient(text) })
        {
            Assert.True(result.Succeeded);
            Assert.Equal(DiagnosticCodes.NotHandled, Assert.Single(result.Warnings).Code);
        }
    }
}
