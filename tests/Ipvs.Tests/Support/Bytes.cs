namespace Ipvs.Tests.Support;

/// <summary>Hex helpers for golden vectors: spaces, newlines and '|' separators are ignored.</summary>
internal static class Bytes
{
    public static byte[] Hex(string text)
    {
        var clean = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (Uri.IsHexDigit(c))
            {
                clean.Append(c);
            }
            else if (!char.IsWhiteSpace(c) && c != '|')
            {
                throw new ArgumentException($"'{c}' is not a hex digit in golden vector \"{text}\".", nameof(text));
            }
        }
        return Convert.FromHexString(clean.ToString());
    }

    public static string ToHex(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length * 3);
        for (int i = 0; i < bytes.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(i % 4 == 0 ? " " : "");
            }
            sb.Append(bytes[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>Fails with both vectors in hex and the first differing offset, as mdlayher/netlink prints them.</summary>
    public static void Equal(ReadOnlySpan<byte> want, ReadOnlySpan<byte> got, string? what = null)
    {
        if (want.SequenceEqual(got))
        {
            return;
        }
        int first = 0;
        while (first < want.Length && first < got.Length && want[first] == got[first])
        {
            first++;
        }
        Assert.Fail($"{what ?? "bytes"} differ at offset {first} (want {want.Length} bytes, got {got.Length}):\n" +
            $"- want: [{ToHex(want)}]\n" +
            $"-  got: [{ToHex(got)}]");
    }

    public static byte[] Concat(params byte[][] parts)
    {
        int n = 0;
        foreach (var p in parts)
        {
            n += p.Length;
        }
        var all = new byte[n];
        int o = 0;
        foreach (var p in parts)
        {
            p.CopyTo(all, o);
            o += p.Length;
        }
        return all;
    }
}
