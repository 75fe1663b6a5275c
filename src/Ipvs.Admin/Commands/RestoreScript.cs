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
            int end = Array.IndexOf(input, (byte)'\n', start);
            if (end < 0)
            {
                end = input.Length;
            }
            number++;
            int lineStart = start;
            start = end + 1;
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
            if (words.Count > 0)
            {
                int textEnd = end;
                while (textEnd > lineStart && input[textEnd - 1] == (byte)'\r')
                {
                    textEnd--;
                }
                string text = withText ? Bytes.Latin1(input.AsSpan(lineStart, textEnd - lineStart)) : "";
                yield return new ScriptLine(number, [.. words], text);
            }
        }
    }

    private static bool IsSeparator(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r';
}
