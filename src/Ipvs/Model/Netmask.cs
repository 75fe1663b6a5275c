using System.Globalization;
using System.Net.Sockets;

namespace Ipvs.Model;

/// <summary>
/// The persistence granularity of a service. The kernel keeps one 32-bit field whose meaning depends
/// on the family: for IPv4 a dotted mask (any mask, as ipvsadm -M accepts), for IPv6 a prefix length.
/// </summary>
public readonly record struct Netmask
{
    private Netmask(AddressFamily family, uint value)
    {
        Family = family;
        Value = value;
    }

    /// <summary>The service family the mask belongs to.</summary>
    public AddressFamily Family { get; }

    /// <summary>For IPv4 the mask as a number (255.255.255.0 is 0xFFFFFF00); for IPv6 the prefix length.</summary>
    public uint Value { get; }

    /// <summary>The mask that makes every client address its own persistence group: /32 or /128.</summary>
    public static Netmask Full(AddressFamily family) => family == AddressFamily.InterNetworkV6
        ? new Netmask(family, 128)
        : new Netmask(AddressFamily.InterNetwork, uint.MaxValue);

    /// <summary>A mask from a prefix length: 0–32 for IPv4, 1–128 for IPv6.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is out of range for the family.</exception>
    public static Netmask FromPrefixLength(int prefixLength, AddressFamily family = AddressFamily.InterNetwork)
    {
        if (family == AddressFamily.InterNetworkV6)
        {
            if (prefixLength is < 1 or > 128)
            {
                throw new ArgumentOutOfRangeException(nameof(prefixLength), prefixLength, $"An IPv6 persistence prefix must be 1 to 128; {prefixLength} is out of range.");
            }
            return new Netmask(family, (uint)prefixLength);
        }
        if (prefixLength is < 0 or > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(prefixLength), prefixLength, $"An IPv4 persistence prefix must be 0 to 32; {prefixLength} is out of range.");
        }
        return new Netmask(AddressFamily.InterNetwork, prefixLength == 0 ? 0 : uint.MaxValue << (32 - prefixLength));
    }

    /// <summary>An IPv4 mask given as an address such as 255.255.255.0.</summary>
    public static Netmask FromIPv4Mask(IPAddress mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"'{mask}' is not an IPv4 mask.", nameof(mask));
        }
        Span<byte> b = stackalloc byte[4];
        mask.TryWriteBytes(b, out _);
        return new Netmask(AddressFamily.InterNetwork, BinaryPrimitives.ReadUInt32BigEndian(b));
    }

    // The kernel's raw field, unchecked: a decoder must accept whatever another tool stored.
    internal static Netmask FromWire(AddressFamily family, uint value) => new(family, value);

    /// <summary>An IPv4 mask from its numeric value (0xFFFFFF00 is 255.255.255.0).</summary>
    public static Netmask FromIPv4Value(uint value) => new(AddressFamily.InterNetwork, value);

    /// <summary>
    /// Parses a dotted IPv4 mask (<c>255.255.255.0</c>) or a prefix length (<c>24</c>, <c>/24</c>) for the family.
    /// </summary>
    /// <exception cref="FormatException">The text is not a mask.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A prefix is out of range.</exception>
    public static Netmask Parse(string text, AddressFamily family)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.StartsWith('/') ? text[1..] : text;
        if (int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int prefix))
        {
            return FromPrefixLength(prefix, family);
        }
        if (family == AddressFamily.InterNetwork && IPAddress.TryParse(text, out var a) && a.AddressFamily == AddressFamily.InterNetwork)
        {
            return FromIPv4Mask(a);
        }
        throw new FormatException($"'{text}' is not a valid {(family == AddressFamily.InterNetworkV6 ? "IPv6 prefix length" : "IPv4 netmask")}.");
    }

    /// <summary>The prefix length when the mask is contiguous, otherwise null.</summary>
    public int? PrefixLength
    {
        get
        {
            if (Family == AddressFamily.InterNetworkV6)
            {
                return (int)Value;
            }
            int ones = System.Numerics.BitOperations.PopCount(Value);
            return ones == 0 || Value == uint.MaxValue << (32 - ones) ? ones : null;
        }
    }

    /// <summary>Dotted form for IPv4 (<c>255.255.255.0</c>), prefix length for IPv6 (<c>64</c>), as ipvsadm prints them.</summary>
    public override string ToString() => Family == AddressFamily.InterNetworkV6
        ? Value.ToString(CultureInfo.InvariantCulture)
        : $"{Value >> 24}.{(Value >> 16) & 0xFF}.{(Value >> 8) & 0xFF}.{Value & 0xFF}";
}
