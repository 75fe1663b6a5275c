namespace Ipvs.Keepalived.Syntax;

/// <summary>
/// One line as keepalived's <c>read_line()</c> returns it: comments removed, definitions
/// substituted, and split at the first brace, so that a brace is always a line of its own. Keeps
/// the processed text (handlers of scripts re-read it with quote and escape handling, as
/// keepalived re-reads its raw buffer) and, for every character, the column it came from.
/// </summary>
internal sealed class Line
{
    private readonly MappedText _text;

    public Line(MappedText text, string file, int lineNumber, ImmutableArray<Word> words)
    {
        _text = text;
        File = file;
        LineNumber = lineNumber;
        Words = words;
    }

    public string Text => _text.Text;

    public string File { get; }

    public int LineNumber { get; }

    public ImmutableArray<Word> Words { get; }

    public int Count => Words.Length;

    public Word this[int index] => Words[index];

    public string Keyword => Words[0].Text;

    public SourceLocation Location => Words[0].Location;

    public bool IsOpenBrace => Words.Length == 1 && !Words[0].Quoted && Words[0].Text == "{";

    public bool IsCloseBrace => Words.Length == 1 && !Words[0].Quoted && Words[0].Text == "}";

    /// <summary>Where the character at <paramref name="index"/> of <see cref="Text"/> came from.</summary>
    public SourceLocation LocationAt(int index) =>
        new(File, LineNumber, _text.Length == 0 ? 1 : _text.ColumnAt(Math.Clamp(index, 0, _text.Length - 1)));

    /// <summary>Just past the last word: where a missing value or brace would go.</summary>
    public SourceLocation EndLocation
    {
        get
        {
            if (_text.Length == 0)
            {
                return Location;
            }
            return new SourceLocation(File, LineNumber, _text.ColumnAt(_text.Length - 1) + 1);
        }
    }

    /// <summary>The words from <paramref name="start"/>, joined with spaces (for messages).</summary>
    public string Join(int start = 0) => string.Join(' ', Words.Skip(start).Select(w => w.Text));

    public override string ToString() => Join();
}
