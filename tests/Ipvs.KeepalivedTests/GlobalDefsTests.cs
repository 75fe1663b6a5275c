namespace Ipvs.KeepalivedTests;

/// <summary>global_defs and the other top-level blocks.</summary>
public class GlobalDefsTests
{
    [Fact]
    public void The_settings_that_matter_to_ipvs_are_picked_out_and_every_line_is_kept()
    {
        var config = Parse.Ok("""
            global_defs {
                router_id director_1
                lvs_timeouts tcp 900 tcpfin 120 udp 300
                lvs_sync_daemon eth0 inst VI_1 id 51 maxlen 1400 port 8848 ttl 2 group 224.0.0.81
                lvs_flush
                lvs_flush_on_stop VS
                notification_email {
                    ops@example.org
                    noc@example.org
                }
                notification_email_from lvs@example.org
                smtp_server 10.0.0.25 25
                smtp_alert_checker off
                script_user root
                enable_script_security
                checker_log_all_failures
                vrrp_garp_master_delay 5
                enable_snmp_checker
            }
            net_namespace blue
            """);
        var g = config.Global;
        Assert.Equal(new SourceLocation(Parse.File, 1, 1), g.Location);
        Assert.Equal("director_1", g.RouterId);
        Assert.Equal((900u, 120u, 300u), (g.LvsTimeouts!.Tcp, g.LvsTimeouts.TcpFin, g.LvsTimeouts.Udp));
        var sync = g.LvsSyncDaemon!;
        Assert.Equal(("eth0", "VI_1", 51u, 1400u, 8848u, 2u), (sync.Interface, sync.VrrpInstance, sync.SyncId, sync.MaxLength, sync.Port, sync.Ttl));
        Assert.Equal(IPAddress.Parse("224.0.0.81"), sync.Group);
        Assert.True(g.LvsFlush);
        Assert.Equal(LvsFlushOnStop.VirtualServers, g.LvsFlushOnStop);
        Assert.Equal(["ops@example.org", "noc@example.org"], g.NotificationEmails);
        Assert.Equal("lvs@example.org", g.NotificationEmailFrom);
        Assert.Equal(["10.0.0.25", "25"], g.SmtpServer);
        Assert.False(g.SmtpAlertChecker);
        Assert.Equal("root", g.ScriptUser);
        Assert.True(g.EnableScriptSecurity);
        Assert.True(g.CheckerLogAllFailures);
        Assert.Equal("blue", g.NetNamespace);
        Assert.Contains(g.Settings, s => s.Keyword == "vrrp_garp_master_delay" && s.Arguments.SequenceEqual(["5"]) && s.Location.Line == 17);
        Assert.Contains(g.Settings, s => s.Keyword == "enable_snmp_checker");
    }

    [Fact]
    public void The_old_form_of_lvs_sync_daemon_is_read_with_a_note()
    {
        var result = Parse.Strict("global_defs {\n lvs_sync_daemon eth0 VI_1 5\n}\n");
        Assert.True(result.Succeeded);
        var sync = result.Config!.Global.LvsSyncDaemon!;
        Assert.Equal(("eth0", "VI_1", 5u), (sync.Interface, sync.VrrpInstance, sync.SyncId));
        Assert.Contains(result.Warnings, d => d.Code == DiagnosticCodes.Deprecated);
    }

    [Theory]
    [InlineData("lvs_timeouts tcp 2678401", 2, 18, DiagnosticCodes.OutOfRange)]
    [InlineData("lvs_timeouts tcp", 2, 17, DiagnosticCodes.MissingArgument)]
    [InlineData("lvs_timeouts tcp 5 sctp 5", 2, 20, DiagnosticCodes.InvalidValue)]
    [InlineData("lvs_sync_daemon eth0 ttl 0", 2, 26, DiagnosticCodes.OutOfRange)]
    [InlineData("lvs_sync_daemon eth0 group 10.0.0.1", 2, 28, DiagnosticCodes.InvalidValue)]
    [InlineData("lvs_sync_daemon a_very_long_interface", 2, 17, DiagnosticCodes.InvalidValue)]
    [InlineData("lvs_flush_on_stop ALL", 2, 19, DiagnosticCodes.InvalidValue)]
    [InlineData("vrrp_ipsets a b c", 2, 1, DiagnosticCodes.UnknownKeyword)]
    [InlineData("router_idd x", 2, 1, DiagnosticCodes.UnknownKeyword)]
    public void A_bad_global_setting_is_located(string line, int errorLine, int column, string code)
    {
        var result = Parse.Strict($"global_defs {{\n{line}\n}}\n");
        Parse.HasError(result, code, errorLine, column);
    }

    [Fact]
    public void A_global_keyword_that_needs_a_value_stops_keepalived()
    {
        var error = Parse.SingleError("global_defs {\n    process_name\n}\n");
        Assert.Equal((DiagnosticCodes.MissingArgument, 2, 17), (error.Code, error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void Vrrp_and_bfd_blocks_are_skipped_with_their_braces_and_reported_as_not_handled()
    {
        var result = Parse.Strict("""
            vrrp_script chk {
                script "/bin/true"
                interval 2
            }
            vrrp_instance VI_1 {
                interface eth0
                virtual_ipaddress {
                    10.1.0.100/24
                }
                track_script {
                    chk
                }
            }
            vrrp_sync_group G { group { VI_1 } }
            bfd_instance b1 { neighbor_ip 10.0.0.2 }
            static_routes { 10.9.0.0/16 via 10.0.0.1 }
            """ + "\n" + Parse.Service("    real_server 10.1.1.11 80 {\n    }"));
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal(["vrrp_script", "vrrp_instance", "vrrp_sync_group", "bfd_instance", "static_routes"], result.Config!.NotHandled.Select(b => b.Keyword));
        Assert.Equal(["VI_1"], result.Config.NotHandled[1].Arguments);
        var warning = Assert.Single(result.Warnings, d => d.Location.Line == 5);
        Assert.Equal(DiagnosticCodes.NotHandled, warning.Code);
        Assert.Contains("keep keepalived for VRRP", warning.Message, StringComparison.Ordinal);
        Assert.Equal(5, result.Warnings.Count(d => d.Code == DiagnosticCodes.NotHandled));
    }

    [Fact]
    public void Track_file_and_ssl_blocks_are_read()
    {
        var config = Parse.Ok("""
            track_file t1 {
                file /run/t1
                weight -5 reverse
                init_file 3 overwrite
            }
            SSL {
                password secret
                ca /etc/ssl/ca.pem
                certificate /etc/ssl/cert.pem
                key /etc/ssl/key.pem
            }
            """);
        var t = Assert.Single(config.TrackFiles);
        Assert.Equal(("t1", "/run/t1", -5, true, new TrackFileInit(3, true)), (t.Name, t.FilePath, t.Weight, t.Reverse, t.InitFile));
        Assert.Equal(new SslSettings("secret", "/etc/ssl/ca.pem", "/etc/ssl/cert.pem", "/etc/ssl/key.pem", new SourceLocation(Parse.File, 6, 1)), config.Ssl);
    }

    [Fact]
    public void A_track_file_without_a_file_is_refused()
    {
        var error = Parse.SingleError("track_file t1 {\n    weight 2\n}\n");
        Assert.Equal((DiagnosticCodes.Incomplete, 1, 1), (error.Code, error.Location.Line, error.Location.Column));
    }
}
