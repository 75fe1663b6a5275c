using Ipvs.Admin.Native;

namespace Ipvs.Admin.Commands;

/// <summary>One line of a -R script: its number and its words.</summary>
internal sealed record ScriptLine(int Number, string[] Words, string Text);

/// <summary>
/// Splits -R input into lines of words as ipvsadm's config_stream_read() does (words are
/// separated by spaces, tabs and carriage returns; words over 4096 bytes are cut; a word
/// "ipvsadm" is skipped), with one addition: a word starting with '#' begins a comment.
/// </summary>
internal static class RestoreScript
{
    private const int MaxWord = 4096;

    public static List<ScriptLine> Split(byte[] input) => [.. Lines(input, withText: true)];

    /// <summary>
    /// The lines one at a time, straight from the bytes (one char per byte): a caller that keeps
    /// only what it needs of each line does not hold the whole script as strings (110,000 lines
    /// would be some 60 MB of fresh pages, dear in the lab). Without <paramref name="withText"/>,
    /// <see cref="ScriptLine.Text"/> is empty.
    /// </summary>
    public static IEnumerable<ScriptLine> Lines(byte[] input, bool withText)
    {
        int number = 0;
        int start = 0;
        var words = new List<string>();
        while (start < input.Length)
        {
            int end = LineEnd(input, start);
            number++;
            var line = Line(number, input, start, end, withText, words);
            start = end + 1;
            if (line is not null)
            {
                yield return line;
            }
        }
    }

    /// <summary>Where the line starting at <paramref name="start"/> ends: its '\n', or the end of the input.</summary>
    public static int LineEnd(byte[] input, int start)
    {
        int end = Array.IndexOf(input, (byte)'\n', start);
        return end < 0 ? input.Length : end;
    }

    /// <summary>
    /// Line <paramref name="number"/>, the bytes from <paramref name="lineStart"/> up to (not
    /// including) <paramref name="end"/>, as words; null when it has none (blank, or a comment).
    /// <paramref name="words"/> is scratch space, reused from line to line.
    /// </summary>
    public static ScriptLine? Line(int number, byte[] input, int lineStart, int end, bool withText, List<string> words)
    {
        words.Clear();
        int i = lineStart;
        while (i < end)
        {
            while (i < end && IsSeparator(input[i]))
            {
                i++;
            }
            if (i == end)
            {
                break;
            }
            int w = i;
            while (i < end && !IsSeparator(input[i]))
            {
                i++;
            }
            if (input[w] == (byte)'#')
            {
                break;
            }
            for (int p = w; p < i; p += MaxWord)
            {
                string piece = Bytes.Latin1(input.AsSpan(p, Math.Min(MaxWord, i - p)));
                if (!string.Equals(piece, "ipvsadm", StringComparison.Ordinal))
                {
                    words.Add(piece);
                }
            }
        }
        if (words.Count == 0)
        {
            return null;
        }
        int textEnd = end;
        while (textEnd > lineStart && input[textEnd - 1] == (byte)'\r')
        {
            textEnd--;
        }
        string text = withText ? Bytes.Latin1(input.AsSpan(lineStart, textEnd - lineStart)) : "";
        return new ScriptLine(number, [.. words], text);
    }

    /// <summary>A byte that separates words: space, tab or carriage return.</summary>
    public static bool IsSeparator(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r';
}
