using Ipvs.Desired;

namespace Ipvs.KeepalivedTests;

/// <summary>The import of checkers: one desired health check each (one per url), with keepalived's resolved timing.</summary>
public class MappingCheckTests
{
    [Fact]
    public void HTTP_GET_becomes_one_http_check_per_url_with_its_path_digest_status_codes_and_location()
    {
        var d = Import.OnlyDestination(Parse.WithRealServer("""
                    HTTP_GET {
                        url {
                            path /
                            digest 7a6c0d2ef5a9e6e1776090916c66ba3a
                        }
                        url {
                            path /health
                            status_code 200-299 304
                        }
                    }
            """));
        var checks = d.Checks.Cast<HttpCheck>().ToList();
        Assert.Equal(["/", "/health"], checks.Select(c => c.Path));
        Assert.Equal("7a6c0d2ef5a9e6e1776090916c66ba3a", checks[0].BodyDigest);
        // 200-299 alone is keepalived's default, which the desired check's empty list means.
        Assert.Empty(checks[0].StatusCodes);
        Assert.Equal([new StatusRange(200, 299), StatusRange.Single(304)], checks[1].StatusCodes);
        Assert.Equal([Import.At(7, 13), Import.At(11, 13)], checks.Select(c => c.Location));
        Assert.All(checks, c => Assert.False(c.UseTls));
    }

    [Fact]
    public void A_check_gets_keepalived_s_resolved_timing_interval_timeouts_retries_and_warmup()
    {
        var http = Import.OnlyCheck<HttpCheck>("""
                    delay_loop 7
                    HTTP_GET {
                        url {
                            path /
                        }
                        connect_timeout 3
                        retry 2
                    }
            """);
        // delay_before_retry defaults to 3 s for HTTP_GET; warmup to delay_loop.
        Assert.Equal((TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3), 2, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(7)),
            (http.Interval, http.ConnectTimeout, http.ReadTimeout, http.Retries, http.DelayBeforeRetry, http.WarmUp));
        var tcp = Import.OnlyCheck<TcpCheck>("        TCP_CHECK {\n            warmup 2\n            delay_before_retry 0.5\n        }");
        Assert.Equal((TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5), 1, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(2)),
            (tcp.Interval, tcp.ConnectTimeout, tcp.Retries, tcp.DelayBeforeRetry, tcp.WarmUp));
    }

    [Fact]
    public void Connect_ip_and_port_are_kept_only_where_they_differ_from_the_destination_and_bindto_is_the_bind_address()
    {
        var same = Import.OnlyCheck<TcpCheck>("        TCP_CHECK {\n            connect_ip 10.1.1.11\n            connect_port 80\n        }");
        Assert.Equal((null, null), (same.ConnectAddress, same.ConnectPort));
        var other = Import.OnlyCheck<TcpCheck>("        TCP_CHECK {\n            connect_ip 10.1.1.50\n            connect_port 8080\n            bindto 10.1.0.1\n        }");
        Assert.Equal((IPAddress.Parse("10.1.1.50"), (int?)8080, IPAddress.Parse("10.1.0.1")), (other.ConnectAddress, other.ConnectPort, other.BindAddress));
    }

    [Fact]
    public void A_virtual_host_is_the_url_s_else_the_checker_s_and_left_out_when_it_is_the_service_s()
    {
        var service = Import.OnlyService(Parse.Service("""
                virtualhost www.example
                real_server 10.1.1.11 80 {
                    HTTP_GET {
                        url {
                            path /a
                        }
                        url {
                            path /b
                            virtualhost b.example
                        }
                    }
                }
                real_server 10.1.1.12 80 {
                    virtualhost rs2.example
                    HTTP_GET {
                        url {
                            path /
                        }
                    }
                }
            """));
        Assert.Equal("www.example", service.Policy.VirtualHost);
        Assert.Equal([null, "b.example", "rs2.example"], service.Destinations.SelectMany(d => d.Checks).Cast<HttpCheck>().Select(c => c.VirtualHost));
    }

    [Fact]
    public void SSL_GET_uses_tls_and_sends_the_virtual_host_as_server_name_with_enable_sni()
    {
        var https = Import.OnlyCheck<HttpCheck>("""
                    SSL_GET {
                        url {
                            path /status
                        }
                        virtualhost secure.example
                        enable_sni
                    }
            """);
        Assert.Equal((true, "secure.example", "secure.example", false), (https.UseTls, https.VirtualHost, https.ServerName, https.VerifyTls));
        Assert.Equal("https", https.Kind);
    }

    [Fact]
    public void A_regex_keeps_its_options_as_inline_flags()
    {
        var http = Import.OnlyCheck<HttpCheck>("""
                    HTTP_GET {
                        url {
                            path /
                            regex "^OK$"
                            regex_options multiline caseless
                        }
                    }
            """);
        Assert.Equal("(?mi)^OK$", http.BodyRegex);
    }

    [Fact]
    public void A_regex_that_must_not_match_is_left_out_with_a_warning_at_its_url()
    {
        var result = Import.Text(Parse.WithRealServer("""
                    HTTP_GET {
                        url {
                            path /ready
                            regex "not ready"
                            regex_no_match
                        }
                    }
            """));
        var http = Assert.IsType<HttpCheck>(Assert.Single(Assert.Single(Assert.Single(result.State!.Services).Destinations).Checks));
        Assert.Null(http.BodyRegex);
        var warning = Import.Single(result, DiagnosticCodes.NotMapped);
        Assert.Equal((DiagnosticSeverity.Warning, 7, 13), (warning.Severity, warning.Location.Line, warning.Location.Column));
    }

    [Fact]
    public void TCP_CHECK_and_PING_CHECK_become_tcp_and_icmp_checks()
    {
        var d = Import.OnlyDestination(Parse.WithRealServer("        TCP_CHECK {\n        }\n        PING_CHECK {\n        }"));
        Assert.Equal(["tcp", "icmp"], d.Checks.Select(c => c.Kind));
        Assert.Null(d.Checks[1].ConnectPort);
    }

    [Fact]
    public void A_dr_fwmark_destination_has_port_0_so_its_check_keeps_the_connect_port()
    {
        var d = Assert.Single(Assert.Single(Import.Ok("""
            virtual_server fwmark 10 {
                lb_algo rr
                lb_kind DR
                real_server 10.1.1.11 {
                    TCP_CHECK {
                        connect_port 80
                    }
                }
            }
            """).Services).Destinations);
        Assert.Equal((0, (int?)80), (d.Key.Port, d.Checks[0].ConnectPort));
    }

    [Fact]
    public void SMTP_CHECK_becomes_an_smtp_check_per_host()
    {
        var d = Import.OnlyDestination(Parse.WithRealServer("""
                    SMTP_CHECK {
                        helo_name director.example
                        host {
                            connect_ip 10.1.1.50
                            connect_port 587
                        }
                    }
            """, "10.1.1.11 25"));
        var smtp = d.Checks.Cast<SmtpCheck>().ToList();
        Assert.Equal(2, smtp.Count);
        Assert.All(smtp, s => Assert.Equal("director.example", s.HeloName));
        Assert.Equal((IPAddress.Parse("10.1.1.50"), (int?)587), (smtp[1].ConnectAddress, smtp[1].ConnectPort));
    }

    [Fact]
    public void DNS_CHECK_keeps_its_type_and_name_and_defaults_to_soa_of_the_root_with_3_retries()
    {
        var named = Import.OnlyCheck<DnsCheck>("        DNS_CHECK {\n            type AAAA\n            name lab.example\n        }");
        Assert.Equal((DnsRecordType.Aaaa, "lab.example"), (named.Type, named.Name));
        var plain = Import.OnlyCheck<DnsCheck>("        DNS_CHECK {\n        }");
        Assert.Equal((DnsRecordType.Soa, ".", 3), (plain.Type, plain.Name, plain.Retries));
    }

    [Fact]
    public void A_DNS_CHECK_type_the_desired_check_cannot_ask_for_is_an_error_at_the_type()
    {
        var result = Import.Text(Parse.WithRealServer("        DNS_CHECK {\n            type RRSIG\n        }"));
        Assert.Null(result.State);
        var error = Import.Single(result, DiagnosticCodes.Unsupported);
        Assert.Equal((DiagnosticSeverity.Error, 7, 13), (error.Severity, error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void UDP_CHECK_keeps_its_payload_and_required_reply()
    {
        var udp = Import.OnlyCheck<UdpCheck>("        UDP_CHECK {\n            payload 70 69 6e 67\n            require_reply 72 73 31 0a\n        }");
        Assert.True(udp.RequireReply);
        Assert.Equal("ping"u8.ToArray(), udp.Payload.ToArray());
        Assert.Equal("rs1\n"u8.ToArray(), udp.ExpectedReply.ToArray());
    }

    [Fact]
    public void A_required_reply_with_wildcard_nibbles_is_compared_up_to_its_first_wildcard_with_a_warning()
    {
        var result = Import.Text(Parse.WithRealServer("        UDP_CHECK {\n            require_reply 7273xx0a\n        }"));
        var udp = Assert.IsType<UdpCheck>(Assert.Single(Assert.Single(Assert.Single(result.State!.Services).Destinations).Checks));
        Assert.Equal("rs"u8.ToArray(), udp.ExpectedReply.ToArray());
        Assert.Equal(7, Import.Single(result, DiagnosticCodes.NotMapped).Location.Line);
    }

    [Fact]
    public void MISC_CHECK_becomes_a_program_check_whose_timeout_defaults_to_the_delay_loop()
    {
        var text = """
            global_defs {
                enable_script_security
                script_user root
            }
            virtual_server 10.1.0.100 80 {
                lb_algo rr
                lb_kind NAT
                protocol TCP
                delay_loop 9
                real_server 10.1.1.11 80 {
                    MISC_CHECK {
                        misc_path "/usr/local/bin/check web 80"
                        misc_dynamic
                    }
                    MISC_CHECK {
                        misc_path /usr/local/bin/other
                        misc_timeout 3
                        user nobody
                    }
                }
            }
            """;
        var checks = Import.OnlyDestination(text).Checks.Cast<ProgramCheck>().ToList();
        Assert.Equal(("/usr/local/bin/check", true, TimeSpan.FromSeconds(9), "root"),
            (checks[0].Path, checks[0].DynamicWeight, checks[0].Timeout, checks[0].User));
        Assert.Equal(["web", "80"], checks[0].Arguments);
        // MISC_CHECK's retry defaults to 0.
        Assert.Equal((TimeSpan.FromSeconds(3), "nobody", 0), (checks[1].Timeout, checks[1].User, checks[1].Retries));
    }

    [Fact]
    public void FILE_CHECK_becomes_a_file_check_whose_multiplier_folds_in_reverse()
    {
        var state = Import.Ok("""
            track_file drain {
                file /run/drain
                weight -10 reverse
            }
            track_file capacity {
                file /run/capacity
            }
            virtual_server 10.1.0.100 80 {
                lb_algo rr
                lb_kind NAT
                protocol TCP
                real_server 10.1.1.11 80 {
                    FILE_CHECK {
                        track_file drain
                    }
                    FILE_CHECK {
                        track_file capacity
                        weight -5
                    }
                }
            }
            """);
        var files = Assert.Single(Assert.Single(state.Services).Destinations).Checks.Cast<FileCheck>().ToList();
        // -10 reversed adds 10 per unit; -5 subtracts 5 per unit.
        Assert.Equal([("/run/drain", 10, false), ("/run/capacity", 5, true)], files.Select(f => (f.Path, f.Weight, f.Reverse)));
    }

    [Fact]
    public void BFD_CHECK_is_left_to_keepalived_with_a_warning()
    {
        var result = Import.Text("""
            bfd_instance bfd1 {
                neighbor_ip 10.1.1.11
            }
            virtual_server 10.1.0.100 80 {
                lb_algo rr
                lb_kind NAT
                protocol TCP
                real_server 10.1.1.11 80 {
                    BFD_CHECK {
                        name bfd1
                    }
                }
            }
            """);
        Assert.Empty(Assert.Single(Assert.Single(result.State!.Services).Destinations).Checks);
        Assert.Contains(result.Warnings, w => w.Code == DiagnosticCodes.NotHandled && w.Location.Line == 9);
    }
}
