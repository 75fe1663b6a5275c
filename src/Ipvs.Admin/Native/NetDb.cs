using System.Text;

namespace Ipvs.Admin.Native;

/// <summary>
/// Safe wrappers over <see cref="Libc"/>. Text is handled as "byte strings": each char holds one
/// byte (Latin-1), so names and arguments pass through byte for byte, as in C.
/// </summary>
internal static unsafe class NetDb
{
    public const int AF_INET = 2;
    public const int AF_INET6 = 10;

    /// <summary>inet_pton(); <paramref name="destination"/> needs 4 or 16 bytes.</summary>
    public static bool InetPton(int af, string text, Span<byte> destination)
    {
        Span<byte> buf = stackalloc byte[16];
        Span<byte> s = text.Length < 256 ? stackalloc byte[text.Length + 1] : new byte[text.Length + 1];
        CString(text, s);
        fixed (byte* p = s)
        fixed (byte* d = buf)
        {
            if (Libc.InetPton(af, p, d) <= 0)
            {
                return false;
            }
        }
        buf[..(af == AF_INET6 ? 16 : 4)].CopyTo(destination);
        return true;
    }

    /// <summary>inet_aton(): the four bytes of the address in network order.</summary>
    public static bool InetAton(string text, Span<byte> destination)
    {
        Span<byte> buf = stackalloc byte[4];
        Span<byte> s = text.Length < 256 ? stackalloc byte[text.Length + 1] : new byte[text.Length + 1];
        CString(text, s);
        fixed (byte* p = s)
        fixed (byte* d = buf)
        {
            if (Libc.InetAton(p, d) == 0)
            {
                return false;
            }
        }
        buf.CopyTo(destination);
        return true;
    }

    /// <summary>inet_ntop() of a 4- or 16-byte address.</summary>
    public static string InetNtop(int af, ReadOnlySpan<byte> address)
    {
        Span<byte> src = stackalloc byte[16];
        src.Clear();
        address[..Math.Min(address.Length, 16)].CopyTo(src);
        byte* dst = stackalloc byte[64];
        fixed (byte* s = src)
        {
            byte* r = Libc.InetNtop(af, s, dst, 64);
            return r == null ? "" : FromC(r);
        }
    }

    /// <summary>inet_ntop() into <paramref name="destination"/> (46 chars suffice); returns the length.</summary>
    public static int InetNtop(int af, ReadOnlySpan<byte> address, Span<char> destination)
    {
        Span<byte> src = stackalloc byte[16];
        src.Clear();
        address[..Math.Min(address.Length, 16)].CopyTo(src);
        byte* dst = stackalloc byte[64];
        fixed (byte* s = src)
        {
            if (Libc.InetNtop(af, s, dst, 64) == null)
            {
                return 0;
            }
        }
        int n = 0;
        while (dst[n] != 0)
        {
            destination[n] = (char)dst[n];
            n++;
        }
        return n;
    }

    /// <summary>ipvsadm's host_to_addr(): gethostbyname() and its first IPv4 address.</summary>
    public static bool HostToAddress(string name, Span<byte> destination)
    {
        byte[] s = CString(name);
        fixed (byte* p = s)
        {
            Libc.HostEnt* h = Libc.GetHostByName(p);
            if (h == null)
            {
                return false;
            }
            if (h->AddrType != AF_INET || h->Length != 4 || h->AddrList == null || h->AddrList[0] == null)
            {
                return false;
            }
            new ReadOnlySpan<byte>(h->AddrList[0], 4).CopyTo(destination);
            return true;
        }
    }

    /// <summary>ipvsadm's addr_to_host(): gethostbyaddr()'s h_name, or null.</summary>
    public static string? AddressToHost(int af, ReadOnlySpan<byte> address)
    {
        int len = af == AF_INET ? 4 : 16;
        Span<byte> a = stackalloc byte[16];
        a.Clear();
        address[..Math.Min(address.Length, len)].CopyTo(a);
        fixed (byte* p = a)
        {
            Libc.HostEnt* h = Libc.GetHostByAddr(p, (uint)len, af);
            return h == null || h->Name == null ? null : FromC(h->Name);
        }
    }

    /// <summary>getservbyname(): the port in host order, or -1.</summary>
    public static int ServiceToPort(string name, string protocol)
    {
        byte[] n = CString(name);
        byte[] pr = CString(protocol);
        fixed (byte* pn = n)
        fixed (byte* pp = pr)
        {
            Libc.ServEnt* s = Libc.GetServByName(pn, pp);
            return s == null ? -1 : (ushort)System.Net.IPAddress.NetworkToHostOrder((short)s->Port);
        }
    }

    /// <summary>getservbyport(): the service name, or null.</summary>
    public static string? PortToService(ushort port, string protocol)
    {
        byte[] pr = CString(protocol);
        fixed (byte* pp = pr)
        {
            int netPort = (ushort)System.Net.IPAddress.HostToNetworkOrder((short)port);
            Libc.ServEnt* s = Libc.GetServByPort(netPort, pp);
            return s == null || s->Name == null ? null : FromC(s->Name);
        }
    }

    /// <summary>strerror().</summary>
    public static string StrError(int errno)
    {
        byte* s = Libc.StrError(errno);
        return s == null ? "Unknown error " + errno.ToString(System.Globalization.CultureInfo.InvariantCulture) : FromC(s);
    }

    // Into a caller's buffer of text.Length + 1 bytes: the address parsers run for every line
    // of a -R script, and a short-lived array each time adds up.
    private static void CString(string text, Span<byte> destination)
    {
        for (int i = 0; i < text.Length; i++)
        {
            destination[i] = (byte)text[i];
        }
        destination[text.Length] = 0;
    }

    private static byte[] CString(string text)
    {
        var b = new byte[text.Length + 1];
        for (int i = 0; i < text.Length; i++)
        {
            b[i] = (byte)text[i];
        }
        return b;
    }

    private static string FromC(byte* s)
    {
        int n = 0;
        while (s[n] != 0)
        {
            n++;
        }
        return Bytes.Latin1(new ReadOnlySpan<byte>(s, n));
    }
}
