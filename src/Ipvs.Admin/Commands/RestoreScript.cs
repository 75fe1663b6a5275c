using System.Text;

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

    public static List<ScriptLine> Split(byte[] input)
    {
        var lines = new List<ScriptLine>();
        string text = Encoding.Latin1.GetString(input);
        int number = 0;
        int start = 0;
        while (start < text.Length)
        {
            int end = text.IndexOf('\n', start);
            if (end < 0)
            {
                end = text.Length;
            }
            number++;
            string line = text[start..end];
            start = end + 1;
            var words = new List<string>();
            foreach (string word in line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (word[0] == '#')
                {
                    break;
                }
                for (int i = 0; i < word.Length; i += MaxWord)
                {
                    string piece = word.Substring(i, Math.Min(MaxWord, word.Length - i));
                    if (!string.Equals(piece, "ipvsadm", StringComparison.Ordinal))
                    {
                        words.Add(piece);
                    }
                }
            }
            if (words.Count > 0)
            {
                lines.Add(new ScriptLine(number, [.. words], line.TrimEnd('\r')));
            }
        }
        return lines;
    }
}
