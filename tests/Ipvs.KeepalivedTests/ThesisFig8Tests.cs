namespace Ipvs.KeepalivedTests;

/// <summary>
/// The thesis's Fig. 8: the '}' after "weight 1" is missing. keepalived takes lines 6-11 as one
/// real_server block: it ignores line 9 and line 10 overwrites line 7, so the result is one real
/// server, 192.168.0.1 with weight 3.
/// </summary>
public class ThesisFig8Tests
{
    private const string Fig8 = """
        virtual_server 10.0.0.1 80 {
            lb_algo wrr
            lb_kind NAT
            protocol TCP

            real_server 192.168.0.1 80 {
                weight 1

            real_server 192.168.0.2 80 {
                weight 3
            }
        }
        """;

    [Fact]
    public void Strict_mode_rejects_it_with_one_error_at_the_second_real_server_naming_the_unclosed_first()
    {
        var error = Parse.SingleError(Fig8);
        Assert.Equal(DiagnosticCodes.UnclosedBlock, error.Code);
        Assert.Equal(new SourceLocation(Parse.File, 9, 5), error.Location);
        Assert.Equal("real_server block opened at 6:5 is not closed before the next real_server at 9:5: a real_server cannot be inside a real_server", error.Message);
        Assert.Equal("add '}' before line 9 to close 'real_server 192.168.0.1 80' (line 6)", error.Hint);
    }

    [Fact]
    public void Lenient_mode_ends_up_as_keepalived_does_with_one_real_server_of_weight_3()
    {
        var result = Parse.Lenient(Fig8);
        var vs = Assert.Single(result.Config!.VirtualServers);
        var rs = Assert.Single(vs.RealServers);
        Assert.Equal((IPAddress.Parse("192.168.0.1"), (ushort)80, 3u), (rs.Address, rs.Port, rs.Weight));
        // The weight that counts is line 10's, inside the second real_server's block.
        Assert.Equal(new SourceLocation(Parse.File, 10, 9), rs.SettingLocations["weight"]);
        Assert.Empty(result.Errors);
    }

    [Fact]
    public void Lenient_mode_reports_each_deviation_as_a_warning()
    {
        var warnings = Parse.Lenient(Fig8).Warnings.Select(d => (d.Code, d.Location.Line, d.Location.Column)).ToList();
        Assert.Equal(
        [
            (DiagnosticCodes.UnclosedBlock, 9, 5),        // keepalived: Unknown keyword 'real_server'
            (DiagnosticCodes.UnexpectedOpenBrace, 9, 32), // keepalived: Unexpected '{' - ignoring
            (DiagnosticCodes.DuplicateSetting, 10, 9),    // weight 3 replaces weight 1
            (DiagnosticCodes.UnclosedBlock, 1, 28),       // keepalived: There are 1 missing '}'s or extra '{'s
        ], warnings);
    }

    [Fact]
    public void With_the_brace_restored_both_modes_give_the_two_real_servers_of_fig6()
    {
        var fixedText = Fig8.Replace("weight 1\n", "weight 1\n    }\n", StringComparison.Ordinal);
        foreach (var result in new[] { Parse.Strict(fixedText), Parse.Lenient(fixedText) })
        {
            Assert.Empty(result.Diagnostics);
            var vs = Assert.Single(result.Config!.VirtualServers);
            Assert.Equal([("192.168.0.1", 1u), ("192.168.0.2", 3u)], vs.RealServers.Select(r => (r.Address.ToString(), r.Weight)));
        }
    }
}
