using System.Globalization;

namespace Ipvs.Admin.Formatting;

/// <summary>printf's field padding, for building byte-identical lines.</summary>
internal static class CFormat
{
    /// <summary>%-Ns.</summary>
    public static string Left(string s, int width) => s.Length >= width ? s : s.PadRight(width);

    /// <summary>%Ns.</summary>
    public static string Right(string s, int width) => s.Length >= width ? s : s.PadLeft(width);

    /// <summary>%-Nu / %-Nd.</summary>
    public static string Left(long value, int width) => Left(N(value), width);

    /// <summary>%Nu / %Nd.</summary>
    public static string Right(ulong value, int width) => Right(N(value), width);

    /// <summary>%u / %d.</summary>
    public static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>%llu.</summary>
    public static string N(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Cuts a C string at index <paramref name="at"/> (buf[at] = '\0').</summary>
    public static string Cut(string s, int at) => s.Length > at ? s[..at] : s;
}
