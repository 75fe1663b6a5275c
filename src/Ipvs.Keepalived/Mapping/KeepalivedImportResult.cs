using Ipvs.Desired;

namespace Ipvs.Keepalived;

/// <summary>
/// The outcome of an import: the desired state, or null when there is any error (the parser's or
/// the mapping's; never a partial state), and every diagnostic, the parser's first.
/// </summary>
/// <param name="State">What keepalived 2.2.7 would put in the kernel with every real server healthy, plus its health-checking policy; null when <see cref="Diagnostics"/> holds an error.</param>
/// <param name="Diagnostics">The parser's diagnostics in file order, then the mapping's, each located in the configuration.</param>
public sealed record KeepalivedImportResult(DesiredState? State, ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>True when there is a state (no error).</summary>
    public bool Succeeded => State is not null;

    /// <summary>The errors.</summary>
    public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);

    /// <summary>The warnings.</summary>
    public IEnumerable<Diagnostic> Warnings => Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning);
}
