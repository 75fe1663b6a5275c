namespace Ipvs.Keepalived;

/// <summary>
/// The outcome of a parse: the configuration, or null when there is any error (never a partial
/// result), and every diagnostic in the order found.
/// </summary>
/// <param name="Config">The configuration; null when <see cref="Diagnostics"/> holds an error.</param>
/// <param name="Diagnostics">Errors and warnings, in file order as met.</param>
public sealed record KeepalivedParseResult(KeepalivedConfig? Config, ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>True when there is a configuration (no error).</summary>
    public bool Succeeded => Config is not null;

    /// <summary>The errors.</summary>
    public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);

    /// <summary>The warnings.</summary>
    public IEnumerable<Diagnostic> Warnings => Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning);
}
