using System.Globalization;

namespace Ipvs.Keepalived;

/// <summary>
/// A position in a configuration file: the file as it was named (the main file as given, an
/// included file joined to its includer's directory), and the 1-based line and column.
/// Columns count characters; a tab counts as one.
/// </summary>
/// <param name="File">The file, as given or as an include resolved it.</param>
/// <param name="Line">1-based line number.</param>
/// <param name="Column">1-based column of the first character.</param>
public sealed record SourceLocation(string File, int Line, int Column)
{
    /// <summary><c>file:line:column</c>, the form compilers and editors understand.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}:{Column}");

    /// <summary><c>line:column</c> only, for messages that point elsewhere in the same file.</summary>
    public string ToShortString() => string.Create(CultureInfo.InvariantCulture, $"{Line}:{Column}");
}
