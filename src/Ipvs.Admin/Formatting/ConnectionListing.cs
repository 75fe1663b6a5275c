using System.Globalization;
using System.Text;
using Ipvs.Admin.Native;
using Ipvs.Admin.Options;

namespace Ipvs.Admin.Formatting;

/// <summary>
/// -c: list_conn() and print_conn(). Reads /proc/net/ip_vs_conn as ipvsadm does (fgets() in
/// 256-byte pieces, sscanf() of each) and formats each connection the same way.
/// </summary>
internal static class ConnectionListing
{
    public const string ProcFile = "/proc/net/ip_vs_conn";

    public static void List(Terminal t, ListFormat format, string path = ProcFile)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AdminExit(1, $"cannot open file {ProcFile}\n");
        }
        int pos = 0;
        if (FGets(data, ref pos) is null)
        {
            throw new AdminExit(1, $"unexpected input from {ProcFile}\n");
        }
        t.Out("IPVS connection entries\n");
        if ((format & ListFormat.PersistentConn) != 0)
        {
            t.Out("pro expire " + CFormat.Left("state", 11) + " " + CFormat.Left("source", 18) + " " + CFormat.Left("virtual", 18) + " "
                + CFormat.Left("destination", 18) + " " + CFormat.Left("pe name", 16) + " pe_data\n");
        }
        else
        {
            t.Out("pro expire " + CFormat.Left("state", 11) + " " + CFormat.Left("source", 18) + " " + CFormat.Left("virtual", 18) + " destination\n");
        }
        string? line;
        while ((line = FGets(data, ref pos)) is not null)
        {
            PrintConn(t, line, format);
        }
    }

    // fgets(buffer, 256, ...): up to 255 bytes, through the first newline.
    private static string? FGets(byte[] data, ref int pos)
    {
        if (pos >= data.Length)
        {
            return null;
        }
        int start = pos;
        while (pos < data.Length && pos - start < 255)
        {
            if (data[pos++] == (byte)'\n')
            {
                break;
            }
        }
        return Encoding.Latin1.GetString(data, start, pos - start);
    }

    private static void PrintConn(Terminal t, string buf, ListFormat format)
    {
        var scan = new Scanner(buf);
        string protocol = "", temp1 = "", temp2 = "", temp3 = "", state = "", peName = "", peData = "";
        ushort cport = 0, vport = 0, dport = 0;
        uint expires = 0;
        int n = 0;
        bool eof = false;
        // sscanf(buf, "%s %s %hX %s %hX %s %hX %s %d %s %s", ...)
        if (scan.Word(ref protocol, ref eof)) { n++; } else { goto done; }
        if (scan.Word(ref temp1, ref eof)) { n++; } else { goto done; }
        if (scan.Hex(ref cport)) { n++; } else { goto done; }
        if (scan.Word(ref temp2, ref eof)) { n++; } else { goto done; }
        if (scan.Hex(ref vport)) { n++; } else { goto done; }
        if (scan.Word(ref temp3, ref eof)) { n++; } else { goto done; }
        if (scan.Hex(ref dport)) { n++; } else { goto done; }
        if (scan.Word(ref state, ref eof)) { n++; } else { goto done; }
        if (scan.Decimal(ref expires)) { n++; } else { goto done; }
        if (scan.Word(ref peName, ref eof)) { n++; } else { goto done; }
        if (scan.Word(ref peData, ref eof)) { n++; }
    done:
        if (n == 0 && eof)
        {
            throw new AdminExit(1, "");
        }

        ushort proto = protocol switch
        {
            "TCP" => Ip.IPPROTO_TCP,
            "UDP" => Ip.IPPROTO_UDP,
            "SCTP" => Ip.IPPROTO_SCTP,
            _ => 0,
        };
        ushort af = Ip.AF_INET;
        ushort daf = Ip.AF_INET;
        var caddr = new byte[16];
        var vaddr = new byte[16];
        var daddr = new byte[16];
        if (NetDb.InetPton(NetDb.AF_INET6, temp1, caddr))
        {
            NetDb.InetPton(NetDb.AF_INET6, temp2, vaddr);
            af = Ip.AF_INET6;
        }
        else if (NetDb.InetPton(NetDb.AF_INET, temp1, caddr))
        {
            NetDb.InetPton(NetDb.AF_INET, temp2, vaddr);
        }
        else
        {
            Hex32(temp1, caddr);
            Hex32(temp2, vaddr);
        }
        if (NetDb.InetPton(NetDb.AF_INET6, temp3, daddr))
        {
            daf = Ip.AF_INET6;
        }
        else if (!NetDb.InetPton(NetDb.AF_INET, temp3, daddr))
        {
            Hex32(temp3, daddr);
        }

        string cname = NameResolver.AddrPort(af, caddr, cport, proto, format);
        string vname = NameResolver.AddrPort(af, vaddr, vport, proto, format);
        string dname = NameResolver.AddrPort(daf, daddr, dport, proto, format);
        string expire = (expires / 60).ToString("00", CultureInfo.InvariantCulture) + ":" + (expires % 60).ToString("00", CultureInfo.InvariantCulture);

        if ((format & ListFormat.PersistentConn) != 0 && n == 11)
        {
            t.Out(CFormat.Left(protocol, 3) + " " + CFormat.Left(expire, 6) + " " + CFormat.Left(state, 11) + " " + CFormat.Left(cname, 18) + " "
                + CFormat.Left(vname, 18) + " " + CFormat.Left(dname, 16) + " " + CFormat.Left(peName, 18) + " " + peData + "\n");
        }
        else
        {
            t.Out(CFormat.Left(protocol, 3) + " " + CFormat.Left(expire, 6) + " " + CFormat.Left(state, 11) + " " + CFormat.Left(cname, 18) + " "
                + CFormat.Left(vname, 18) + " " + dname + "\n");
        }
    }

    // htonl(strtoul(s, NULL, 16)) into the first four bytes.
    private static void Hex32(string s, byte[] addr)
    {
        var scan = new Scanner(s);
        ulong v = scan.HexValue();
        uint u = unchecked((uint)v);
        addr[0] = (byte)(u >> 24);
        addr[1] = (byte)(u >> 16);
        addr[2] = (byte)(u >> 8);
        addr[3] = (byte)u;
    }

    /// <summary>Just enough of sscanf()/strtoul() for the kernel's connection lines.</summary>
    private ref struct Scanner
    {
        private readonly string _s;
        private int _i;

        public Scanner(string s)
        {
            _s = s;
            _i = 0;
        }

        private void SkipSpace()
        {
            while (_i < _s.Length && _s[_i] is ' ' or '\t' or '\n' or '\v' or '\f' or '\r')
            {
                _i++;
            }
        }

        public bool Word(ref string value, ref bool eof)
        {
            SkipSpace();
            if (_i >= _s.Length)
            {
                eof = true;
                return false;
            }
            int start = _i;
            while (_i < _s.Length && _s[_i] is not (' ' or '\t' or '\n' or '\v' or '\f' or '\r'))
            {
                _i++;
            }
            value = _s[start.._i];
            return true;
        }

        public bool Hex(ref ushort value)
        {
            SkipSpace();
            int before = _i;
            ulong v = HexValue();
            if (_i == before)
            {
                return false;
            }
            value = unchecked((ushort)v);
            return true;
        }

        public ulong HexValue()
        {
            SkipSpace();
            int start = _i;
            bool negative = false;
            if (_i < _s.Length && (_s[_i] == '+' || _s[_i] == '-'))
            {
                negative = _s[_i] == '-';
                _i++;
            }
            if (_i + 1 < _s.Length && _s[_i] == '0' && (_s[_i + 1] == 'x' || _s[_i + 1] == 'X') && _i + 2 < _s.Length && Uri.IsHexDigit(_s[_i + 2]))
            {
                _i += 2;
            }
            int digits = _i;
            ulong v = 0;
            while (_i < _s.Length && Uri.IsHexDigit(_s[_i]))
            {
                v = unchecked(v * 16 + (ulong)Convert.ToInt32(_s[_i].ToString(), 16));
                _i++;
            }
            if (_i == digits)
            {
                _i = start;
                return 0;
            }
            return negative ? unchecked(0 - v) : v;
        }

        public bool Decimal(ref uint value)
        {
            SkipSpace();
            long v = ValueParsers.StrToL(_s[_i..], out int end, out _);
            if (end == 0)
            {
                return false;
            }
            _i += end;
            value = unchecked((uint)(int)v);
            return true;
        }
    }
}
