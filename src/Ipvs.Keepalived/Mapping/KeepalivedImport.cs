using Ipvs.Desired;
using Ipvs.Keepalived.Mapping;
using Ipvs.Keepalived.Parsing;

namespace Ipvs.Keepalived;

/// <summary>
/// Turns a keepalived.conf into a <see cref="DesiredState"/>: the IPVS table keepalived 2.2.7
/// builds once every real server is healthy (a virtual_server_group becomes one service per
/// address of its ranges and per fwmark; an inhibited sorry server is in with weight 0), the
/// lvs_timeouts, and keepalived's daemon settings as the desired state's policy, hooks and health
/// checks. This is what <c>ipvs check|plan|apply keepalived.conf</c> reads.
/// </summary>
/// <example>
/// <code>
/// var result = KeepalivedImport.Load("/etc/keepalived/keepalived.conf");
/// foreach (var d in result.Diagnostics) Console.Error.WriteLine(d);
/// if (result.State is { } state)
/// {
///     using var ipvs = IpvsClient.Open();
///     var plan = await Planner.PlanAsync(ipvs, state);
///     await Applier.ApplyAsync(ipvs, plan);
/// }
/// </code>
/// </example>
public static class KeepalivedImport
{
    /// <summary>Parses a file (strict by default) and imports it.</summary>
    /// <param name="path">The configuration file; locations name it as given.</param>
    /// <param name="options">Mode and config id; strict by default. The mode also decides how the import reports what keepalived would change.</param>
    public static KeepalivedImportResult Load(string path, KeepalivedParserOptions? options = null)
    {
        var parsed = KeepalivedParser.ParseFile(path, options);
        if (parsed.Config is not { } config)
        {
            return new KeepalivedImportResult(null, parsed.Diagnostics);
        }
        var mapped = FromConfig(config);
        return mapped with { Diagnostics = [.. parsed.Diagnostics, .. mapped.Diagnostics] };
    }

    /// <summary>
    /// Imports a parsed configuration. What keepalived silently changes on its way to the kernel is
    /// an error when <see cref="KeepalivedConfig.Mode"/> is strict, else a warning; the state is also
    /// checked whole with <see cref="DesiredValidator"/>, whose errors are reported here (its
    /// warnings are left to the caller's own validation, so that they are not shown twice).
    /// </summary>
    /// <param name="config">A configuration from <see cref="KeepalivedParser"/>.</param>
    public static KeepalivedImportResult FromConfig(KeepalivedConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var diagnostics = new DiagnosticBag(config.Mode);
        var state = new ImportSession(config, diagnostics).Run();
        // A group's services share their real servers' findings: report each once, in file order.
        var files = config.Files.Select((file, i) => (file, i)).ToDictionary(x => x.file, x => x.i, StringComparer.Ordinal);
        var ordered = diagnostics.ToImmutable().Distinct()
            .OrderBy(d => files.GetValueOrDefault(d.Location.File, int.MaxValue))
            .ThenBy(d => d.Location.Line)
            .ThenBy(d => d.Location.Column)
            .ToImmutableArray();
        return new KeepalivedImportResult(diagnostics.HasErrors ? null : state, ordered);
    }
}
