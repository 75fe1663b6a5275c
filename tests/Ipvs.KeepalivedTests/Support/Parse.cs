namespace Ipvs.KeepalivedTests.Support;

/// <summary>Short ways to parse a configuration in a test and to state what must come out.</summary>
internal static class Parse
{
    public const string File = "test.conf";

    public static KeepalivedParseResult Strict(string text, string path = File) =>
        KeepalivedParser.ParseText(text, path, new KeepalivedParserOptions { ConfigId = "lab" });

    public static KeepalivedParseResult Lenient(string text, string path = File) =>
        KeepalivedParser.ParseText(text, path, new KeepalivedParserOptions { Mode = KeepalivedParseMode.Lenient, ConfigId = "lab" });

    /// <summary>Parses strictly and fails the test on any error, printing all diagnostics.</summary>
    public static KeepalivedConfig Ok(string text, string path = File)
    {
        var result = Strict(text, path);
        Assert.True(result.Succeeded, "expected no errors, got:\n" + string.Join("\n", result.Diagnostics));
        return result.Config!;
    }

    /// <summary>Parses strictly; there must be exactly one error, and no result.</summary>
    public static Diagnostic SingleError(string text, string path = File)
    {
        var result = Strict(text, path);
        Assert.Null(result.Config);
        var errors = result.Errors.ToList();
        Assert.True(errors.Count == 1, "expected one error, got:\n" + string.Join("\n", result.Diagnostics));
        return errors[0];
    }

    /// <summary>The one virtual server of a configuration.</summary>
    public static VirtualServer OnlyVs(string text) => Assert.Single(Ok(text).VirtualServers);

    /// <summary>A service around <paramref name="body"/> (which goes inside the virtual_server block).</summary>
    public static string Service(string body, string head = "10.1.0.100 80") => $$"""
        virtual_server {{head}} {
            lb_algo rr
            lb_kind NAT
            protocol TCP
        {{body}}
        }
        """;

    /// <summary>A service with one real server around <paramref name="body"/> (which goes inside the real_server block).</summary>
    public static string WithRealServer(string body, string rs = "10.1.1.11 80") => Service($$"""
            real_server {{rs}} {
        {{body}}
            }
        """);

    public static RealServer OnlyRs(string text) => Assert.Single(OnlyVs(text).RealServers);

    public static T OnlyChecker<T>(string realServerBody) where T : HealthChecker =>
        Assert.IsType<T>(Assert.Single(OnlyRs(WithRealServer(realServerBody)).Checkers));

    public static void HasError(KeepalivedParseResult result, string code, int line, int column)
    {
        Assert.True(result.Errors.Any(d => d.Code == code && d.Location.Line == line && d.Location.Column == column),
            $"expected error {code} at {line}:{column}, got:\n" + string.Join("\n", result.Diagnostics));
    }

    public static void HasWarning(KeepalivedParseResult result, string code, int line, int column)
    {
        Assert.True(result.Warnings.Any(d => d.Code == code && d.Location.Line == line && d.Location.Column == column),
            $"expected warning {code} at {line}:{column}, got:\n" + string.Join("\n", result.Diagnostics));
    }
}

/// <summary>A directory under the temp path, removed at the end of the test.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = Directory.CreateTempSubdirectory("ka-test-").FullName;
    }

    public string Path { get; }

    public string Write(string relative, string text)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllText(full, text);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
