using System.Globalization;
using Ipvs.Admin.Native;
using Ipvs.Admin.Options;

namespace Ipvs.Admin.Formatting;

/// <summary>
/// addrport_to_anyname() and its helpers: numeric "addr:port" ("[v6]:port"), or with names
/// from the resolver (gethostbyaddr) and /etc/services (getservbyport), as ipvsadm prints them.
/// </summary>
internal static class NameResolver
{
    public static string AddrPort(ushort af, ReadOnlySpan<byte> addr, ushort port, ushort protocol, ListFormat format)
    {
        string open = af == Ip.AF_INET ? "" : "[";
        string close = af == Ip.AF_INET ? "" : "]";
        string s = (format & ListFormat.Numeric) != 0
            ? open + NetDb.InetNtop(af, addr) + close + ":" + port.ToString(CultureInfo.InvariantCulture)
            : open + AddrToAnyName(af, addr) + close + ":" + PortToAnyName(port, protocol);
        // snprintf(buf, 60, ...)
        return CFormat.Cut(s, 59);
    }

    /// <summary>
    /// <see cref="AddrPort"/> with <see cref="ListFormat.Numeric"/>, into <paramref name="destination"/>
    /// (64 chars suffice) without allocating; returns the length.
    /// </summary>
    public static int AddrPortNumeric(ushort af, ReadOnlySpan<byte> addr, ushort port, Span<char> destination)
    {
        int n = 0;
        if (af != Ip.AF_INET)
        {
            destination[n++] = '[';
        }
        n += af == Ip.AF_INET ? DottedQuad(addr, destination[n..]) : NetDb.InetNtop(af, addr, destination[n..]);
        if (af != Ip.AF_INET)
        {
            destination[n++] = ']';
        }
        destination[n++] = ':';
        port.TryFormat(destination[n..], out int p, default, CultureInfo.InvariantCulture);
        // snprintf(buf, 60, ...)
        return Math.Min(n + p, 59);
    }

    /// <summary>
    /// inet_ntop(AF_INET): the four bytes in decimal, dot-separated (glibc's inet_ntop4 is
    /// sprintf("%u.%u.%u.%u")), without a call into libc for each of a big table's addresses.
    /// </summary>
    public static int DottedQuad(ReadOnlySpan<byte> addr, Span<char> destination)
    {
        int n = 0;
        for (int i = 0; i < 4; i++)
        {
            if (i > 0)
            {
                destination[n++] = '.';
            }
            int b = addr[i];
            if (b >= 100)
            {
                destination[n++] = (char)('0' + (b / 100));
            }
            if (b >= 10)
            {
                destination[n++] = (char)('0' + (b / 10 % 10));
            }
            destination[n++] = (char)('0' + (b % 10));
        }
        return n;
    }

    public static string AddrToAnyName(ushort af, ReadOnlySpan<byte> addr) =>
        NetDb.AddressToHost(af, addr) ?? NetDb.InetNtop(af, addr);

    public static string PortToAnyName(ushort port, ushort protocol)
    {
        string? name = protocol switch
        {
            Ip.IPPROTO_TCP => NetDb.PortToService(port, "tcp"),
            Ip.IPPROTO_UDP => NetDb.PortToService(port, "udp"),
            Ip.IPPROTO_SCTP => NetDb.PortToService(port, "sctp"),
            _ => null,
        };
        return name ?? port.ToString(CultureInfo.InvariantCulture);
    }
}
