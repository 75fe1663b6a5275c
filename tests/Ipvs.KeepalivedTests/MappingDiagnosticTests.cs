using Ipvs.Desired;

namespace Ipvs.KeepalivedTests;

/// <summary>What the import reports: the parser's diagnostics first, then its own, each located; no state after any error.</summary>
public class MappingDiagnosticTests
{
    private static string Corpus(string kind, string file) => Path.Combine(AppContext.BaseDirectory, "corpus", kind, file);

    private static readonly KeepalivedParserOptions Lab = new() { ConfigId = "ipvs-lab" };

    [Fact]
    public void The_thesis_fig8_gives_no_state_in_strict_mode_only_the_parser_s_located_error()
    {
        var result = KeepalivedImport.Load(Corpus("invalid", "01-thesis-fig8-missing-brace.conf"), Lab);
        Assert.False(result.Succeeded);
        Assert.Null(result.State);
        var error = Assert.Single(result.Errors);
        Assert.Equal((DiagnosticCodes.UnclosedBlock, 9, 5), (error.Code, error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void The_thesis_fig8_in_lenient_mode_gives_the_table_keepalived_really_builds()
    {
        // corpus/keepalived-live.results: keepalived 2.2.7 keeps one real server, weight 3.
        var result = KeepalivedImport.Load(Corpus("invalid", "01-thesis-fig8-missing-brace.conf"), Lab with { Mode = KeepalivedParseMode.Lenient });
        var service = Assert.Single(result.State!.Services);
        Assert.Equal(("tcp:10.0.0.1:80", "wrr"), (service.Key.ToString(), service.Service.Scheduler.Name));
        var d = Assert.Single(service.Destinations);
        Assert.Equal(("192.168.0.1:80", 3), (d.Key.ToString(), d.Destination.Weight));
        Assert.NotEmpty(result.Warnings);
    }

    [Fact]
    public void Load_reports_the_parser_s_diagnostics_first_then_the_import_s_in_file_order()
    {
        using var dir = new TempDir();
        var path = dir.Write("keepalived.conf", """
            global_defs {
                lvs_sync_daemon eth0 inst VI_1
                lvs_flush
            }
            vrrp_instance VI_1 {
                interface eth0
                virtual_router_id 1
            }
            virtual_server 10.1.0.100 80 {
                lb_algo rr
                lb_kind NAT
                protocol TCP
                real_server 10.1.1.11 80 {
                    TCP_CHECK {
                        fwmark 3
                    }
                }
            }
            """);
        var result = KeepalivedImport.Load(path, Lab);
        Assert.True(result.Succeeded);
        Assert.Equal(
            [(DiagnosticCodes.NotHandled, 5), (DiagnosticCodes.NotHandled, 2), (DiagnosticCodes.NotMapped, 3), (DiagnosticCodes.NotMapped, 15)],
            result.Diagnostics.Select(d => (d.Code, d.Location.Line)));
        Assert.All(result.Diagnostics, d => Assert.Equal(path, d.Location.File));
        Assert.Contains("sync daemons are not in the desired state", result.Diagnostics[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Net_namespace_and_lvs_flush_on_stop_are_not_mapped_and_say_how_to_apply_instead()
    {
        var result = Import.Text("net_namespace blue\nglobal_defs {\n    lvs_flush_on_stop\n}\n" + Parse.WithRealServer(""));
        Assert.True(result.Succeeded);
        var netns = Assert.Single(result.Warnings, w => w.Message.StartsWith("net_namespace", StringComparison.Ordinal));
        Assert.Equal((DiagnosticCodes.NotMapped, 1, "apply with --netns blue"), (netns.Code, netns.Location.Line, netns.Hint));
        Assert.Single(result.Warnings, w => w.Message.StartsWith("lvs_flush_on_stop", StringComparison.Ordinal));
    }

    [Fact]
    public void A_rule_of_the_desired_state_broken_by_the_configuration_is_a_located_error_and_leaves_no_state()
    {
        var result = Import.Text(Parse.WithRealServer("        uthreshold 10\n        lthreshold 20"));
        Assert.Null(result.State);
        var error = Assert.Single(result.Errors);
        Assert.Equal(("threshold-order", Parse.File, 5, 5), (error.Code, error.Location.File, error.Location.Line, error.Location.Column));
        Assert.NotNull(error.Hint);
    }

    [Fact]
    public void The_desired_state_s_warnings_are_left_to_the_caller_s_own_validation()
    {
        // dh ignores scheduler flags: DesiredValidator warns, ipvs check shows it; the import does not repeat it.
        var result = Import.Text(Parse.Service("    flag-1\n    real_server 10.1.1.11 80 {\n    }").Replace("lb_algo rr", "lb_algo dh", StringComparison.Ordinal));
        Assert.True(result.Succeeded);
        Assert.Empty(result.Diagnostics);
        Assert.Contains(DesiredValidator.Validate(result.State!).Warnings, w => w.Code == "scheduler-flags-unused");
    }

    [Fact]
    public void A_configuration_remembers_how_it_was_read_so_that_the_import_judges_alike()
    {
        Assert.Equal(KeepalivedParseMode.Lenient, Parse.Lenient(Parse.WithRealServer("")).Config!.Mode);
        Assert.Equal(KeepalivedParseMode.Strict, Parse.Strict(Parse.WithRealServer("")).Config!.Mode);
    }

    [Fact]
    public void Settings_with_no_place_in_the_desired_state_warn_where_they_are_written()
    {
        var result = Import.Text(Parse.Service("""
                alpha
                real_server 10.1.1.11 80 {
                    alpha off
                    HTTP_GET {
                        url {
                            path /
                        }
                        http_protocol 1.1
                        bind_if eth0
                    }
                }
            """));
        Assert.True(result.Succeeded);
        Assert.Equal([7, 12, 13], result.Warnings.Select(w => w.Location.Line));
        Assert.All(result.Warnings, w => Assert.Equal(DiagnosticCodes.NotMapped, w.Code));
    }
}
