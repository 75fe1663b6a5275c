using Ipvs.Desired;

namespace Ipvs.KeepalivedTests;

/// <summary>
/// HTTP_GET and SSL_GET return timing, as keepalived 2.2.7's check_http.c epilog() has it: after a
/// failure the failed url must pass, then every url in turn, delay_loop apart (N + 1 passes for N
/// urls), unless fast_recovery fetches them at once. Each url's desired check carries that rise.
/// </summary>
public class MappingHttpRiseTests
{
    private static string Urls(int count, string extra = "") =>
        "        HTTP_GET {\n" +
        string.Concat(Enumerable.Range(1, count).Select(i => $"            url {{\n                path /u{i}\n            }}\n")) +
        extra +
        "        }";

    private static KeepalivedImportResult ImportWith(string realServerBody, string serviceHead = "") => Import.Text(Parse.Service($$"""
        {{serviceHead}}
            real_server 10.1.1.11 80 {
        {{realServerBody}}
            }
        """));

    private static List<HttpCheck> Checks(KeepalivedImportResult result)
    {
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return [.. Assert.Single(Assert.Single(result.State!.Services).Destinations).Checks.Cast<HttpCheck>()];
    }

    private static List<Diagnostic> NotMapped(KeepalivedImportResult result) =>
        [.. result.Diagnostics.Where(d => d.Code == DiagnosticCodes.NotMapped)];

    [Fact]
    public void One_url_needs_two_passes_to_return_as_keepalived_fetches_it_again_after_the_first_and_nothing_is_warned()
    {
        var result = ImportWith(Urls(1));
        var http = Assert.Single(Checks(result));
        Assert.Equal((2, 1), (http.Rise, http.Fall));
        Assert.Empty(NotMapped(result));
    }

    [Fact]
    public void Three_urls_become_three_checks_each_needing_four_passes_and_a_warning_says_every_url_is_fetched_each_delay_loop()
    {
        var result = ImportWith(Urls(3, "            retry 2\n            delay_before_retry 1\n"), "    delay_loop 6");
        var checks = Checks(result);
        Assert.Equal(["/u1", "/u2", "/u3"], checks.Select(c => c.Path));
        Assert.All(checks, c => Assert.Equal((4, 1, 2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(6)),
            (c.Rise, c.Fall, c.Retries, c.DelayBeforeRetry, c.Interval)));
        var warning = Assert.Single(NotMapped(result));
        Assert.Equal((DiagnosticSeverity.Warning, 7), (warning.Severity, warning.Location.Line));
        Assert.Contains("3 urls", warning.Message, StringComparison.Ordinal);
        Assert.Contains("rise 4", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fast_recovery_puts_the_server_back_at_the_first_pass_of_each_url_without_a_warning_for_one_url()
    {
        var one = ImportWith(Urls(1, "            fast_recovery\n"));
        Assert.Equal(1, Assert.Single(Checks(one)).Rise);
        Assert.Empty(NotMapped(one));

        var three = ImportWith(Urls(3, "            fast_recovery\n"));
        Assert.All(Checks(three), c => Assert.Equal(1, c.Rise));
        // Only the "every url each delay_loop" warning is left; fast_recovery itself is mapped.
        Assert.DoesNotContain("fast_recovery", Assert.Single(NotMapped(three)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SSL_GET_has_the_same_rise_as_HTTP_GET()
    {
        var result = ImportWith(Urls(2).Replace("HTTP_GET", "SSL_GET", StringComparison.Ordinal));
        Assert.All(Checks(result), c => Assert.Equal((3, true), (c.Rise, c.UseTls)));
    }

    [Fact]
    public void With_alpha_a_warning_says_the_server_starts_one_delay_loop_later_than_keepalived_s_first_round()
    {
        var result = ImportWith(Urls(1), "    alpha");
        Assert.True(Assert.Single(result.State!.Services).Policy.Alpha);
        Assert.Equal(2, Assert.Single(Checks(result)).Rise);
        var warning = Assert.Single(NotMapped(result));
        Assert.Contains("alpha", warning.Message, StringComparison.Ordinal);
        Assert.Contains("one delay_loop later", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_alpha_and_fast_recovery_the_first_pass_puts_the_server_in_as_in_keepalived_so_nothing_is_warned()
    {
        var result = ImportWith(Urls(1, "            fast_recovery\n"), "    alpha");
        Assert.Equal(1, Assert.Single(Checks(result)).Rise);
        Assert.Empty(NotMapped(result));
    }

    [Fact]
    public void Other_checkers_keep_rise_1_as_keepalived_puts_their_server_back_at_the_first_pass()
    {
        var tcp = Import.OnlyCheck<TcpCheck>("        TCP_CHECK {\n        }");
        Assert.Equal((1, 1), (tcp.Rise, tcp.Fall));
    }
}
