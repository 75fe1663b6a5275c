namespace Ipvs.KeepalivedTests;

/// <summary>Every checker with its options, and the defaults keepalived gives them.</summary>
public class CheckerTests
{
    [Fact]
    public void The_thesis_fig7_http_get_reads_with_its_deprecated_retry_keyword()
    {
        var result = Parse.Strict(Parse.WithRealServer("""
                    HTTP_GET {
                        url {
                            path /
                            status_code 200
                        }
                        connect_timeout 10
                        nb_get_retry 3
                        delay_before_retry 5
                    }
            """, "192.168.0.1 80"));
        Assert.True(result.Succeeded);
        Parse.HasWarning(result, DiagnosticCodes.Deprecated, 12, 13);
        var http = Assert.IsType<HttpChecker>(result.Config!.VirtualServers[0].RealServers[0].Checkers[0]);
        Assert.Equal(new StatusCodeRange(200, 200), Assert.Single(Assert.Single(http.Urls).StatusCodes));
        Assert.Equal((3u, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)), (http.Timing.Retry, http.Timing.DelayBeforeRetry, http.Connection.Timeout));
        Assert.Equal((IPAddress.Parse("192.168.0.1"), (ushort)80), (http.Connection.Address, http.Connection.Port));
    }

    [Fact]
    public void Http_get_defaults_follow_the_real_server_then_the_checker_type()
    {
        var http = Parse.OnlyChecker<HttpChecker>("        HTTP_GET {\n            url {\n                path /\n            }\n        }");
        // No status_code: 200-299. delay_before_retry: 3 s for HTTP. retry 1. warmup = delay_loop.
        Assert.Equal(new StatusCodeRange(200, 299), Assert.Single(http.Urls[0].StatusCodes));
        Assert.Equal(new CheckerTiming(1, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60), false, false), http.Timing);
        Assert.Equal(new CheckerConnection(IPAddress.Parse("10.1.1.11"), 80, null, 0, null, TimeSpan.FromSeconds(5), 0), http.Connection);
        Assert.Equal((HttpProtocolVersion.Http10, false, false, false), (http.Protocol, http.Ssl, http.EnableSni, http.FastRecovery));
    }

    [Fact]
    public void Ssl_get_reads_every_option_and_regex_settings()
    {
        var http = Parse.OnlyChecker<HttpChecker>("""
                    SSL_GET {
                        url {
                            path /status
                            digest 7A6C0D2EF5A9E6E1776090916C66BA3A
                            status_code 200-204 301 500-599
                            virtualhost url.example.org
                            regex "^OK [0-9]+"
                            regex_no_match
                            regex_options caseless multiline
                            regex_min_offset 2
                            regex_max_offset 100
                            regex_stack 32768 65536
                        }
                        url {
                            path /second
                        }
                        virtualhost checker.example.org
                        http_protocol 1.0C
                        enable_sni
                        fast_recovery yes
                        connect_ip 10.1.1.50
                        connect_port 8443
                        bindto 10.1.1.1
                        bind_port 50000
                        bind_if eth1
                        connect_timeout 2
                        fwmark 9
                        retry 5
                        delay_before_retry 0.5
                        warmup 1
                        delay_loop 3
                        alpha
                        log_all_failures
                    }
            """);
        Assert.True(http.Ssl);
        Assert.Equal("SSL_GET", http.Kind);
        var url = http.Urls[0];
        Assert.Equal(("/status", "7a6c0d2ef5a9e6e1776090916c66ba3a", "url.example.org"), (url.Path, url.Digest, url.VirtualHost));
        Assert.Equal([new(200, 204), new(301, 301), new(500, 599)], url.StatusCodes);
        Assert.Equal(new HttpRegex("^OK [0-9]+", true, url.Regex!.Options, 2, 100, 32768, 65536), url.Regex);
        Assert.Equal(["caseless", "multiline"], url.Regex.Options);
        Assert.Equal("/second", http.Urls[1].Path);
        Assert.Equal(("checker.example.org", HttpProtocolVersion.Http10Close, true, true), (http.VirtualHost, http.Protocol, http.EnableSni, http.FastRecovery));
        Assert.Equal(new CheckerConnection(IPAddress.Parse("10.1.1.50"), 8443, IPAddress.Parse("10.1.1.1"), 50000, "eth1", TimeSpan.FromSeconds(2), 9), http.Connection);
        Assert.Equal(new CheckerTiming(5, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), true, true), http.Timing);
    }

    [Fact]
    public void The_http_host_header_falls_back_to_the_real_server_then_the_virtual_server()
    {
        var vs = Parse.OnlyVs(Parse.Service("""
                virtualhost vs.example.org
                real_server 10.1.1.11 80 {
                    HTTP_GET {
                        url {
                            path /
                        }
                    }
                }
                real_server 10.1.1.12 80 {
                    virtualhost rs.example.org
                    HTTP_GET {
                        url {
                            path /
                        }
                    }
                }
            """));
        Assert.Equal(["vs.example.org", "rs.example.org"], vs.RealServers.Select(r => ((HttpChecker)r.Checkers[0]).VirtualHost));
    }

    [Fact]
    public void Tcp_check_takes_the_real_servers_address_and_port_unless_told_otherwise()
    {
        var tcp = Parse.OnlyChecker<TcpChecker>("        TCP_CHECK {\n            connect_port 9000\n        }");
        Assert.Equal((IPAddress.Parse("10.1.1.11"), (ushort)9000), (tcp.Connection.Address, tcp.Connection.Port));
        Assert.Equal(new CheckerTiming(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60), false, false), tcp.Timing);
    }

    [Fact]
    public void A_checker_of_a_real_server_without_port_connects_to_port_0_and_is_refused()
    {
        var error = Parse.SingleError(Parse.Service("    real_server 10.1.1.11 {\n        TCP_CHECK {\n        }\n    }"));
        Assert.Equal((DiagnosticCodes.Incomplete, 6, 9), (error.Code, error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void Misc_check_reads_the_script_its_timeout_dynamic_and_user()
    {
        var misc = Parse.OnlyChecker<MiscChecker>("""
                    MISC_CHECK {
                        misc_path "/usr/local/bin/check --port 80"
                        misc_timeout 4
                        misc_dynamic
                        user nobody nogroup
                        retry 2
                    }
            """);
        Assert.Equal(["/usr/local/bin/check", "--port", "80"], misc.Script.Arguments);
        Assert.Equal(("nobody", "nogroup"), (misc.Script.User, misc.Script.Group));
        Assert.Equal((TimeSpan.FromSeconds(4), true, 2u), (misc.Timeout, misc.Dynamic, misc.Timing.Retry));
    }

    [Fact]
    public void Misc_check_retries_0_times_by_default_and_has_no_connection_keywords()
    {
        var misc = Parse.OnlyChecker<MiscChecker>("        MISC_CHECK {\n            misc_path /bin/true\n        }");
        Assert.Equal(0u, misc.Timing.Retry);
        var result = Parse.Strict(Parse.WithRealServer("        MISC_CHECK {\n            misc_path /bin/true\n            connect_port 80\n        }"));
        Parse.HasError(result, DiagnosticCodes.MisplacedKeyword, 8, 13);
    }

    [Fact]
    public void Smtp_check_reads_helo_name_and_deprecated_host_blocks()
    {
        var smtp = Parse.OnlyChecker<SmtpChecker>("""
                    SMTP_CHECK {
                        helo_name lb.example.org
                        connect_port 25
                        host {
                            connect_ip 10.1.1.12
                            connect_port 2525
                        }
                    }
            """);
        Assert.Equal("lb.example.org", smtp.HeloName);
        Assert.Equal(25, smtp.Connection.Port);
        var host = Assert.Single(smtp.Hosts);
        Assert.Equal((IPAddress.Parse("10.1.1.12"), (ushort)2525), (host.Address, host.Port));
        Assert.Equal("smtpchecker.keepalived.org", Parse.OnlyChecker<SmtpChecker>("        SMTP_CHECK {\n        }").HeloName);
    }

    [Fact]
    public void Dns_check_reads_type_and_name_and_retries_3_times_by_default()
    {
        var dns = Parse.OnlyChecker<DnsChecker>("        DNS_CHECK {\n            type aaaa\n            name www.example.org\n        }");
        Assert.Equal(("AAAA", "www.example.org", 3u), (dns.QueryType, dns.Name, dns.Timing.Retry));
        Assert.Equal(dns.Timing.DelayLoop, dns.Timing.DelayBeforeRetry);
        var plain = Parse.OnlyChecker<DnsChecker>("        DNS_CHECK {\n        }");
        Assert.Equal(("SOA", ""), (plain.QueryType, plain.Name));
    }

    [Theory]
    [InlineData("type ANY", 7, 18)]
    [InlineData("name a..b", 7, 18)]
    public void Bad_dns_settings_are_refused(string setting, int line, int column)
    {
        var result = Parse.Strict(Parse.WithRealServer($"        DNS_CHECK {{\n            {setting}\n        }}"));
        Parse.HasError(result, DiagnosticCodes.InvalidValue, line, column);
    }

    [Fact]
    public void Udp_check_reads_hex_payloads_and_reply_patterns_with_wildcards()
    {
        var udp = Parse.OnlyChecker<UdpChecker>("""
                    UDP_CHECK {
                        payload 70 69 6E 67 1
                        require_reply 72 73 x1 0a
                        min_reply_length 2
                        max_reply_length 100
                    }
            """);
        Assert.Equal([0x70, 0x69, 0x6e, 0x67, 0x01], udp.Payload!.Value);
        Assert.True(udp.RequireReply);
        Assert.Equal([0x72, 0x73, 0x01, 0x0a], udp.ReplyData!.Value);
        Assert.Equal([0xFF, 0xFF, 0x0F, 0xFF], udp.ReplyMask!.Value);
        Assert.Equal((2, 100), ((int)udp.MinReplyLength, (int)udp.MaxReplyLength));
        var plain = Parse.OnlyChecker<UdpChecker>("        UDP_CHECK {\n        }");
        Assert.Equal((null, false, 0, 255), (plain.Payload, plain.RequireReply, (int)plain.MinReplyLength, (int)plain.MaxReplyLength));
    }

    [Fact]
    public void A_udp_check_that_can_never_succeed_is_refused()
    {
        var result = Parse.Strict(Parse.WithRealServer("        UDP_CHECK {\n            min_reply_length 10\n            max_reply_length 5\n        }"));
        Parse.HasError(result, DiagnosticCodes.InvalidValue, 6, 9);
        Parse.HasError(Parse.Strict(Parse.WithRealServer("        UDP_CHECK {\n            payload zz\n        }")), DiagnosticCodes.InvalidValue, 7, 21);
    }

    [Fact]
    public void Ping_check_needs_no_port()
    {
        var ping = Assert.IsType<PingChecker>(Assert.Single(Parse.OnlyRs(Parse.Service("    real_server 10.1.1.11 {\n        PING_CHECK {\n        }\n    }")).Checkers));
        Assert.Equal(0, ping.Connection.Port);
    }

    [Fact]
    public void File_check_takes_its_weight_from_the_track_file_unless_given()
    {
        var config = Parse.Ok("track_file t {\n    file /run/t\n    weight 3 reverse\n}\n" + Parse.WithRealServer("""
                    FILE_CHECK {
                        track_file t
                    }
                    FILE_CHECK {
                        track_file t
                        weight -7 noreverse
                    }
            """));
        var checks = config.VirtualServers[0].RealServers[0].Checkers.Cast<FileChecker>().ToList();
        Assert.Equal([("t", "/run/t", 3, true), ("t", "/run/t", -7, false)], checks.Select(c => (c.TrackFile, c.FilePath, c.Weight, c.Reverse)));
    }

    [Fact]
    public void File_check_of_an_undefined_track_file_is_refused_at_the_name()
    {
        var result = Parse.Strict(Parse.WithRealServer("        FILE_CHECK {\n            track_file nope\n        }"));
        Parse.HasError(result, DiagnosticCodes.UnknownReference, 7, 24);
        Parse.HasError(result, DiagnosticCodes.Incomplete, 6, 9);
    }

    [Fact]
    public void Bfd_check_needs_a_configured_bfd_instance()
    {
        var ok = Parse.Strict("bfd_instance b1 {\n}\n" + Parse.WithRealServer("        BFD_CHECK {\n            name b1\n            alpha\n        }"));
        Assert.True(ok.Succeeded);
        var bfd = Assert.IsType<BfdChecker>(ok.Config!.VirtualServers[0].RealServers[0].Checkers[0]);
        Assert.Equal(("b1", true), (bfd.Name, bfd.Alpha));
        Parse.HasError(Parse.Strict(Parse.WithRealServer("        BFD_CHECK {\n            name b2\n        }")), DiagnosticCodes.UnknownReference, 7, 18);
    }

    [Fact]
    public void Checker_settings_fall_back_to_the_real_server_and_then_the_virtual_server()
    {
        var vs = Parse.OnlyVs(Parse.Service("""
                delay_loop 10
                retry 2
                connect_timeout 3
                real_server 10.1.1.11 80 {
                    delay_before_retry 4
                    warmup 1
                    alpha
                    TCP_CHECK {
                    }
                }
            """));
        var tcp = (TcpChecker)vs.RealServers[0].Checkers[0];
        Assert.Equal(new CheckerTiming(2, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), true, false), tcp.Timing);
        Assert.Equal(TimeSpan.FromSeconds(3), tcp.Connection.Timeout);
    }

    [Fact]
    public void An_ipv6_link_local_checker_needs_bind_if()
    {
        var result = Parse.Strict(Parse.Service("    real_server fe80::11 80 {\n        TCP_CHECK {\n        }\n    }", "2001:db8::100 80"));
        Parse.HasError(result, DiagnosticCodes.Incomplete, 6, 9);
        Assert.True(Parse.Strict(Parse.Service("    real_server fe80::11 80 {\n        TCP_CHECK {\n            bind_if eth0\n        }\n    }", "2001:db8::100 80")).Succeeded);
    }

    [Theory]
    [InlineData("connect_port 65536", 13)]
    [InlineData("connect_ip 10.1.1", 13)]
    [InlineData("bindto 2001:db8::1", 13)]
    [InlineData("bind_if an_interface_name_too_long", 13)]
    [InlineData("fwmark 4294967296", 13)]
    [InlineData("connect_timeout 0", 13)]
    [InlineData("delay_before_retry -1", 13)]
    [InlineData("alpha 2", 13)]
    public void Bad_connection_and_timing_values_are_refused_at_the_value(string setting, int keywordColumn)
    {
        var result = Parse.Strict(Parse.WithRealServer($"        TCP_CHECK {{\n            {setting}\n        }}"));
        var error = Assert.Single(result.Errors);
        Assert.Equal((7, keywordColumn + setting.IndexOf(' ', StringComparison.Ordinal) + 1), (error.Location.Line, error.Location.Column));
    }
}
