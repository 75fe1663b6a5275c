namespace Ipvs.Keepalived;

/// <summary>How bad a diagnostic is. The default value is <see cref="Error"/>, the safe one.</summary>
public enum DiagnosticSeverity
{
    /// <summary>The configuration is refused: no result is produced.</summary>
    Error = 0,

    /// <summary>Worth knowing, but the result stands (in lenient mode: a place where keepalived deviates from what was written).</summary>
    Warning = 1,
}

/// <summary>One finding of the parser: where, what, and what to do about it.</summary>
/// <param name="Severity">Error or warning.</param>
/// <param name="Code">
/// A stable identifier, one of <see cref="DiagnosticCodes"/>; for a problem of the imported desired
/// state (<see cref="KeepalivedImport"/>), the code <c>Ipvs.Desired.DesiredValidator</c> gave it.
/// </param>
/// <param name="Location">Where it was found.</param>
/// <param name="Message">What is wrong, naming the keyword and the value.</param>
/// <param name="Hint">How to fix it, or what keepalived does instead; null when there is nothing to add.</param>
public sealed record Diagnostic(DiagnosticSeverity Severity, string Code, SourceLocation Location, string Message, string? Hint = null)
{
    /// <summary><c>file:line:col: error unknown-keyword: message (hint)</c>.</summary>
    public override string ToString()
    {
        var severity = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        return Hint is null
            ? $"{Location}: {severity} {Code}: {Message}"
            : $"{Location}: {severity} {Code}: {Message} (hint: {Hint})";
    }
}

/// <summary>The codes of <see cref="Diagnostic.Code"/>. Tests and tools match on these, never on message text.</summary>
public static class DiagnosticCodes
{
    /// <summary>A keyword keepalived does not know anywhere.</summary>
    public const string UnknownKeyword = "unknown-keyword";

    /// <summary>A keyword that keepalived knows, but not in this block (e.g. HTTP_GET outside real_server).</summary>
    public const string MisplacedKeyword = "misplaced-keyword";

    /// <summary>A block that is not closed: a '}' is missing before a sibling block or before the end of the file.</summary>
    public const string UnclosedBlock = "unclosed-block";

    /// <summary>A '}' with no open block.</summary>
    public const string ExtraCloseBrace = "extra-brace";

    /// <summary>A '{' that opens nothing (no block keyword before it).</summary>
    public const string UnexpectedOpenBrace = "unexpected-brace";

    /// <summary>A block keyword not followed by '{'.</summary>
    public const string MissingOpenBrace = "missing-brace";

    /// <summary>A keyword without a value it needs; keepalived stops reading the configuration.</summary>
    public const string MissingArgument = "missing-argument";

    /// <summary>Words after the values a keyword takes; keepalived ignores them.</summary>
    public const string ExtraArgument = "extra-argument";

    /// <summary>A value that is not of the right form (not a number, an unknown scheduler, a bad address).</summary>
    public const string InvalidValue = "invalid-value";

    /// <summary>A number outside the range keepalived accepts (ports, weights, timers, masks...).</summary>
    public const string OutOfRange = "out-of-range";

    /// <summary>The same real server twice in one virtual server; keepalived removes the second.</summary>
    public const string DuplicateRealServer = "duplicate-real-server";

    /// <summary>The same virtual server (or group name) twice.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>A setting given twice in one block; the note says which value keepalived keeps.</summary>
    public const string DuplicateSetting = "duplicate-setting";

    /// <summary>A name that refers to nothing (a virtual_server_group, a track_file).</summary>
    public const string UnknownReference = "unknown-reference";

    /// <summary>Something keepalived drops as incomplete (a virtual server without real servers, HTTP_GET without url...).</summary>
    public const string Incomplete = "incomplete";

    /// <summary>A setting that was not written and that keepalived fills in with a default it reports.</summary>
    public const string Defaulted = "defaulted";

    /// <summary>A value keepalived changes on its own (a port reset, a quorum reduced...).</summary>
    public const string Adjusted = "adjusted";

    /// <summary>Address families that do not fit together.</summary>
    public const string FamilyMismatch = "family-mismatch";

    /// <summary>A block ipvs does not handle (VRRP, BFD, static routes...): keep keepalived for it.</summary>
    public const string NotHandled = "not-handled";

    /// <summary>A keyword keepalived still accepts but calls deprecated.</summary>
    public const string Deprecated = "deprecated";

    /// <summary>An include that cannot be read or matches nothing.</summary>
    public const string IncludeError = "include-error";

    /// <summary>A file that includes itself, directly or through others.</summary>
    public const string IncludeCycle = "include-cycle";

    /// <summary>A quote that is not closed on its line.</summary>
    public const string UnterminatedQuote = "unterminated-quote";

    /// <summary>A keepalived feature this parser or the import does not implement (~SEQ, ~LST, nftables_ipvs groups, DNS_CHECK type RRSIG).</summary>
    public const string Unsupported = "unsupported";

    /// <summary>
    /// A setting keepalived acts on that the desired state has no place for (an HTTP regex that must
    /// not match, a checker's fwmark, lvs_flush...): the import leaves it out, so ipvs does not do it.
    /// </summary>
    public const string NotMapped = "not-mapped";
}
