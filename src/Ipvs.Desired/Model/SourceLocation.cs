namespace Ipvs.Desired;

/// <summary>
/// Where a declaration was written (a configuration file, a script), so that a problem or a planned
/// change can point at it. Lines and columns count from 1; 0 means unknown.
/// </summary>
/// <param name="File">The file name or path, as the front end wants it shown.</param>
/// <param name="Line">The line, from 1; 0 when unknown.</param>
/// <param name="Column">The column, from 1; 0 when unknown.</param>
public readonly record struct SourceLocation(string File, int Line, int Column = 0)
{
    /// <summary><c>FILE:LINE:COLUMN</c>, leaving out the parts that are unknown, as compilers print it.</summary>
    public override string ToString() => (Line, Column) switch
    {
        ( <= 0, _) => File,
        (_, <= 0) => string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}:{Column}"),
    };
}
