using System.Globalization;

namespace Ipvs.Keepalived.Parsing;

/// <summary>
/// keepalived's value readers (lib/parser.c, lib/utils.c), with their quirks: numbers are
/// strtoul/strtol base 10 (a leading '+' and leading blanks allowed, nothing after the digits),
/// timers are decimal seconds with up to 6 decimal places, addresses are inet_pton's strict
/// forms, and an address's family is chosen by whether it contains ':'.
/// </summary>
internal static class Values
{
    public enum NumberError
    {
        None,
        Invalid,
        Negative,
        TooLarge,
    }

    // read_unsigned_func(): leading white space skipped, '-' refused, then strtoul.
    public static NumberError ParseUnsigned(string text, out ulong value)
    {
        value = 0;
        var s = text.AsSpan().TrimStart(" \t\f\n\r\v");
        if (s.StartsWith("-"))
        {
            return NumberError.Negative;
        }
        if (s.StartsWith("+"))
        {
            s = s[1..];
        }
        if (s.IsEmpty)
        {
            return NumberError.Invalid;
        }
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return NumberError.Invalid;
            }
        }
        if (!ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return NumberError.TooLarge;
        }
        return NumberError.None;
    }

    // read_int_func(): strtol.
    public static NumberError ParseSigned(string text, out long value)
    {
        value = 0;
        var s = text.AsSpan().TrimStart(" \t\f\n\r\v");
        bool negative = false;
        if (s.StartsWith("-") || s.StartsWith("+"))
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s.IsEmpty)
        {
            return NumberError.Invalid;
        }
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return NumberError.Invalid;
            }
        }
        if (!long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return NumberError.TooLarge;
        }
        if (negative)
        {
            value = -value;
        }
        return NumberError.None;
    }

    /// <summary>The largest timer a <see cref="TimeSpan"/> holds, in microseconds (keepalived's TIMER_MAXIMUM is larger).</summary>
    public static readonly ulong MaxTimerMicroseconds = (ulong)(TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMicrosecond);

    // read_decimal_unsigned_long_func() with TIMER_HZ_DIGITS (6): "1", "0.5", "2.000001" seconds.
    // Returns microseconds; tooManyDecimals is set when keepalived would round (it reports that).
    public static NumberError ParseTimer(string text, out ulong microseconds, out bool tooManyDecimals)
    {
        microseconds = 0;
        tooManyDecimals = false;
        if (text.StartsWith('-'))
        {
            return NumberError.Negative;
        }
        int dot = text.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? text : text[..dot];
        var fraction = dot < 0 ? "" : text[(dot + 1)..];
        bool roundUp = false;
        if (fraction.Length > 6)
        {
            tooManyDecimals = true;
            roundUp = fraction[6] >= '5';
            fraction = fraction[..6];
        }
        var digits = whole + fraction.PadRight(6, '0');
        if (digits.Length == 0 || digits.Any(c => !char.IsAsciiDigit(c)))
        {
            return NumberError.Invalid;
        }
        if (!ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out microseconds))
        {
            return NumberError.TooLarge;
        }
        if (roundUp)
        {
            microseconds++;
        }
        return NumberError.None;
    }

    public static TimeSpan Microseconds(ulong microseconds) =>
        TimeSpan.FromTicks((long)Math.Min(microseconds, MaxTimerMicroseconds) * TimeSpan.TicksPerMicrosecond);

    public static string FormatTimer(ulong microseconds)
    {
        var seconds = microseconds / 1_000_000;
        var rest = microseconds % 1_000_000;
        return rest == 0
            ? seconds.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{seconds}.{rest:D6}").TrimEnd('0');
    }

    // check_true_false(): exactly true/on/yes or false/off/no.
    public static bool? ParseBool(string text) => text switch
    {
        "true" or "on" or "yes" => true,
        "false" or "off" or "no" => false,
        _ => null,
    };

    /// <summary>
    /// inet_stosockaddr() without the port: the family is IPv6 when the text contains ':'; a
    /// "-range" or "/mask" suffix is cut off first (keepalived does this for every address, so
    /// <c>real_server 10.0.0.1/24</c> silently means 10.0.0.1: <paramref name="suffix"/> reports it).
    /// </summary>
    public static IPAddress? ParseAddress(string text, out string? suffix)
    {
        suffix = null;
        int cut = text.IndexOf('-', StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = text.IndexOf('/', StringComparison.Ordinal);
        }
        var address = text;
        if (cut >= 0)
        {
            suffix = text[cut..];
            address = text[..cut];
        }
        return address.Contains(':', StringComparison.Ordinal) ? ParseIPv6(address) : ParseIPv4(address);
    }

    // inet_pton(AF_INET): exactly four decimal parts 0..255, no leading zeros.
    public static IPAddress? ParseIPv4(string text)
    {
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return null;
        }
        var bytes = new byte[4];
        for (int i = 0; i < 4; i++)
        {
            var part = parts[i];
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0') || part.Any(c => !char.IsAsciiDigit(c)))
            {
                return null;
            }
            int value = int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture);
            if (value > 255)
            {
                return null;
            }
            bytes[i] = (byte)value;
        }
        return new IPAddress(bytes);
    }

    // inet_pton(AF_INET6): no zone index, no brackets.
    public static IPAddress? ParseIPv6(string text)
    {
        if (text.Length == 0 || text.Contains('%', StringComparison.Ordinal) || text.Contains('[', StringComparison.Ordinal) ||
            !IPAddress.TryParse(text, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }
        return address;
    }

    /// <summary>A port as keepalived reads it for servers: "0" (any number of zeros) or absent means none.</summary>
    public static bool IsZeroPort(string text) => text.Length > 0 && text.All(c => c == '0');

    public static string Family(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";

    public static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
