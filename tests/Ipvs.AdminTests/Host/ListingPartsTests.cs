using System.Net;
using System.Net.Sockets;
using CsCheck;
using Ipvs.Admin.Commands;
using Ipvs.Admin.Formatting;
using Ipvs.Admin.Native;
using Ipvs.Admin.Options;
using Ipvs.Model;

namespace Ipvs.AdminTests.Host;

/// <summary>
/// The pieces -L streams a big table through: the service order keys, the reused rows, IPv4
/// addresses formatted without libc, and -R's line splitting. Host only: no kernel, no root.
/// </summary>
public sealed class ListingPartsTests
{
    private static readonly Gen<ServiceRow> AnyRow =
        from kind in Gen.Int[0, 2]
        from protocol in Gen.OneOf(Ip.IPPROTO_TCP, Ip.IPPROTO_UDP, Ip.IPPROTO_SCTP)
        from addr in Gen.Frequency((3, Gen.Byte.Array[16]), (1, Gen.OneOf<byte>(0, 1, 127, 128, 200, 255).Array[16]))
        from port in Gen.Frequency((3, Gen.UShort), (1, Gen.OneOf<ushort>(0, 1, 80, 32768, 65535)))
        from mark in Gen.Frequency((3, Gen.UInt[1, 20]), (1, Gen.UInt), (1, Gen.OneOf(0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu)))
        select Row(kind, protocol, addr, port, mark);

    [Fact]
    public void Service_order_keys_compare_as_ipvs_cmp_services()
    {
        Gen.Select(AnyRow, AnyRow).Sample((a, b) =>
        {
            Assert.Equal(Reference(a, b), ServiceSortKey.Compare(ServiceSortKey.Of(a, 0), ServiceSortKey.Of(b, 1)));
            Assert.Equal(Reference(a, b), TableSorter.CompareServices(a, b));
        }, iter: 20000);
    }

    [Fact]
    public void A_table_sorted_by_keys_is_in_the_order_rows_sort_in()
    {
        AnyRow.Array[0, 60].Sample(rows =>
        {
            var byRow = (ServiceRow[])rows.Clone();
            TableSorter.Sort(byRow, Reference);
            var keys = rows.Select(ServiceSortKey.Of).ToArray();
            TableSorter.Sort(keys, ServiceSortKey.Compare);
            Assert.Equal(byRow, keys.Select(k => rows[k.Index]));
        }, iter: 2000);
    }

    [Fact]
    public void A_reused_service_row_holds_nothing_of_the_service_before()
    {
        var services = new[]
        {
            Info(new VirtualService(ServiceKey.Parse("udp:[2001:db8::7]:53")) { Scheduler = "sh", Flags = ServiceFlags.OnePacket, PersistenceTimeout = 60, PersistenceEngine = "sip" }),
            Info(new VirtualService(ServiceKey.ForFirewallMark(9)) { Scheduler = "rr" }),
            Info(new VirtualService(ServiceKey.Parse("tcp:10.0.0.1:80"))),
            Info(new VirtualService(ServiceKey.ForFirewallMark(3, AddressFamily.InterNetworkV6)) { PersistenceTimeout = 5, Netmask = Netmask.FromPrefixLength(64, AddressFamily.InterNetworkV6) }),
        };
        var reused = new ServiceRow();
        foreach (var before in services)
        {
            foreach (var info in services)
            {
                reused.Load(before);
                Assert.Equal(Fields(ServiceRow.From(info)), Fields(reused.Load(info)));
            }
        }
    }

    [Fact]
    public void IPv4_addresses_are_written_as_inet_ntop_writes_them()
    {
        var chars = new char[64];
        for (int b = 0; b < 256; b++)
        {
            foreach (byte[] a in new[] { new byte[] { (byte)b, 0, 0, 0 }, [0, (byte)b, 10, 100], [255, 9, 99, (byte)b] })
            {
                int n = NameResolver.DottedQuad(a, chars);
                Assert.Equal(NetDb.InetNtop(NetDb.AF_INET, a), new string(chars, 0, n));
            }
        }
        Gen.Byte.Array[4].Sample(a =>
        {
            var line = new char[64];
            int n = NameResolver.AddrPortNumeric(Ip.AF_INET, a, 8080, line);
            Assert.Equal(NetDb.InetNtop(NetDb.AF_INET, a) + ":8080", new string(line, 0, n));
        }, iter: 2000);
    }

    [Fact]
    public void Script_lines_are_split_into_words_as_before()
    {
        string script = "-A -t 10.0.0.1:80 -s rr\n\n  # a comment\nipvsadm -a\t-t 10.0.0.1:80 ipvsadm -r 1.2.3.4:80 # rest\r\n\r\n"
            + "-D -t " + new string('x', 4100) + "\n-C";
        var lines = RestoreScript.Split(Encoding.Latin1.GetBytes(script));

        Assert.Equal([1, 4, 6, 7], lines.Select(l => l.Number));
        Assert.Equal(["-A", "-t", "10.0.0.1:80", "-s", "rr"], lines[0].Words);
        Assert.Equal(["-a", "-t", "10.0.0.1:80", "-r", "1.2.3.4:80"], lines[1].Words);
        Assert.Equal("ipvsadm -a\t-t 10.0.0.1:80 ipvsadm -r 1.2.3.4:80 # rest", lines[1].Text);
        Assert.Equal(["-D", "-t", new string('x', 4096), "xxxx"], lines[2].Words);
        Assert.Equal(["-C"], lines[3].Words);
        Assert.Equal(lines.Select(l => (l.Number, string.Join(' ', l.Words))),
            RestoreScript.Lines(Encoding.Latin1.GetBytes(script), withText: false).Select(l => (l.Number, string.Join(' ', l.Words))));
    }

    private static ServiceRow Row(int kind, ushort protocol, byte[] addr, ushort port, uint mark)
    {
        var row = new ServiceRow { Af = kind == 1 ? Ip.AF_INET6 : Ip.AF_INET };
        if (kind == 2)
        {
            row.Fwmark = mark;
            row.Af = mark % 2 == 0 ? Ip.AF_INET : Ip.AF_INET6;
            return row;
        }
        row.Protocol = protocol;
        row.Port = port;
        addr.AsSpan(0, kind == 1 ? 16 : 4).CopyTo(row.Addr);
        return row;
    }

    // ipvs_cmp_services() as ipvsadm's libipvs has it, on rows.
    private static int Reference(ServiceRow s1, ServiceRow s2)
    {
        int r = unchecked((int)(s1.Fwmark - s2.Fwmark));
        if (r != 0)
        {
            return r;
        }
        r = s1.Af - s2.Af;
        if (r != 0)
        {
            return r;
        }
        r = s1.Protocol - s2.Protocol;
        if (r != 0)
        {
            return r;
        }
        if (s1.Af == Ip.AF_INET6)
        {
            for (int i = 0; r == 0 && i < 4; i++)
            {
                r = unchecked((int)(Word(s1.Addr, i) - Word(s2.Addr, i)));
            }
        }
        else
        {
            r = unchecked((int)(Word(s1.Addr, 0) - Word(s2.Addr, 0)));
        }
        return r != 0 ? r : s1.Port - s2.Port;

        static uint Word(byte[] a, int i) => (uint)(a[4 * i] << 24 | a[(4 * i) + 1] << 16 | a[(4 * i) + 2] << 8 | a[(4 * i) + 3]);
    }

    private static VirtualServiceInfo Info(VirtualService service) =>
        new(service, new IpvsStats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));

    private static string Fields(ServiceRow row) => string.Join(", ", typeof(ServiceRow).GetFields().Select(f => f.GetValue(row) switch
    {
        byte[] b => $"{f.Name}=[{string.Join(' ', b)}]",
        var v => $"{f.Name}={v}",
    }));
}
