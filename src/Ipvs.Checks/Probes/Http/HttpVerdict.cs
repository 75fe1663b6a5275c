using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Ipvs.Checks.Probes.Http;

/// <summary>What an HTTP check accepts: status ranges and a body regex (compiled once per check).</summary>
internal static class HttpVerdict
{
    private static readonly ConditionalWeakTable<HttpCheck, Regex> Regexes = new();
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    public static bool Accepts(ImmutableArray<StatusRange> ranges, int status)
    {
        if (ranges.IsDefaultOrEmpty)
        {
            return status is >= 200 and <= 299;
        }
        foreach (var range in ranges)
        {
            if (range.Contains(status))
            {
                return true;
            }
        }
        return false;
    }

    public static string Ranges(ImmutableArray<StatusRange> ranges) =>
        ranges.IsDefaultOrEmpty ? "200-299" : string.Join(", ", ranges);

    public static Outcome MatchBody(HttpCheck check, string pattern, ReadOnlySpan<byte> bytes)
    {
        Regex regex;
        try
        {
            regex = Regexes.GetValue(check, static c => new Regex(c.BodyRegex!, RegexOptions.CultureInvariant, RegexTimeout));
        }
        catch (ArgumentException e)
        {
            return Outcome.Fail($"the body regex does not parse: {e.Message}");
        }
        char[] text = ArrayPool<char>.Shared.Rent(Math.Max(1, Encoding.UTF8.GetMaxCharCount(bytes.Length)));
        try
        {
            int length = Encoding.UTF8.GetChars(bytes, text);
            return regex.IsMatch(text.AsSpan(0, length)) ? Outcome.Pass : Outcome.Fail($"body does not match /{pattern}/");
        }
        catch (RegexMatchTimeoutException)
        {
            return Outcome.Fail($"body regex /{pattern}/ gave no verdict within {Words.Seconds(RegexTimeout)}");
        }
        finally
        {
            ArrayPool<char>.Shared.Return(text);
        }
    }
}
