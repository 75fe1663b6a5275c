namespace Ipvs.KeepalivedTests;

/// <summary>real_server: settings, overrides of the virtual server's, and port resolution.</summary>
public class RealServerTests
{
    [Fact]
    public void Every_real_server_setting_is_read()
    {
        var rs = Parse.OnlyRs(Parse.WithRealServer("""
                    weight 7
                    lvs_method TUN type gre
                    uthreshold 1000
                    lthreshold 10
                    inhibit_on_failure
                    notify_up "/bin/notify up" root
                    notify_down /bin/notify
                    alpha on
                    retry 3
                    delay_before_retry 1.5
                    warmup 2
                    connect_timeout 3
                    delay_loop 4
                    smtp_alert false
                    virtualhost rs.example.org
                    snmp_name rs1
            """));
        Assert.Equal((7u, 1000u, 10u), (rs.Weight, rs.UpperThreshold, rs.LowerThreshold));
        Assert.Equal(new LvsMethod(ForwardingMethod.Tunnel, TunnelType.Gre), rs.Method);
        Assert.True(rs.InhibitOnFailure && rs.Alpha);
        Assert.Equal(["/bin/notify", "up"], rs.NotifyUp!.Arguments);
        Assert.Equal("root", rs.NotifyUp.User);
        Assert.Equal("/bin/notify", rs.NotifyDown!.Command);
        Assert.Equal((3u, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4)),
            (rs.Retry, rs.DelayBeforeRetry, rs.Warmup, rs.ConnectTimeout, rs.DelayLoop));
        Assert.False(rs.SmtpAlert);
        Assert.Equal(("rs.example.org", "rs1"), (rs.VirtualHost, rs.SnmpName));
    }

    [Fact]
    public void A_nat_real_server_without_port_takes_the_virtual_servers()
    {
        var rs = Parse.OnlyRs(Parse.Service("    real_server 10.1.1.11 {\n    }"));
        Assert.Equal((80, 0), ((int)rs.Port, (int)rs.WrittenPort));
    }

    [Fact]
    public void A_nat_real_server_may_use_another_port()
    {
        var rs = Parse.OnlyRs(Parse.Service("    real_server 10.1.1.11 8080 {\n    }"));
        Assert.Equal(8080, rs.Port);
    }

    [Fact]
    public void A_dr_real_server_on_another_port_is_reset_with_a_warning()
    {
        var result = Parse.Strict("virtual_server 10.1.0.100 80 {\n lb_algo rr\n lb_kind DR\n protocol TCP\n real_server 10.1.1.11 8080 {\n }\n}\n");
        Assert.True(result.Succeeded);
        Assert.Equal(80, result.Config!.VirtualServers[0].RealServers[0].Port);
        Parse.HasWarning(result, DiagnosticCodes.Adjusted, 5, 2);
    }

    [Fact]
    public void A_tunnelled_real_server_may_be_of_the_other_family_but_a_nat_one_may_not()
    {
        var ok = Parse.OnlyVs(Parse.Service("    real_server 10.1.1.11 80 {\n    }\n    real_server 2001:db8::11 80 {\n        lvs_method TUN\n    }"));
        Assert.Equal(2, ok.RealServers.Length);
        var error = Parse.SingleError(Parse.Service("    real_server 10.1.1.11 80 {\n    }\n    real_server 2001:db8::11 80 {\n    }"));
        Assert.Equal((DiagnosticCodes.FamilyMismatch, 7, 5), (error.Code, error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void The_virtual_servers_method_at_the_real_server_line_is_the_real_servers_default()
    {
        // alloc_rs() copies the virtual server's method as it is when the real server starts.
        var vs = Parse.OnlyVs("virtual_server fwmark 1 {\n lb_algo rr\n lb_kind TUN\n real_server 2001:db8::11 {\n }\n lb_kind TUN\n real_server 2001:db8::12 {\n }\n}\n");
        Assert.All(vs.RealServers, r => Assert.Equal(ForwardingMethod.Tunnel, r.Method.Method));
    }

    [Fact]
    public void A_duplicate_real_server_is_refused_at_the_second_one()
    {
        var error = Parse.SingleError(Parse.Service("    real_server 10.1.1.11 80 {\n    }\n    real_server 10.1.1.11 80 {\n        weight 2\n    }"));
        Assert.Equal((DiagnosticCodes.DuplicateRealServer, 7, 5), (error.Code, error.Location.Line, error.Location.Column));
        Assert.Contains("first at 5:5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_real_servers_that_become_the_same_once_ports_are_resolved_are_refused()
    {
        var result = Parse.Strict(Parse.Service("    real_server 10.1.1.11 80 {\n    }\n    real_server 10.1.1.11 {\n    }"));
        Parse.HasError(result, DiagnosticCodes.DuplicateRealServer, 7, 5);
    }

    [Theory]
    [InlineData("weight 2147483647", true)]
    [InlineData("weight 0", true)]
    [InlineData("weight 2147483648", false)]
    [InlineData("weight -1", false)]
    [InlineData("weight 1.5", false)]
    [InlineData("uthreshold 4294967295", true)]
    [InlineData("uthreshold 4294967296", false)]
    [InlineData("retry 0", false)]
    [InlineData("connect_timeout 4294.967295", true)]
    [InlineData("connect_timeout 4294.967296", false)]
    [InlineData("delay_loop 0.000001", true)]
    [InlineData("delay_loop 0", false)]
    [InlineData("inhibit_on_failure maybe", false)]
    public void Values_are_checked_against_keepalived_ranges(string setting, bool valid)
    {
        var result = Parse.Strict(Parse.WithRealServer("        " + setting));
        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            var error = Assert.Single(result.Errors);
            Assert.Equal((6, 9 + setting.IndexOf(' ', StringComparison.Ordinal) + 1), (error.Location.Line, error.Location.Column));
        }
    }

    [Fact]
    public void An_address_with_a_mask_is_refused_because_keepalived_silently_drops_the_mask()
    {
        var error = Parse.SingleError(Parse.Service("    real_server 10.1.1.11/24 80 {\n    }"));
        Assert.Equal((DiagnosticCodes.InvalidValue, 5, 17), (error.Code, error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void A_second_notify_up_is_refused_because_keepalived_keeps_the_first()
    {
        var result = Parse.Strict("global_defs {\n enable_script_security\n}\n" + Parse.WithRealServer("        notify_up /bin/a\n        notify_up /bin/b"));
        Parse.HasError(result, DiagnosticCodes.DuplicateSetting, 10, 9);
    }

    [Fact]
    public void Scripts_without_enable_script_security_get_keepalived_s_security_warning()
    {
        var result = Parse.Strict(Parse.WithRealServer("        notify_up /bin/a"));
        Assert.True(result.Succeeded);
        Parse.HasWarning(result, DiagnosticCodes.Incomplete, 6, 9);
    }
}
