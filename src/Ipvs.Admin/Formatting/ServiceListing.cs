using System.Text;
using Ipvs.Admin.Options;

namespace Ipvs.Admin.Formatting;

/// <summary>print_title(), print_service_entry() and their helpers: -L in all its formats and -S.</summary>
internal static class ServiceListing
{
    private static readonly string[] TunNames = ["ipip", "gue", "gre"];
    private static readonly string[] TunFlagNames = ["-c", "+c", "r+c"];
    private static readonly string[] TunFlagOptions = ["--tun-nocsum", "--tun-csum", "--tun-remcsum"];

    /// <summary>list_all()'s first line.</summary>
    public static string VersionLine(Version version, uint size) =>
        $"IP Virtual Server version {version.Major}.{version.Minor}.{version.Build} (size={(int)size})\n";

    public static void PrintTitle(Terminal t, ListFormat format)
    {
        if ((format & ListFormat.Stats) != 0)
        {
            t.Out(CFormat.Left("Prot LocalAddress:Port", 33) + " " + CFormat.Right("Conns", 8) + " " + CFormat.Right("InPkts", 8) + " "
                + CFormat.Right("OutPkts", 8) + " " + CFormat.Right("InBytes", 8) + " " + CFormat.Right("OutBytes", 8) + "\n"
                + "  -> RemoteAddress:Port\n");
        }
        else if ((format & ListFormat.Rate) != 0)
        {
            t.Out(CFormat.Left("Prot LocalAddress:Port", 33) + " " + CFormat.Right("CPS", 8) + " " + CFormat.Right("InPPS", 8) + " "
                + CFormat.Right("OutPPS", 8) + " " + CFormat.Right("InBPS", 8) + " " + CFormat.Right("OutBPS", 8) + "\n"
                + "  -> RemoteAddress:Port\n");
        }
        else if ((format & ListFormat.Thresholds) != 0)
        {
            t.Out(CFormat.Left("Prot LocalAddress:Port", 33) + " " + CFormat.Left("Uthreshold", 10) + " " + CFormat.Left("Lthreshold", 10) + " "
                + CFormat.Left("ActiveConn", 10) + " " + CFormat.Left("InActConn", 10) + "\n"
                + "  -> RemoteAddress:Port\n");
        }
        else if ((format & ListFormat.PersistentConn) != 0)
        {
            t.Out(CFormat.Left("Prot LocalAddress:Port", 33) + " " + CFormat.Left("Weight", 9) + " " + CFormat.Left("PersistConn", 11) + " "
                + CFormat.Left("ActiveConn", 10) + " " + CFormat.Left("InActConn", 10) + "\n"
                + "  -> RemoteAddress:Port\n");
        }
        else if ((format & ListFormat.TunInfo) != 0)
        {
            t.Out("Prot LocalAddress:Port Scheduler Flags\n"
                + "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n");
        }
        else if ((format & ListFormat.Rule) == 0)
        {
            t.Out("Prot LocalAddress:Port Scheduler Flags\n"
                + "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
        }
    }

    /// <summary>print_largenum().</summary>
    public static string LargeNum(ulong i, ListFormat format)
    {
        if ((format & ListFormat.Exact) != 0)
        {
            string s = CFormat.N(i);
            return CFormat.Right(s, s.Length <= 8 ? 9 : s.Length + 1);
        }
        if (i < 100000000UL)
        {
            return CFormat.Right(i, 9);
        }
        if (i < 1000000000UL)
        {
            return CFormat.Right(i / 1000, 8) + "K";
        }
        if (i < 100000000000UL)
        {
            return CFormat.Right(i / 1000000, 8) + "M";
        }
        if (i < 100000000000000UL)
        {
            return CFormat.Right(i / 1000000000UL, 8) + "G";
        }
        return CFormat.Right(i / 1000000000000UL, 8) + "T";
    }

    private static string SchedFlags(ServiceRow se)
    {
        var flags = new StringBuilder();
        if (se.SchedName == "sh")
        {
            if ((se.Flags & Ip.SvcSched1) != 0)
            {
                flags.Append("sh-fallback,");
            }
            if ((se.Flags & Ip.SvcSched2) != 0)
            {
                flags.Append("sh-port,");
            }
        }
        else if (se.SchedName == "mh")
        {
            if ((se.Flags & Ip.SvcSched1) != 0)
            {
                flags.Append("mh-fallback,");
            }
            if ((se.Flags & Ip.SvcSched2) != 0)
            {
                flags.Append("mh-port,");
            }
        }
        else
        {
            if ((se.Flags & Ip.SvcSched1) != 0)
            {
                flags.Append("flag-1,");
            }
            if ((se.Flags & Ip.SvcSched2) != 0)
            {
                flags.Append("flag-2,");
            }
            if ((se.Flags & Ip.SvcSched3) != 0)
            {
                flags.Append("flag-3,");
            }
        }
        if (flags.Length > 0)
        {
            flags.Length--;
        }
        return flags.ToString();
    }

    private static string FwdName(uint flags) => (flags & Ip.ConnFwdMask) switch
    {
        Ip.ConnMasq => "Masq",
        Ip.ConnLocalNode => "Local",
        Ip.ConnTunnel => "Tunnel",
        Ip.ConnDRoute => "Route",
        _ => "(null)",
    };

    private static string FwdSwitch(uint flags) => (flags & Ip.ConnFwdMask) switch
    {
        Ip.ConnMasq => "-m",
        Ip.ConnTunnel => "-i",
        Ip.ConnLocalNode or Ip.ConnDRoute => "-g",
        _ => "(null)",
    };

    private static string? FwdTunInfo(DestRow e)
    {
        if ((e.ConnFlags & Ip.ConnFwdMask) != Ip.ConnTunnel)
        {
            return null;
        }
        string? info = e.TunType switch
        {
            Ip.TunIpIp => TunNames[e.TunType],
            Ip.TunGue => $"{TunNames[e.TunType]}:{CFormat.N(e.TunPort)}:{TunFlag(e.TunFlags)}",
            Ip.TunGre => $"{TunNames[e.TunType]}:{TunFlag(e.TunFlags)}",
            _ => null,
        };
        return info is null ? null : CFormat.Cut(info, 15);
    }

    private static string TunFlag(int flags) => flags is >= 0 and < 3 ? TunFlagNames[flags] : "(null)";

    private static string TunFlagOption(int flags) => flags is >= 0 and < 3 ? TunFlagOptions[flags] : "(null)";

    private static string ServiceName(ServiceRow se, ListFormat format)
    {
        if (se.Fwmark != 0)
        {
            int mark = unchecked((int)se.Fwmark);
            if ((format & ListFormat.Rule) != 0)
            {
                return se.Af == Ip.AF_INET6 ? $"-f {CFormat.N(mark)} -6" : $"-f {CFormat.N(mark)}";
            }
            return se.Af == Ip.AF_INET6 ? $"FWM  {CFormat.N(mark)} IPv6" : $"FWM  {CFormat.N(mark)}";
        }
        string vname = NameResolver.AddrPort(se.Af, se.Addr, se.Port, se.Protocol, format);
        if ((format & ListFormat.Rule) != 0)
        {
            string stype = se.Protocol switch
            {
                Ip.IPPROTO_TCP => "-t",
                Ip.IPPROTO_UDP => "-u",
                Ip.IPPROTO_SCTP => "--sctp-service",
                _ => "--xxx-service",
            };
            return CFormat.Cut(stype + " " + vname, 1023);
        }
        string ptype = se.Protocol switch
        {
            Ip.IPPROTO_TCP => "TCP",
            Ip.IPPROTO_UDP => "UDP",
            Ip.IPPROTO_SCTP => "SCTP",
            _ => "?",
        };
        string name = CFormat.Cut(CFormat.Left(ptype, 4) + " " + vname, 1023);
        return se.Af != Ip.AF_INET6 ? CFormat.Cut(name, 33) : name;
    }

    /// <summary>print_service_entry(): the service line and its real servers (sorted unless --nosort).</summary>
    public static void PrintServiceEntry(Terminal t, ServiceRow se, DestRow[] dests, ListFormat format)
    {
        bool persistent = (se.Flags & Ip.SvcPersistent) != 0;
        bool schedFlags = (se.Flags & (Ip.SvcSched1 | Ip.SvcSched2 | Ip.SvcSched3)) != 0;
        if ((format & Columns) == 0 && (format & ListFormat.Numeric) != 0 && se.Fwmark == 0
            && !persistent && !schedFlags && (se.Flags & Ip.SvcOnePacket) == 0)
        {
            PrintPlainNumericService(t, se);
            PrintDests(t, se, "", dests, format); // the plain line has no use for the name
            return;
        }
        string svcName = ServiceName(se, format);
        var line = new StringBuilder();
        if ((format & ListFormat.Rule) != 0)
        {
            line.Append("-A ").Append(svcName).Append(" -s ").Append(se.SchedName);
            if (persistent)
            {
                line.Append(" -p ").Append(CFormat.N(se.Timeout));
                if (se.Af == Ip.AF_INET && se.Netmask != 0xFFFFFFFF)
                {
                    line.Append(" -M ").Append(DottedMask(se.Netmask));
                }
                if (se.Af == Ip.AF_INET6 && se.Netmask != 128)
                {
                    line.Append(" -M ").Append(CFormat.N(unchecked((int)se.Netmask)));
                }
            }
            if (se.PeName.Length > 0)
            {
                line.Append(" --pe ").Append(se.PeName);
            }
            if ((se.Flags & Ip.SvcOnePacket) != 0)
            {
                line.Append(" -o");
            }
            if (schedFlags)
            {
                line.Append(" -b ").Append(SchedFlags(se));
            }
        }
        else if ((format & ListFormat.Stats) != 0)
        {
            line.Append(CFormat.Left(svcName, 33));
            line.Append(LargeNum(se.Stats.Connections, format));
            line.Append(LargeNum(se.Stats.InPackets, format));
            line.Append(LargeNum(se.Stats.OutPackets, format));
            line.Append(LargeNum(se.Stats.InBytes, format));
            line.Append(LargeNum(se.Stats.OutBytes, format));
        }
        else if ((format & ListFormat.Rate) != 0)
        {
            line.Append(CFormat.Left(svcName, 33));
            line.Append(LargeNum(se.Stats.ConnectionRate, format));
            line.Append(LargeNum(se.Stats.InPacketRate, format));
            line.Append(LargeNum(se.Stats.OutPacketRate, format));
            line.Append(LargeNum(se.Stats.InByteRate, format));
            line.Append(LargeNum(se.Stats.OutByteRate, format));
        }
        else
        {
            line.Append(svcName).Append(' ').Append(se.SchedName);
            if (schedFlags)
            {
                line.Append(" (").Append(SchedFlags(se)).Append(')');
            }
            if (persistent)
            {
                line.Append(" persistent ").Append(CFormat.N(se.Timeout));
                if (se.Af == Ip.AF_INET && se.Netmask != 0xFFFFFFFF)
                {
                    line.Append(" mask ").Append(DottedMask(se.Netmask));
                }
                if (se.Af == Ip.AF_INET6 && se.Netmask != 128)
                {
                    line.Append(" mask ").Append(CFormat.N(unchecked((int)se.Netmask)));
                }
                if (se.PeName.Length > 0)
                {
                    line.Append(" pe ").Append(se.PeName);
                }
            }
            if ((se.Flags & Ip.SvcOnePacket) != 0)
            {
                line.Append(" ops");
            }
        }
        line.Append('\n');
        t.Out(line.ToString());
        PrintDests(t, se, svcName, dests, format);
    }

    private static void PrintDests(Terminal t, ServiceRow se, string svcName, DestRow[] dests, ListFormat format)
    {
        if ((format & ListFormat.NoSort) == 0)
        {
            TableSorter.Sort(dests, TableSorter.CompareDests);
        }
        foreach (var e in dests)
        {
            PrintDest(t, se, svcName, e, format);
        }
    }

    // The service line of -Ln for the common service (address-keyed, no persistence, flags or
    // one-packet scheduling), as the last branch of PrintServiceEntry writes it with ServiceName,
    // into a stack buffer instead of a handful of strings.
    private static void PrintPlainNumericService(Terminal t, ServiceRow se)
    {
        Span<char> name = stackalloc char[64];
        int n = NameResolver.AddrPortNumeric(se.Af, se.Addr, se.Port, name);
        var head = new LineWriter(stackalloc char[80]);
        head.Left(se.Protocol switch
        {
            Ip.IPPROTO_TCP => "TCP",
            Ip.IPPROTO_UDP => "UDP",
            Ip.IPPROTO_SCTP => "SCTP",
            _ => "?",
        }, 4);
        head.Append(' ');
        head.Append(name[..n]);
        var svcName = head.Written;
        if (se.Af != Ip.AF_INET6 && svcName.Length > 33)
        {
            svcName = svcName[..33];
        }
        var w = new LineWriter(stackalloc char[128]);
        w.Append(svcName);
        w.Append(' ');
        w.Append(se.SchedName);
        w.Append('\n');
        t.Out(w.Written);
    }

    // The formats with more than the plain columns; without them, -Ln's line has a fast path.
    private const ListFormat Columns = ListFormat.Rule | ListFormat.Stats | ListFormat.Rate | ListFormat.Thresholds
        | ListFormat.PersistentConn | ListFormat.TunInfo;

    private static void PrintDest(Terminal t, ServiceRow se, string svcName, DestRow e, ListFormat format)
    {
        if ((format & Columns) == 0 && (format & ListFormat.Numeric) != 0)
        {
            PrintPlainNumericDest(t, e);
            return;
        }
        string dname = NameResolver.AddrPort(e.Af, e.Addr, e.Port, se.Protocol, format);
        if ((format & ListFormat.Rule) == 0 && e.Af != Ip.AF_INET6)
        {
            dname = CFormat.Cut(dname, 28);
        }
        string weight = CFormat.N(e.Weight);
        if ((format & ListFormat.Rule) != 0)
        {
            string head = $"-a {svcName} -r {dname} {FwdSwitch(e.ConnFlags)} -w {weight}";
            if ((e.ConnFlags & Ip.ConnFwdMask) == Ip.ConnTunnel)
            {
                t.Out(e.TunType switch
                {
                    Ip.TunGre => $"{head} --tun-type {TunNames[e.TunType]} {TunFlagOption(e.TunFlags)}\n",
                    Ip.TunGue => $"{head} --tun-type {TunNames[e.TunType]} --tun-port {CFormat.N(e.TunPort)} {TunFlagOption(e.TunFlags)}\n",
                    Ip.TunIpIp => $"{head} --tun-type {TunNames[e.TunType]}\n",
                    _ => head + "\n",
                });
            }
            else
            {
                t.Out(head + "\n");
            }
        }
        else if ((format & ListFormat.Stats) != 0)
        {
            t.Out("  -> " + CFormat.Left(dname, 28)
                + LargeNum(e.Stats.Connections, format) + LargeNum(e.Stats.InPackets, format)
                + LargeNum(e.Stats.OutPackets, format) + LargeNum(e.Stats.InBytes, format)
                + LargeNum(e.Stats.OutBytes, format) + "\n");
        }
        else if ((format & ListFormat.Rate) != 0)
        {
            t.Out("  -> " + CFormat.Left(dname, 28) + " " + CFormat.Right(e.Stats.ConnectionRate, 8) + " "
                + CFormat.Right(e.Stats.InPacketRate, 8) + " " + CFormat.Right(e.Stats.OutPacketRate, 8)
                + LargeNum(e.Stats.InByteRate, format) + LargeNum(e.Stats.OutByteRate, format) + "\n");
        }
        else if ((format & ListFormat.Thresholds) != 0)
        {
            t.Out("  -> " + CFormat.Left(dname, 28) + " " + CFormat.Left(e.UThreshold, 10) + " " + CFormat.Left(e.LThreshold, 10) + " "
                + CFormat.Left(e.ActiveConns, 10) + " " + CFormat.Left(e.InactConns, 10) + "\n");
        }
        else if ((format & ListFormat.PersistentConn) != 0)
        {
            t.Out("  -> " + CFormat.Left(dname, 28) + " " + CFormat.Left((uint)e.Weight, 9) + " " + CFormat.Left(e.PersistConns, 11) + " "
                + CFormat.Left(e.ActiveConns, 10) + " " + CFormat.Left(e.InactConns, 10) + "\n");
        }
        else if ((format & ListFormat.TunInfo) != 0)
        {
            t.Out("  -> " + CFormat.Left(dname, 28) + " " + CFormat.Left(FwdName(e.ConnFlags), 7) + " "
                + CFormat.Left(FwdTunInfo(e) ?? "n/a", 13) + " " + CFormat.Left(weight, 6) + " "
                + CFormat.Left(e.ActiveConns, 10) + " " + CFormat.Left(e.InactConns, 10) + "\n");
        }
        else
        {
            t.Out("  -> " + CFormat.Left(dname, 28) + " " + CFormat.Left(FwdName(e.ConnFlags), 7) + " "
                + CFormat.Left(weight, 6) + " " + CFormat.Left(e.ActiveConns, 10) + " " + CFormat.Left(e.InactConns, 10) + "\n");
        }
    }

    // The last branch of PrintDest for -Ln, the line a big table prints 100,000 times, written
    // into a stack buffer instead of a dozen strings.
    private static void PrintPlainNumericDest(Terminal t, DestRow e)
    {
        Span<char> name = stackalloc char[64];
        int n = NameResolver.AddrPortNumeric(e.Af, e.Addr, e.Port, name);
        if (e.Af != Ip.AF_INET6)
        {
            n = Math.Min(n, 28);
        }
        var w = new LineWriter(stackalloc char[256]);
        w.Append("  -> ");
        w.Left(name[..n], 28);
        w.Append(' ');
        w.Left(FwdName(e.ConnFlags), 7);
        w.Append(' ');
        w.Left(e.Weight, 6);
        w.Append(' ');
        w.Left(e.ActiveConns, 10);
        w.Append(' ');
        w.Left(e.InactConns, 10);
        w.Append('\n');
        t.Out(w.Written);
    }

    /// <summary>inet_ntoa() of a mask held as a number.</summary>
    public static string DottedMask(uint m) =>
        $"{m >> 24}.{(m >> 16) & 0xFF}.{(m >> 8) & 0xFF}.{m & 0xFF}";

    /// <summary>list_all()'s order: sorted with ipvs_cmp_services unless --nosort.</summary>
    public static (ServiceRow Service, T Dests)[] Order<T>((ServiceRow Service, T Dests)[] entries, ListFormat format)
    {
        if ((format & ListFormat.NoSort) == 0)
        {
            TableSorter.Sort(entries, static (a, b) => TableSorter.CompareServices(a.Service, b.Service));
        }
        return entries;
    }
}
