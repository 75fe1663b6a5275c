namespace Ipvs.Keepalived.Parsing;

/// <summary>
/// Collects diagnostics and decides their severity from the mode. The parser reports three kinds
/// of finding; the rule behind them is "refuse what keepalived would silently drop or change":
/// <list type="bullet">
/// <item><see cref="Deviation"/>: keepalived ignores, drops or rewrites something that was
/// written. An error in strict mode; a warning in lenient mode, where the parser then does what
/// keepalived does.</item>
/// <item><see cref="Warning"/>: worth knowing in both modes (a default filled in, a deprecated
/// keyword, a block ipvs leaves to keepalived).</item>
/// <item><see cref="Fatal"/>: keepalived itself would stop (a missing parameter) or the parser
/// cannot go on (an include cycle); an error in both modes.</item>
/// </list>
/// </summary>
internal sealed class DiagnosticBag(KeepalivedParseMode mode)
{
    private readonly List<Diagnostic> _items = [];

    public KeepalivedParseMode Mode { get; } = mode;

    public bool Strict => Mode == KeepalivedParseMode.Strict;

    public bool HasErrors { get; private set; }

    public ImmutableArray<Diagnostic> ToImmutable() => [.. _items];

    public void Deviation(string code, SourceLocation location, string message, string? hint = null) =>
        Add(Strict ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, code, location, message, hint);

    public void Warning(string code, SourceLocation location, string message, string? hint = null) =>
        Add(DiagnosticSeverity.Warning, code, location, message, hint);

    public void Fatal(string code, SourceLocation location, string message, string? hint = null) =>
        Add(DiagnosticSeverity.Error, code, location, message, hint);

    private void Add(DiagnosticSeverity severity, string code, SourceLocation location, string message, string? hint)
    {
        if (severity == DiagnosticSeverity.Error)
        {
            HasErrors = true;
        }
        _items.Add(new Diagnostic(severity, code, location, message, hint));
    }
}
