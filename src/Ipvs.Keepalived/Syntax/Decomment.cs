using Ipvs.Keepalived.Parsing;

namespace Ipvs.Keepalived.Syntax;

/// <summary>
/// A line of text with, for every character, the source column it came from. Substitutions and
/// removals keep the map, so every word still points into the file.
/// </summary>
internal sealed class MappedText
{
    public MappedText(string text, int[] columns)
    {
        Text = text;
        Columns = columns;
    }

    public string Text { get; }

    public int[] Columns { get; }

    public int Length => Text.Length;

    public char this[int index] => Text[index];

    public static MappedText FromRaw(string raw)
    {
        var columns = new int[raw.Length];
        for (int i = 0; i < columns.Length; i++)
        {
            columns[i] = i + 1;
        }
        return new MappedText(raw, columns);
    }

    public MappedText Slice(int start) => Slice(start, Text.Length - start);

    public MappedText Slice(int start, int length) => new(Text.Substring(start, length), Columns.AsSpan(start, length).ToArray());

    public MappedText TrimEndBlanks()
    {
        int end = Text.Length;
        while (end > 0 && Text[end - 1] is ' ' or '\t')
        {
            end--;
        }
        return end == Text.Length ? this : Slice(0, end);
    }

    public MappedText TrimStartBlanks()
    {
        int start = 0;
        while (start < Text.Length && Text[start] is ' ' or '\t')
        {
            start++;
        }
        return start == 0 ? this : Slice(start);
    }

    /// <summary>Replaces <paramref name="length"/> characters at <paramref name="start"/>; the new text points at <paramref name="start"/>'s column.</summary>
    public MappedText Replace(int start, int length, string value)
    {
        int column = Columns.Length == 0 ? 1 : Columns[Math.Min(start, Columns.Length - 1)];
        var columns = new int[Text.Length - length + value.Length];
        Columns.AsSpan(0, start).CopyTo(columns);
        columns.AsSpan(start, value.Length).Fill(column);
        Columns.AsSpan(start + length).CopyTo(columns.AsSpan(start + value.Length));
        return new MappedText(string.Concat(Text.AsSpan(0, start), value, Text.AsSpan(start + length)), columns);
    }

    public override string ToString() => Text;
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
    /// <param name="locationAt">Turns a column into a location.</param>
    /// <param name="diagnostics">Where an unterminated quote and a cut are reported.</param>
    public static MappedText ApplyAsCheckerReads(MappedText line, Func<int, SourceLocation> locationAt, DiagnosticBag diagnostics)
    {
        var once = Apply(line, locationAt, diagnostics, out bool unescaped);
        if (!unescaped)
        {
            return once;
        }
        var twice = Apply(once, locationAt, null, out _);
        if (FirstCommentOutsideQuotes(once) is int cut)
        {
            diagnostics.Deviation(DiagnosticCodes.Adjusted, locationAt(once.Columns[cut]),
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
    /// <param name="locationAt">Turns a column into a location.</param>
    /// <param name="diagnostics">Where an unterminated quote is reported.</param>
    public static MappedText Apply(MappedText line, Func<int, SourceLocation> locationAt, DiagnosticBag diagnostics) =>
        Apply(line, locationAt, diagnostics, out _);

    private static MappedText Apply(MappedText line, Func<int, SourceLocation> locationAt, DiagnosticBag? diagnostics, out bool unescaped)
    {
        unescaped = false;
        var text = new List<char>(line.Length);
        var columns = new List<int>(line.Length);
        int first = 0;
        while (first < line.Length && line[first] is ' ' or '\t')
        {
            first++;
        }
        for (int i = first; i < line.Length; i++)
        {
            text.Add(line[i]);
            columns.Add(line.Columns[i]);
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
            diagnostics.Deviation(DiagnosticCodes.UnterminatedQuote, locationAt(columns[quoteAt]),
                $"unterminated quote in '{new string([.. text])}'",
                "close the quote (a quoted string cannot span lines); keepalived drops the rest of the line");
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
}
