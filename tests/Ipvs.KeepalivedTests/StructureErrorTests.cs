namespace Ipvs.KeepalivedTests;

/// <summary>Strict mode: every structural mistake is one located error with a hint, and there is no result.</summary>
public class StructureErrorTests
{
    [Fact]
    public void An_unknown_keyword_is_located_and_a_near_keyword_is_suggested()
    {
        var error = Parse.SingleError("virtual_server 10.1.0.100 80 {\n    lb_algoo rr\n    lb_kind NAT\n    protocol TCP\n    real_server 10.1.1.11 80 {\n    }\n}\n");
        Assert.Equal(new SourceLocation(Parse.File, 2, 5), error.Location);
        Assert.Equal(DiagnosticCodes.UnknownKeyword, error.Code);
        Assert.Contains("'lb_algoo'", error.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'lb_algo'", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_block_is_reported_once_and_skipped_whole()
    {
        var result = Parse.Strict(Parse.Service("    health {\n        unknown_inside 1\n        nested { x }\n    }\n    real_server 10.1.1.11 80 {\n    }"));
        var error = Assert.Single(result.Errors);
        Assert.Equal((DiagnosticCodes.UnknownKeyword, 5, 5), (error.Code, error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void An_extra_brace_at_the_top_level_is_located()
    {
        var error = Parse.SingleError(Parse.Service("    real_server 10.1.1.11 80 {\n    }") + "\n}\n");
        Assert.Equal((DiagnosticCodes.ExtraCloseBrace, 8, 1), (error.Code, error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void A_brace_that_closes_a_block_too_early_is_found_from_what_follows()
    {
        var error = Parse.SingleError("""
            virtual_server 10.1.0.100 80 {
                lb_algo rr
                lb_kind NAT
                protocol TCP
                real_server 10.1.1.11 80 {
                }
                }
                real_server 10.1.1.12 80 {
                }
            }
            """);
        Assert.Equal((DiagnosticCodes.ExtraCloseBrace, 7, 5), (error.Code, error.Location.Line, error.Location.Column));
        Assert.Contains("closes virtual_server (opened at 1:1) too early", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_closing_brace_at_the_end_is_reported_where_the_block_opens()
    {
        var result = Parse.Strict("virtual_server 10.1.0.100 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n    real_server 10.1.1.11 80 {\n        weight 1\n");
        Assert.Null(result.Config);
        Assert.Equal([(5, 5), (1, 1)], result.Errors.Where(d => d.Code == DiagnosticCodes.UnclosedBlock).Select(d => (d.Location.Line, d.Location.Column)));
    }

    [Fact]
    public void A_block_keyword_without_its_brace_is_reported_at_the_end_of_its_line()
    {
        var result = Parse.Strict("virtual_server 10.1.0.100 80\n    lb_algo rr\n}\n");
        Parse.HasError(result, DiagnosticCodes.MissingOpenBrace, 1, 29);
    }

    [Fact]
    public void A_brace_after_a_plain_setting_is_unexpected()
    {
        var result = Parse.Strict(Parse.Service("    lb_algo rr {\n    }\n    real_server 10.1.1.11 80 {\n    }"));
        var error = Assert.Single(result.Errors);
        Assert.Equal((DiagnosticCodes.UnexpectedOpenBrace, 5, 16), (error.Code, error.Location.Line, error.Location.Column));
    }

    [Theory]
    [InlineData("real_server 10.1.1.11 80 {\n}\n", 1, 1, "it belongs inside virtual_server")]
    [InlineData("HTTP_GET {\n}\n", 1, 1, "it belongs inside real_server")]
    [InlineData("url {\n  path /\n}\n", 1, 1, "it belongs inside HTTP_GET or SSL_GET")]
    public void A_misplaced_block_is_refused_with_where_it_belongs(string text, int line, int column, string where)
    {
        var error = Parse.SingleError(text);
        Assert.Equal((DiagnosticCodes.MisplacedKeyword, line, column), (error.Code, error.Location.Line, error.Location.Column));
        Assert.Contains(where, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checker_directly_in_a_virtual_server_is_misplaced()
    {
        var result = Parse.Strict(Parse.Service("    TCP_CHECK {\n        connect_port 80\n    }\n    real_server 10.1.1.11 80 {\n    }"));
        var error = Assert.Single(result.Errors);
        Assert.Equal((DiagnosticCodes.MisplacedKeyword, 5, 5), (error.Code, error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void A_setting_of_an_enclosing_block_is_misplaced_and_the_hint_says_where_it_goes()
    {
        var error = Parse.SingleError(Parse.WithRealServer("        lb_algo wrr"));
        Assert.Equal((DiagnosticCodes.MisplacedKeyword, 6, 9), (error.Code, error.Location.Line, error.Location.Column));
        Assert.Contains("move it into the virtual_server block opened at 1:1", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Lb_kind_inside_a_real_server_points_to_lvs_method()
    {
        var error = Parse.SingleError(Parse.WithRealServer("        lb_kind DR"));
        Assert.Contains("lvs_method", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checker_inside_a_url_means_the_url_was_not_closed()
    {
        var result = Parse.Strict(Parse.WithRealServer("""
                    HTTP_GET {
                        url {
                            path /
                        connect_timeout 3
                    }
                    TCP_CHECK {
                    }
            """));
        Assert.Null(result.Config);
        // connect_timeout belongs to HTTP_GET: misplaced; then TCP_CHECK (a block of real_server)
        // inside HTTP_GET shows the missing '}'.
        Parse.HasError(result, DiagnosticCodes.MisplacedKeyword, 9, 13);
    }

    [Fact]
    public void A_missing_value_is_fatal_as_keepalived_stops_there()
    {
        var error = Parse.SingleError(Parse.WithRealServer("        weight"));
        Assert.Equal((DiagnosticCodes.MissingArgument, 6, 15), (error.Code, error.Location.Line, error.Location.Column));
        var lenient = Parse.Lenient(Parse.WithRealServer("        weight"));
        Assert.Null(lenient.Config);
    }

    [Fact]
    public void Extra_words_after_a_value_are_refused_at_the_first_extra_word()
    {
        var error = Parse.SingleError(Parse.WithRealServer("        weight 1 2"));
        Assert.Equal((DiagnosticCodes.ExtraArgument, 6, 18), (error.Code, error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void Errors_come_with_a_hint_and_print_as_file_line_column()
    {
        var error = Parse.SingleError(Parse.WithRealServer("        weight 99999999999"));
        Assert.NotNull(error.Hint);
        Assert.StartsWith("test.conf:6:16: error out-of-range: weight 99999999999 is out of range 0..2147483647", error.ToString(), StringComparison.Ordinal);
    }
}
