using System.Text;

namespace Ipvs.Admin.Native;

/// <summary>
/// The process's argv exactly as exec() passed it, argv[0] included: ipvsadm prints argv[0] in
/// its help and errors, and arguments are bytes, not necessarily UTF-8.
/// </summary>
internal static class ProcessArgs
{
    public static string[] Read()
    {
        byte[]? raw = ProcFile.Read("/proc/self/cmdline\0"u8);
        if (raw is { Length: > 0 })
        {
            int count = 0;
            for (int i = 0; i < raw.Length; i++)
            {
                if (raw[i] == 0)
                {
                    count++;
                }
            }
            if (raw[^1] != 0)
            {
                count++;
            }
            var args = new string[count];
            int start = 0;
            int n = 0;
            for (int i = 0; i <= raw.Length; i++)
            {
                if (i == raw.Length ? start < raw.Length : raw[i] == 0)
                {
                    args[n++] = Bytes.Latin1(raw.AsSpan(start, i - start));
                    start = i + 1;
                }
            }
            return args;
        }
        string[] managed = Environment.GetCommandLineArgs();
        var result = new string[managed.Length];
        for (int i = 0; i < managed.Length; i++)
        {
            result[i] = Bytes.FromUtf8(managed[i]);
        }
        if (result.Length == 0)
        {
            result = ["ipvsadm"];
        }
        return result;
    }
}

/// <summary>Conversions between .NET strings and byte strings (one char per byte).</summary>
internal static class Bytes
{
    /// <summary>Bytes as a byte string, one char per byte (ISO-8859-1 decoding without Encoding's machinery).</summary>
    public static string Latin1(ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = bytes.Length <= 512 ? stackalloc char[bytes.Length] : new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            chars[i] = (char)bytes[i];
        }
        return new string(chars);
    }

    /// <summary>A .NET string (as the library returns kernel strings) as a byte string of its UTF-8.</summary>
    public static string FromUtf8(string s)
    {
        foreach (char c in s)
        {
            if (c > 0x7F)
            {
                return Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(s));
            }
        }
        return s;
    }

    /// <summary>A byte string (from argv) as the .NET string the library expects.</summary>
    public static string ToUtf8(string s)
    {
        foreach (char c in s)
        {
            if (c > 0x7F)
            {
                return Encoding.UTF8.GetString(Encoding.Latin1.GetBytes(s));
            }
        }
        return s;
    }
}
