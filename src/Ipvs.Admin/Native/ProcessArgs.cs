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
        try
        {
            byte[] raw = File.ReadAllBytes("/proc/self/cmdline");
            if (raw.Length > 0)
            {
                var args = new List<string>();
                int start = 0;
                for (int i = 0; i < raw.Length; i++)
                {
                    if (raw[i] == 0)
                    {
                        args.Add(Encoding.Latin1.GetString(raw, start, i - start));
                        start = i + 1;
                    }
                }
                if (start < raw.Length)
                {
                    args.Add(Encoding.Latin1.GetString(raw, start, raw.Length - start));
                }
                if (args.Count > 0)
                {
                    return [.. args];
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
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
