namespace Ipvs.KeepalivedTests;

/// <summary>The corpus through the import: every valid configuration gives a state with real servers, no invalid one gives any.</summary>
public class MappingCorpusTests
{
    private static readonly KeepalivedParserOptions Lab = new() { ConfigId = "ipvs-lab" };

    private static string Corpus(string kind) => Path.Combine(AppContext.BaseDirectory, "corpus", kind);

    public static TheoryData<string> Valid() => [.. Directory.GetFiles(Corpus("valid"), "*.conf").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public static TheoryData<string> Invalid() => [.. Directory.GetFiles(Corpus("invalid"), "*.conf").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Valid))]
    public void A_valid_configuration_imports_without_errors_into_services_with_real_servers(string file)
    {
        var result = KeepalivedImport.Load(Path.Combine(Corpus("valid"), file), Lab);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.NotEmpty(result.State!.Services);
        Assert.All(result.State.Services, s => Assert.NotEmpty(s.Destinations));
        Assert.All(result.Warnings, w => Assert.Contains(w.Code, new[] { DiagnosticCodes.NotHandled, DiagnosticCodes.NotMapped }));
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void An_invalid_configuration_imports_to_no_state(string file)
    {
        var result = KeepalivedImport.Load(Path.Combine(Corpus("invalid"), file), Lab);
        Assert.Null(result.State);
        Assert.NotEmpty(result.Errors);
    }

    [Fact]
    public void The_group_corpus_file_expands_to_thirty_address_services_and_two_fwmark_services()
    {
        var state = KeepalivedImport.Load(Path.Combine(Corpus("valid"), "07-group-ranges.conf"), Lab).State!;
        Assert.Equal(30, state.Services.Count(s => !s.Key.IsFirewallMark));
        Assert.Equal([20u, 21u], state.Services.Where(s => s.Key.IsFirewallMark).Select(s => s.Key.FirewallMark));
    }
}
