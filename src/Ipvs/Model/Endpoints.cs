using System.Globalization;
using System.Net.Sockets;

namespace Ipvs.Model;

// Shared parsing of "addr:port" forms; IPv6 addresses need brackets when a port follows.
internal static class Endpoints
{
    public static (IPAddress Address, ushort Port) ParseAddressPort(string text, bool portOptional, string parameter)
    {
        ArgumentNullException.ThrowIfNull(text, parameter);
        string host;
        string? port = null;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"'{text}': a '[' opens an IPv6 address but no ']' closes it.");
            }
            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    throw new FormatException($"'{text}': expected ':' and a port after ']'.");
                }
                port = rest[1..];
            }
        }
        else
        {
            int colons = text.Count(c => c == ':');
            if (colons == 1)
            {
                int i = text.IndexOf(':', StringComparison.Ordinal);
                host = text[..i];
                port = text[(i + 1)..];
            }
            else
            {
                host = text; // IPv4 alone, or IPv6 without brackets and therefore without port
            }
        }
        if (!IPAddress.TryParse(host, out var address) || host.Length == 0 || (address.AddressFamily == AddressFamily.InterNetwork && host.Count(c => c == '.') != 3))
        {
            throw new FormatException($"'{host}' in '{text}' is not an IPv4 or IPv6 address.");
        }
        if (port is null)
        {
            if (!portOptional)
            {
                throw new FormatException($"'{text}' has no port; write it as ADDRESS:PORT or [IPV6]:PORT.");
            }
            return (address, 0);
        }
        return (address, ParsePort(port, text));
    }

    public static ushort ParsePort(string port, string context)
    {
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int p))
        {
            throw new FormatException($"'{port}' in '{context}' is not a port number.");
        }
        if (p > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(port), p, $"Port {p} in '{context}' is out of range; ports are 0 to 65535.");
        }
        return (ushort)p;
    }

    public static string Format(IPAddress address, ushort port) => address.AddressFamily == AddressFamily.InterNetworkV6
        ? $"[{address}]:{port.ToString(CultureInfo.InvariantCulture)}"
        : $"{address}:{port.ToString(CultureInfo.InvariantCulture)}";

    public static void RequireIp(IPAddress address, string parameter)
    {
        ArgumentNullException.ThrowIfNull(address, parameter);
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException($"'{address}' is neither IPv4 nor IPv6.", parameter);
        }
    }
}
