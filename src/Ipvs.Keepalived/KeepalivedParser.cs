using Ipvs.Keepalived.Parsing;
using Ipvs.Keepalived.Syntax;

namespace Ipvs.Keepalived;

/// <summary>
/// Parses keepalived's configuration (as keepalived 2.2.7 reads it) into the LVS part:
/// virtual servers, groups, real servers and checkers, with every default resolved.
/// </summary>
/// <example>
/// <code>
/// var result = KeepalivedParser.ParseFile("/etc/keepalived/keepalived.conf");
/// foreach (var d in result.Diagnostics) Console.Error.WriteLine(d);   // file:line:col: error code: message (hint: ...)
/// if (result.Config is { } config)
///     foreach (var vs in config.VirtualServers) Console.WriteLine($"{vs.Id} {vs.Scheduler} {vs.RealServers.Length} real servers");
/// </code>
/// </example>
public static class KeepalivedParser
{
    /// <summary>Parses a file and everything it includes (relative includes resolve from each file's directory).</summary>
    /// <param name="path">The configuration file; locations name it as given.</param>
    /// <param name="options">Mode and config id; strict by default.</param>
    public static KeepalivedParseResult ParseFile(string path, KeepalivedParserOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(path, null, options ?? KeepalivedParserOptions.Default);
    }

    /// <summary>Parses text as if it were the file <paramref name="path"/> (which names it in locations and anchors its includes).</summary>
    /// <param name="text">The configuration.</param>
    /// <param name="path">The file name to report, and whose directory relative includes start from.</param>
    /// <param name="options">Mode and config id; strict by default.</param>
    public static KeepalivedParseResult ParseText(string text, string path = "keepalived.conf", KeepalivedParserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(path, text, options ?? KeepalivedParserOptions.Default);
    }

    private static KeepalivedParseResult Parse(string path, string? text, KeepalivedParserOptions options)
    {
        var diagnostics = new DiagnosticBag(options.Mode);
        var reader = new LineReader(diagnostics, options.ConfigId ?? DefaultConfigId());
        if (!reader.OpenMain(path, text))
        {
            return new KeepalivedParseResult(null, diagnostics.ToImmutable());
        }
        var session = new ParseSession(diagnostics, reader);
        session.Run();
        var config = session.Build();
        return new KeepalivedParseResult(diagnostics.HasErrors ? null : config, diagnostics.ToImmutable());
    }

    // keepalived's default config id: the node name up to its first dot (main.c).
    private static string DefaultConfigId()
    {
        var name = Environment.MachineName;
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? name : name[..dot];
    }
}
