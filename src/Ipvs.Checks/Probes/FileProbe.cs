using Microsoft.Win32.SafeHandles;

namespace Ipvs.Checks.Probes;

/// <summary>
/// FILE_CHECK with track_file, as keepalived's track_file.c reads it: the file's first bytes are a
/// number in C's strtol base-0 syntax (<c>12</c>, <c>-3</c>, <c>0x1f</c>, <c>017</c>); a missing
/// or empty file, or text that is not a number, reads as 0. With a multiplier
/// (<see cref="FileCheck.Weight"/>) of 0, the file is a flag: 0 passes and anything else fails
/// (the other way round with <see cref="FileCheck.Reverse"/>). Otherwise the check passes with the
/// weight adjustment number × multiplier (negated by Reverse), which keepalived adds to the real
/// server's weight; only an adjustment at or below −2³¹ (keepalived's IPVS_WEIGHT_FAULT) fails.
/// A number outside the 32-bit range fails here (keepalived logs it and keeps the previous value,
/// which a single read cannot).
/// </summary>
internal static class FileProbe
{
    // keepalived reads up to 127 bytes (char buf[128]).
    private const int ReadBytes = 127;

    public static Outcome Run(FileCheck check)
    {
        long value = Read(check.Path);
        if (check.Weight == 0)
        {
            return (value == 0) != check.Reverse
                ? Outcome.Pass
                : Outcome.Fail(check.Reverse ? $"{check.Path} reads 0" : $"{check.Path} reads {value}, not 0");
        }
        long adjustment = value * check.Weight * (check.Reverse ? -1 : 1);
        if (adjustment <= int.MinValue)
        {
            return Outcome.Fail($"{check.Path} reads {value}: the weight adjustment {adjustment} is keepalived's fault value");
        }
        return Outcome.PassWithWeight((int)Math.Min(adjustment, int.MaxValue));
    }

    /// <summary>The file's number; 0 when it is missing, empty or no number.</summary>
    private static long Read(string path)
    {
        Span<byte> buffer = stackalloc byte[ReadBytes];
        int read;
        try
        {
            using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            read = RandomAccess.Read(handle, buffer, 0);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProbeFailure($"{path}: {Words.Lower(e.Message)}", e);
        }
        long value = StrtolBase0(buffer[..read], out bool overflow);
        if (overflow || value < int.MinValue || value > (long)int.MaxValue + 1)
        {
            throw new ProbeFailure($"{path} holds a number outside the 32-bit range");
        }
        return value;
    }

    /// <summary>
    /// C's <c>strtol(text, NULL, 0)</c>: leading white space, a sign, then <c>0x</c> for hex, a
    /// leading <c>0</c> for octal, decimal otherwise; stops at the first character that is not a digit.
    /// </summary>
    internal static long StrtolBase0(ReadOnlySpan<byte> text, out bool overflow)
    {
        overflow = false;
        int i = 0;
        while (i < text.Length && text[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\f' or (byte)'\v')
        {
            i++;
        }
        bool negative = false;
        if (i < text.Length && text[i] is (byte)'+' or (byte)'-')
        {
            negative = text[i] == '-';
            i++;
        }
        int radix = 10;
        if (i < text.Length && text[i] == '0')
        {
            radix = 8;
            // "0x" only counts when a hex digit follows; strtol reads "0xg" as 0.
            if (i + 2 < text.Length && text[i + 1] is (byte)'x' or (byte)'X' && Digit(text[i + 2]) < 16)
            {
                radix = 16;
                i += 2;
            }
        }
        long value = 0;
        for (; i < text.Length; i++)
        {
            int digit = Digit(text[i]);
            if (digit >= radix)
            {
                break;
            }
            if (value > (long.MaxValue - digit) / radix)
            {
                overflow = true;
                return 0;
            }
            value = value * radix + digit;
        }
        return negative ? -value : value;
    }

    private static int Digit(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'z' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'Z' => c - 'A' + 10,
        _ => int.MaxValue,
    };
}
