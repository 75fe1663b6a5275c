using Ipvs.Admin.Native;

namespace Ipvs.Admin.Options;

/// <summary>ipvsadm's value parsers, with the C library semantics they rely on.</summary>
internal static class ValueParsers
{
    public const int ServiceNone = 0;
    public const int ServiceAddr = 1;
    public const int ServicePort = 2;

    /// <summary>strtol(s, &amp;end, 10) in the C locale: the value, where parsing stopped, and ERANGE.</summary>
    public static long StrToL(string s, out int end, out bool overflow)
    {
        int i = 0;
        overflow = false;
        while (i < s.Length && IsSpace(s[i]))
        {
            i++;
        }
        bool negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            negative = s[i] == '-';
            i++;
        }
        int digits = i;
        ulong magnitude = 0;
        ulong limit = negative ? 9223372036854775808UL : long.MaxValue;
        while (i < s.Length && s[i] >= '0' && s[i] <= '9')
        {
            ulong d = (ulong)(s[i] - '0');
            if (!overflow)
            {
                if (magnitude > (limit - d) / 10)
                {
                    overflow = true;
                }
                else
                {
                    magnitude = magnitude * 10 + d;
                }
            }
            i++;
        }
        if (i == digits)
        {
            end = 0;
            overflow = false;
            return 0;
        }
        end = i;
        if (overflow)
        {
            return negative ? long.MinValue : long.MaxValue;
        }
        return negative ? (long)(0 - magnitude) : (long)magnitude;
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    /// <summary>string_to_number(): the number if all of s is one within [min, max], else -1.</summary>
    public static int StringToNumber(string s, int min, int max)
    {
        long n = StrToL(s, out int end, out bool overflow);
        if (end == s.Length && end != 0 && !overflow && min <= n && n <= max)
        {
            return (int)n;
        }
        return -1;
    }

    /// <summary>atoi(): (int)strtol(s, NULL, 10).</summary>
    public static int Atoi(string s) => unchecked((int)StrToL(s, out _, out _));

    /// <summary>parse_timeout(): absent gives the default persistence timeout.</summary>
    public static int ParseTimeout(string? buf, int min, int max)
    {
        if (buf is null)
        {
            return Ip.DefaultPersistentTimeout;
        }
        int i = StringToNumber(buf, min, max);
        if (i == -1)
        {
            throw AdminExit.Fail(2, $"invalid timeout value `{buf}' specified");
        }
        return i;
    }

    /// <summary>parse_fwmark(): 1 to 4294967295.</summary>
    public static uint ParseFwmark(string buf)
    {
        long l = StrToL(buf, out int end, out bool overflow);
        ulong u = unchecked((ulong)l);
        if (end != buf.Length || end == 0 || overflow || u == 0 || u > uint.MaxValue)
        {
            throw AdminExit.Fail(2, $"invalid fwmark value `{buf}' specified");
        }
        return (uint)u;
    }

    /// <summary>parse_netmask() for IPv4: inet_aton() or a host name; the mask as a number.</summary>
    public static bool ParseNetmask(string buf, out uint mask)
    {
        Span<byte> a = stackalloc byte[4];
        if (NetDb.InetAton(buf, a) || NetDb.HostToAddress(buf, a))
        {
            mask = (uint)(a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3]);
            return true;
        }
        mask = 0;
        return false;
    }

    private static bool StrIsDigit(string s)
    {
        foreach (char c in s)
        {
            if (c < '0' || c > '9')
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// parse_service(): "host[:port]" or "[ipv6]:port" into <paramref name="svc"/>; the result is
    /// ServiceAddr | ServicePort as found, or ServiceNone. Kept as ipvsadm has it, quirks
    /// included (all digits is refused; "[1.2.3.4]:80" loses its port).
    /// </summary>
    public static int ParseService(string buf, ServiceSpec svc)
    {
        if (StrIsDigit(buf))
        {
            return ServiceNone;
        }
        string work = buf;
        string? port = null;
        if (buf[0] == '[')
        {
            string inner = buf[1..];
            int close = inner.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return ServiceNone;
            }
            string after = inner[(close + 1)..];
            if (after.Length > 0 && after[0] == ':')
            {
                port = after[1..];
            }
            else
            {
                return ServiceNone;
            }
            work = inner[..close];
        }
        Span<byte> a6 = stackalloc byte[16];
        if (NetDb.InetPton(NetDb.AF_INET6, work, a6))
        {
            a6.CopyTo(svc.Addr);
            svc.Af = Ip.AF_INET6;
            svc.Netmask = 128;
        }
        else
        {
            int colon = work.LastIndexOf(':');
            string host = work;
            port = null;
            if (colon >= 0)
            {
                port = work[(colon + 1)..];
                host = work[..colon];
            }
            Span<byte> a4 = stackalloc byte[4];
            if (NetDb.InetAton(host, a4) || NetDb.HostToAddress(host, a4))
            {
                a4.CopyTo(svc.Addr);
                svc.Af = Ip.AF_INET;
            }
            else
            {
                return ServiceNone;
            }
        }
        int result = ServiceAddr;
        if (port is not null)
        {
            result |= ServicePort;
            int n = StringToNumber(port, 0, 65535);
            if (n == -1)
            {
                n = ServiceToPort(port, svc.Protocol);
            }
            if (n == -1)
            {
                return ServiceNone;
            }
            svc.Port = (ushort)n;
        }
        return result;
    }

    /// <summary>service_to_port().</summary>
    public static int ServiceToPort(string name, ushort protocol) => protocol switch
    {
        Ip.IPPROTO_TCP => NetDb.ServiceToPort(name, "tcp"),
        Ip.IPPROTO_UDP => NetDb.ServiceToPort(name, "udp"),
        Ip.IPPROTO_SCTP => NetDb.ServiceToPort(name, "sctp"),
        _ => -1,
    };

    /// <summary>parse_sched_flags(): comma-separated flags, checked against the scheduler.</summary>
    public static uint ParseSchedFlags(string sched, string arg)
    {
        sched = sched.Length > 0 ? sched : Ip.DefaultScheduler;
        string[] tokens = arg.Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0)
        {
            // strtok() finds no token and ipvsadm passes NULL to strcmp(): it dies of SIGSEGV.
            throw new AdminExit(139, "", crash: true);
        }
        uint flags = 0;
        foreach (string flag in tokens)
        {
            switch (flag)
            {
                case "flag-1":
                    flags |= Ip.SvcSched1;
                    break;
                case "flag-2":
                    flags |= Ip.SvcSched2;
                    break;
                case "flag-3":
                    flags |= Ip.SvcSched3;
                    break;
                case "sh-fallback":
                    flags |= Ip.SvcSched1;
                    Compatible(sched, "sh", flag);
                    break;
                case "sh-port":
                    flags |= Ip.SvcSched2;
                    Compatible(sched, "sh", flag);
                    break;
                case "mh-fallback":
                    flags |= Ip.SvcSched1;
                    Compatible(sched, "mh", flag);
                    break;
                case "mh-port":
                    flags |= Ip.SvcSched2;
                    Compatible(sched, "mh", flag);
                    break;
                default:
                    throw AdminExit.Fail(2, $"invalid scheduler flag `{flag}'");
            }
        }
        return flags;
    }

    private static void Compatible(string sched, string want, string flag)
    {
        if (!string.Equals(sched, want, StringComparison.Ordinal))
        {
            throw AdminExit.Fail(2, $"incompatible scheduler flag `{flag}'");
        }
    }

    /// <summary>parse_tun_type(): 0 ipip, 1 gue, 2 gre, or -1.</summary>
    public static int ParseTunType(string name) => name switch
    {
        "ipip" => Ip.TunIpIp,
        "gue" => Ip.TunGue,
        "gre" => Ip.TunGre,
        _ => -1,
    };

    /// <summary>strncpy(dst, src, n) into a buffer that stays NUL-terminated: at most n characters.</summary>
    public static string Truncate(string s, int n) => s.Length > n ? s[..n] : s;
}
