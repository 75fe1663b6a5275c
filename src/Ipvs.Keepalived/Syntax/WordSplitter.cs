using System.Buffers;
using System.Text;
using Ipvs.Keepalived.Parsing;

namespace Ipvs.Keepalived.Syntax;

/// <summary>
/// keepalived's two ways of cutting a line into words (lib/parser.c):
/// <list type="bullet">
/// <item><see cref="Split"/>, as <c>alloc_strvec_r()</c>: words end at white space; a word that
/// starts with <c>"</c> runs to the next <c>"</c> (no escapes); a <c>"</c> inside a word ends it.</item>
/// <item><see cref="SplitQuotedEscaped"/>, as <c>alloc_strvec_quoted_escaped()</c>, used for scripts
/// and regexes: single and double quotes anywhere in a word, and backslash escapes.</item>
/// </list>
/// </summary>
internal static class WordSplitter
{
    // WHITE_SPACE_STR in lib/parser.c.
    private static readonly SearchValues<char> WhiteSpace = SearchValues.Create(" \t\f\n\r\v");

    public static bool IsWhiteSpace(char c) => WhiteSpace.Contains(c);

    // Words of the line being split; a line has a handful, and a big configuration has a hundred
    // thousand lines, so the words gather here and are copied out at their exact count.
    [ThreadStatic]
    private static Word[]? t_words;

    public static ImmutableArray<Word> Split(MappedText line, LineOrigin origin)
    {
        var words = t_words ??= new Word[16];
        int count = 0;
        var text = line.Text;
        int i = 0;
        while (true)
        {
            while (i < text.Length && IsWhiteSpace(text[i]))
            {
                i++;
            }
            if (i >= text.Length)
            {
                break;
            }
            int start = i;
            Word word;
            if (text[i] == '"')
            {
                int close = text.IndexOf('"', i + 1);
                if (close < 0)
                {
                    // keepalived drops the rest of the line; decomment() has reported the quote.
                    break;
                }
                word = new Word(text[(start + 1)..close], origin.At(line.ColumnAt(start)), true);
                i = close + 1;
            }
            else
            {
                while (i < text.Length && !IsWhiteSpace(text[i]) && text[i] != '"')
                {
                    i++;
                }
                word = new Word(text[start..i], origin.At(line.ColumnAt(start)), false);
            }
            if (count == words.Length)
            {
                Array.Resize(ref words, words.Length * 2);
                t_words = words;
            }
            words[count++] = word;
        }
        var result = ImmutableArray.Create(words.AsSpan(0, count));
        // The strings stay alive through the array's slots until the next line overwrites them;
        // clearing keeps a finished parse from holding its last line's words.
        words.AsSpan(0, count).Clear();
        return result;
    }

    /// <summary>Null when a quote is not closed or the line ends with a lone backslash (keepalived then drops the value).</summary>
    public static ImmutableArray<string>? SplitQuotedEscaped(string text)
    {
        var words = ImmutableArray.CreateBuilder<string>();
        var word = new StringBuilder();
        int i = 0;
        char quote = '\0';
        while (i < text.Length)
        {
            while (i < text.Length && IsWhiteSpace(text[i]))
            {
                i++;
            }
            if (i >= text.Length)
            {
                break;
            }
            word.Clear();
            while (i < text.Length)
            {
                char c = text[i];
                if (c == '\\')
                {
                    i++;
                    if (i >= text.Length)
                    {
                        return null;
                    }
                    i = Unescape(text, i, word);
                    continue;
                }
                if (quote != '\0')
                {
                    if (c == quote)
                    {
                        quote = '\0';
                    }
                    else
                    {
                        word.Append(c);
                    }
                    i++;
                    continue;
                }
                if (c is '"' or '\'')
                {
                    quote = c;
                    i++;
                    continue;
                }
                if (IsWhiteSpace(c))
                {
                    break;
                }
                word.Append(c);
                i++;
            }
            if (quote != '\0')
            {
                return null;
            }
            words.Add(word.ToString());
        }
        return words.ToImmutable();
    }

    // The escapes of alloc_strvec_quoted_escaped(): \xHH.., \cX, octal \NNN, \a \b \E \f \n \r \t \v,
    // and any other character as itself.
    private static int Unescape(string text, int i, StringBuilder word)
    {
        char c = text[i];
        if (c == 'x' && i + 1 < text.Length && Uri.IsHexDigit(text[i + 1]))
        {
            int value = 0;
            i++;
            while (i < text.Length && Uri.IsHexDigit(text[i]))
            {
                value = ((value << 4) | Values.HexValue(text[i])) & 0xFF;
                i++;
            }
            word.Append((char)value);
            return i;
        }
        if (c == 'c' && i + 1 < text.Length)
        {
            word.Append((char)(text[i + 1] & 0x1F));
            return i + 2;
        }
        if (c is >= '0' and <= '7')
        {
            int value = c - '0';
            i++;
            for (int n = 0; n < 2 && i < text.Length && text[i] is >= '0' and <= '7'; n++, i++)
            {
                value = ((value << 3) + (text[i] - '0')) & 0xFF;
            }
            word.Append((char)value);
            return i;
        }
        word.Append(c switch
        {
            'a' => '\a',
            'b' => '\b',
            'E' => '\x1b',
            'f' => '\f',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\v',
            _ => c,
        });
        return i + 1;
    }
}
