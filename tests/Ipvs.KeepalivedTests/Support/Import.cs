using Ipvs.Desired;

namespace Ipvs.KeepalivedTests.Support;

/// <summary>Short ways to import a configuration in a test, as KeepalivedImport.Load would from a file.</summary>
internal static class Import
{
    /// <summary>Parses (strictly unless told) and imports; the parse itself must succeed.</summary>
    public static KeepalivedImportResult Text(string text, KeepalivedParseMode mode = KeepalivedParseMode.Strict, string path = Parse.File)
    {
        var parsed = KeepalivedParser.ParseText(text, path, new KeepalivedParserOptions { ConfigId = "lab", Mode = mode });
        Assert.True(parsed.Succeeded, "the configuration does not parse:\n" + string.Join("\n", parsed.Diagnostics));
        return KeepalivedImport.FromConfig(parsed.Config!);
    }

    /// <summary>Imports strictly; there must be no error.</summary>
    public static DesiredState Ok(string text)
    {
        var result = Text(text);
        Assert.True(result.Succeeded, "expected no errors, got:\n" + string.Join("\n", result.Diagnostics));
        return result.State!;
    }

    public static DesiredService OnlyService(string text) => Assert.Single(Ok(text).Services);

    public static DesiredDestination OnlyDestination(string text) => Assert.Single(OnlyService(text).Destinations);

    public static T OnlyCheck<T>(string realServerBody) where T : HealthCheck =>
        Assert.IsType<T>(Assert.Single(OnlyDestination(Parse.WithRealServer(realServerBody)).Checks));

    /// <summary>The one diagnostic with this code; it must be there.</summary>
    public static Diagnostic Single(KeepalivedImportResult result, string code)
    {
        var found = result.Diagnostics.Where(d => d.Code == code).ToList();
        Assert.True(found.Count == 1, $"expected one {code}, got:\n" + string.Join("\n", result.Diagnostics));
        return found[0];
    }

    public static Ipvs.Desired.SourceLocation At(int line, int column) => new(Parse.File, line, column);
}
