using Ipvs.Keepalived.Parsing;

namespace Ipvs.Keepalived.Syntax;

/// <summary>
/// A line of text with, for every character, the source column it came from. Substitutions and
/// removals keep the map, so every word still points into the file.
/// </summary>
/// <remarks>
/// Almost every line of a configuration is a piece of one physical line, whose columns simply
/// count up; such text keeps only its first column. An explicit column per character is kept only
/// after a change that moves text (an unescaped <c>\#</c>, a substitution), which keeps a large
/// configuration from allocating an int per character of every line.
/// </remarks>
internal sealed class MappedText
{
    // Null: the column of character i is _first + i.
    private readonly int[]? _columns;
    private readonly int _first;

    /// <summary>Text whose characters came from the given columns.</summary>
    public MappedText(string text, int[] columns)
    {
        Text = text;
        _columns = columns;
    }

    private MappedText(string text, int firstColumn)
    {
        Text = text;
        _first = firstColumn;
    }

    public string Text { get; }

    public int Length => Text.Length;

    public char this[int index] => Text[index];

    /// <summary>The source column of the character at <paramref name="index"/>.</summary>
    public int ColumnAt(int index) => _columns is null ? _first + index : _columns[index];

    /// <summary>A physical line as read: character i came from column i + 1.</summary>
    public static MappedText FromRaw(string raw) => new(raw, 1);

    public MappedText Slice(int start) => Slice(start, Text.Length - start);

    public MappedText Slice(int start, int length)
    {
        if (start == 0 && length == Text.Length)
        {
            return this;
        }
        var text = Text.Substring(start, length);
        return _columns is null ? new MappedText(text, _first + start) : new MappedText(text, _columns.AsSpan(start, length).ToArray());
    }

    public MappedText TrimEndBlanks()
    {
        int end = Text.Length;
        while (end > 0 && Text[end - 1] is ' ' or '\t')
        {
            end--;
        }
        return Slice(0, end);
    }

    public MappedText TrimStartBlanks()
    {
        int start = 0;
        while (start < Text.Length && Text[start] is ' ' or '\t')
        {
            start++;
        }
        return Slice(start);
    }

    /// <summary>Replaces <paramref name="length"/> characters at <paramref name="start"/>; the new text points at <paramref name="start"/>'s column.</summary>
    public MappedText Replace(int start, int length, string value)
    {
        int column = Text.Length == 0 ? 1 : ColumnAt(Math.Min(start, Text.Length - 1));
        var columns = new int[Text.Length - length + value.Length];
        CopyColumns(0, start, columns);
        columns.AsSpan(start, value.Length).Fill(column);
        CopyColumns(start + length, Text.Length - start - length, columns.AsSpan(start + value.Length));
        return new MappedText(string.Concat(Text.AsSpan(0, start), value, Text.AsSpan(start + length)), columns);
    }

    private void CopyColumns(int start, int length, Span<int> to)
    {
        for (int i = 0; i < length; i++)
        {
            to[i] = ColumnAt(start + i);
        }
    }

    public override string ToString() => Text;
}

/// <summary>Where a line came from: turns a column into a location without a delegate per line.</summary>
internal readonly record struct LineOrigin(string File, int LineNumber)
{
    public SourceLocation At(int column) => new(File, LineNumber, column);
}

/// <summary>
/// keepalived's <c>decomment()</c> (lib/parser.c): removes leading blanks; cuts at the first
/// <c>!</c> or <c>#</c> outside double quotes (anywhere in the line, even inside a word);
/// <c>\#</c> and <c>\!</c> outside quotes become literal; a trailing backslash is kept as a
/// continuation mark (only multi-line definitions use it); trailing blanks are removed.
/// </summary>
internal static class Decomment
{
    /// <summary>
    /// A line of a file as keepalived's checker process reads it: decommented twice. The parent
    /// process writes every line it reads, decommented, to a copy of the configuration, and the
    /// checker process parses that copy (read_line(), <c>write_conf_copy</c>/<c>read_conf_copy</c>),
    /// decommenting it again; so an escaped <c>\#</c> or <c>\!</c> outside quotes, literal after
    /// the first pass, starts a comment in the second (seen in the lab: <c>path /x\#y</c> makes
    /// HTTP_GET ask for <c>/x</c>). That silent cut is a deviation.
    /// </summary>
    /// <param name="line">The text.</param>
    /// <param name="origin">Where the line came from.</param>
    /// <param name="diagnostics">Where an unterminated quote and a cut are reported.</param>
    public static MappedText ApplyAsCheckerReads(MappedText line, LineOrigin origin, DiagnosticBag diagnostics)
    {
        var once = Apply(line, origin, diagnostics, out bool unescaped);
        if (!unescaped)
        {
            return once;
        }
        var twice = Apply(once, origin, null, out _);
        if (FirstCommentOutsideQuotes(once) is int cut)
        {
            diagnostics.Deviation(DiagnosticCodes.Adjusted, origin.At(once.ColumnAt(cut)),
                $"the escaped '{once[cut]}' outside quotes starts a comment for keepalived's checker process, which reads the configuration a second time without the backslash: it ignores '{once.Text[cut..]}'",
                $"put the word in double quotes, where '{once[cut]}' needs no backslash and stays in both readings");
        }
        return twice;
    }

    // Where a second decomment() cuts: the first '#' or '!' outside quotes, escapes skipped.
    private static int? FirstCommentOutsideQuotes(MappedText text)
    {
        bool quote = false;
        for (int p = 0; p < text.Length; p++)
        {
            switch (text[p])
            {
                case '"':
                    quote = !quote;
                    break;
                case '\\':
                    p++;
                    break;
                case '#' or '!' when !quote:
                    return p;
            }
        }
        return null;
    }

    /// <param name="line">The text.</param>
    /// <param name="origin">Where the line came from.</param>
    /// <param name="diagnostics">Where an unterminated quote is reported.</param>
    public static MappedText Apply(MappedText line, LineOrigin origin, DiagnosticBag diagnostics) =>
        Apply(line, origin, diagnostics, out _);

    private static MappedText Apply(MappedText line, LineOrigin origin, DiagnosticBag? diagnostics, out bool unescaped)
    {
        unescaped = false;
        int first = 0;
        while (first < line.Length && line[first] is ' ' or '\t')
        {
            first++;
        }
        if (!line.Text.AsSpan(first).Contains('\\'))
        {
            return WithoutEscapes(line, first, origin, diagnostics);
        }

        var text = new List<char>(line.Length);
        var columns = new List<int>(line.Length);
        for (int i = first; i < line.Length; i++)
        {
            text.Add(line[i]);
            columns.Add(line.ColumnAt(i));
        }

        bool quote = false;
        int quoteAt = 0;
        bool continuation = false;
        int continuationColumn = 0;
        int skip = -1;
        int p = 0;
        while (p < text.Count)
        {
            char c = text[p];
            if (c == '"')
            {
                if (skip < 0)
                {
                    quote = !quote;
                    quoteAt = p;
                }
                p++;
                continue;
            }
            if (c == '\\')
            {
                if (p + 1 < text.Count)
                {
                    if (!quote && text[p + 1] is '#' or '!')
                    {
                        text.RemoveAt(p);
                        columns.RemoveAt(p);
                        p++;
                        unescaped = true;
                    }
                    else
                    {
                        p += 2;
                    }
                    continue;
                }
                continuation = true;
                continuationColumn = columns[p];
                text.RemoveRange(p, text.Count - p);
                columns.RemoveRange(p, columns.Count - p);
                break;
            }
            if (!quote && skip < 0 && c is '!' or '#')
            {
                skip = p;
            }
            p++;
        }

        if (quote && diagnostics is not null)
        {
            UnterminatedQuote(diagnostics, origin.At(columns[quoteAt]), new string([.. text]));
        }
        if (skip >= 0 && skip < text.Count)
        {
            text.RemoveRange(skip, text.Count - skip);
            columns.RemoveRange(skip, columns.Count - skip);
        }
        while (text.Count > 0 && text[^1] is ' ' or '\t')
        {
            text.RemoveAt(text.Count - 1);
            columns.RemoveAt(columns.Count - 1);
        }
        if (continuation)
        {
            text.Add('\\');
            columns.Add(continuationColumn);
        }
        return new MappedText(new string([.. text]), [.. columns]);
    }

    // The same, for a line without a backslash (nearly every line): nothing is removed from the
    // middle, so the result is one slice of the line, and its columns need no copy.
    private static MappedText WithoutEscapes(MappedText line, int first, LineOrigin origin, DiagnosticBag? diagnostics)
    {
        var text = line.Text;
        bool quote = false;
        int quoteAt = 0;
        int end = text.Length;
        for (int p = first; p < text.Length; p++)
        {
            char c = text[p];
            if (c == '"')
            {
                quote = !quote;
                quoteAt = p;
            }
            else if (!quote && c is '!' or '#')
            {
                // Past a comment's start, quotes no longer count.
                end = p;
                break;
            }
        }
        if (quote && diagnostics is not null)
        {
            UnterminatedQuote(diagnostics, origin.At(line.ColumnAt(quoteAt)), text[first..]);
        }
        while (end > first && text[end - 1] is ' ' or '\t')
        {
            end--;
        }
        return line.Slice(first, end - first);
    }

    private static void UnterminatedQuote(DiagnosticBag diagnostics, SourceLocation at, string text) =>
        diagnostics.Deviation(DiagnosticCodes.UnterminatedQuote, at,
            $"unterminated quote in '{text}'",
            "close the quote (a quoted string cannot span lines); keepalived drops the rest of the line");
}
