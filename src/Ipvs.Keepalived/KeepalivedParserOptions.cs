namespace Ipvs.Keepalived;

/// <summary>How the parser treats what keepalived would accept with a complaint, or silently.</summary>
public enum KeepalivedParseMode
{
    /// <summary>
    /// Every place where keepalived would ignore, drop or rewrite what was written (an unknown
    /// keyword, a misplaced or unclosed block, a duplicate real server, a value out of range...)
    /// is an error, and there is no result. The default.
    /// </summary>
    Strict = 0,

    /// <summary>
    /// Do what keepalived 2.2.7 does (unknown keywords ignored, braces matched the way its parser
    /// matches them, bad values ignored) and report each such deviation as a warning. Errors
    /// remain only where keepalived itself stops (a missing parameter) or the files cannot be read.
    /// </summary>
    Lenient = 1,
}

/// <summary>Options of <see cref="KeepalivedParser"/>.</summary>
public sealed record KeepalivedParserOptions
{
    /// <summary>Strict (the default) or lenient.</summary>
    public KeepalivedParseMode Mode { get; init; } = KeepalivedParseMode.Strict;

    /// <summary>
    /// The config id that <c>@id</c> and <c>@^id</c> lines are compared with (keepalived's
    /// <c>-i</c>). Null means keepalived's default: the host name up to its first dot.
    /// </summary>
    public string? ConfigId { get; init; }

    /// <summary>Strict mode with keepalived's default config id.</summary>
    public static KeepalivedParserOptions Default { get; } = new();
}
