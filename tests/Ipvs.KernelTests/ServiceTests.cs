using System.Net;
using System.Net.Sockets;
using Ipvs.KernelTests.Infrastructure;
using Ipvs.Model;
using static Ipvs.KernelTests.Infrastructure.KernelLab;

namespace Ipvs.KernelTests;

/// <summary>Virtual services, written by one side and read by the other: the library and ipvsadm.</summary>
public sealed class ServiceTests
{
    private static readonly IPAddress Mask24 = IPAddress.Parse("255.255.255.0");

    [Fact]
    public async Task LibraryWritesServices_IpvsadmReadsThemExactly()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();

        // (service, ipvsadm -Sn rule, ipvsadm -Ln --exact --thresholds line)
        (VirtualService Service, string Rule, string Listing)[] cases =
        [
            (Svc("tcp:10.0.0.1:80", "rr"), "-A -t 10.0.0.1:80 -s rr", "TCP  10.0.0.1:80 rr"),
            (Svc("tcp:10.0.0.2:80", "wrr"), "-A -t 10.0.0.2:80 -s wrr", "TCP  10.0.0.2:80 wrr"),
            (Svc("tcp:10.0.0.3:80", "lc"), "-A -t 10.0.0.3:80 -s lc", "TCP  10.0.0.3:80 lc"),
            (Svc("tcp:10.0.0.4:80", "wlc"), "-A -t 10.0.0.4:80 -s wlc", "TCP  10.0.0.4:80 wlc"),
            (Svc("tcp:10.0.0.5:80", "lblc"), "-A -t 10.0.0.5:80 -s lblc", "TCP  10.0.0.5:80 lblc"),
            (Svc("tcp:10.0.0.6:80", "lblcr"), "-A -t 10.0.0.6:80 -s lblcr", "TCP  10.0.0.6:80 lblcr"),
            (Svc("tcp:10.0.0.7:80", "dh"), "-A -t 10.0.0.7:80 -s dh", "TCP  10.0.0.7:80 dh"),
            (Svc("tcp:10.0.0.8:80", "sh") with { Flags = ServiceFlags.ShFallback | ServiceFlags.ShPort },
                "-A -t 10.0.0.8:80 -s sh -b sh-fallback,sh-port", "TCP  10.0.0.8:80 sh (sh-fallback,sh-port)"),
            (Svc("tcp:10.0.0.9:80", "sed"), "-A -t 10.0.0.9:80 -s sed", "TCP  10.0.0.9:80 sed"),
            (Svc("tcp:10.0.0.10:80", "nq"), "-A -t 10.0.0.10:80 -s nq", "TCP  10.0.0.10:80 nq"),
            (Svc("tcp:10.0.0.11:80", "fo"), "-A -t 10.0.0.11:80 -s fo", "TCP  10.0.0.11:80 fo"),
            (Svc("tcp:10.0.0.12:80", "ovf"), "-A -t 10.0.0.12:80 -s ovf", "TCP  10.0.0.12:80 ovf"),
            (Svc("tcp:10.0.0.13:80", "mh") with { Flags = ServiceFlags.MhFallback | ServiceFlags.MhPort },
                "-A -t 10.0.0.13:80 -s mh -b mh-fallback,mh-port", "TCP  10.0.0.13:80 mh (mh-fallback,mh-port)"),
            (Svc("udp:10.0.1.1:53", "rr") with { Flags = ServiceFlags.OnePacket },
                "-A -u 10.0.1.1:53 -s rr -o", "UDP  10.0.1.1:53 rr ops"),
            (Svc("sctp:10.0.1.1:9999", "wlc"), "-A --sctp-service 10.0.1.1:9999 -s wlc", "SCTP 10.0.1.1:9999 wlc"),
            (Svc("tcp:10.0.1.2:443", "lc") with { PersistenceTimeout = 600, Netmask = Netmask.FromIPv4Mask(Mask24) },
                "-A -t 10.0.1.2:443 -s lc -p 600 -M 255.255.255.0", "TCP  10.0.1.2:443 lc persistent 600 mask 255.255.255.0"),
            (Svc("tcp:10.0.1.4:0", "wlc") with { PersistenceTimeout = 300 },
                "-A -t 10.0.1.4:0 -s wlc -p 300", "TCP  10.0.1.4:0 wlc persistent 300"),
            (Svc("udp:10.0.1.3:5060", "rr") with { PersistenceTimeout = 60, PersistenceEngine = "sip" },
                "-A -u 10.0.1.3:5060 -s rr -p 60 --pe sip", "UDP  10.0.1.3:5060 rr persistent 60 pe sip"),
            (Svc("udp:10.0.1.5:53", "mh") with { PersistenceTimeout = 60, Flags = ServiceFlags.OnePacket | ServiceFlags.MhPort },
                "-A -u 10.0.1.5:53 -s mh -p 60 -o -b mh-port", "UDP  10.0.1.5:53 mh (mh-port) persistent 60 ops"),
            (Svc("tcp:10.0.1.6:80", "rr") with { Flags = ServiceFlags.SchedulerFlag3 },
                "-A -t 10.0.1.6:80 -s rr -b flag-3", "TCP  10.0.1.6:80 rr (flag-3)"),
            (Svc("tcp:[2001:db8::1]:80", "wrr") with { PersistenceTimeout = 100, Netmask = Netmask.FromPrefixLength(64, AddressFamily.InterNetworkV6) },
                "-A -t [2001:db8::1]:80 -s wrr -p 100 -M 64", "TCP  [2001:db8::1]:80 wrr persistent 100 mask 64"),
            (Svc("udp:[2001:db8::1]:53", "rr"), "-A -u [2001:db8::1]:53 -s rr", "UDP  [2001:db8::1]:53 rr"),
            (Svc("sctp:[2001:db8::2]:5000", "sh") with { Flags = ServiceFlags.ShFallback },
                "-A --sctp-service [2001:db8::2]:5000 -s sh -b sh-fallback", "SCTP [2001:db8::2]:5000 sh (sh-fallback)"),
            (Svc("fwmark:7", "dh"), "-A -f 7 -s dh", "FWM  7 dh"),
            (Svc("fwmark6:8", "sed") with { PersistenceTimeout = 30 }, "-A -f 8 -6 -s sed -p 30", "FWM  8 IPv6 sed persistent 30"),
        ];
        foreach (var c in cases)
        {
            await client.AddServiceAsync(c.Service, Ct);
        }

        Lines.SameSet(cases.Select(c => c.Rule), await ns.SaveAsync(), "ipvsadm -Sn");
        Lines.Equal(
            [.. Lines.ThresholdsHeader, .. cases.AsIpvsadm(c => c.Service.Key).Select(c => c.Listing)],
            await ns.IpvsadmOkAsync("-Ln", "--exact", "--thresholds"),
            "ipvsadm -Ln --exact --thresholds");

        // And the library reads back what it wrote, field for field.
        var read = await client.GetServicesAsync(Ct);
        AssertSameServices(cases.Select(c => c.Service), read.Select(r => r.Service));
        foreach (var c in cases)
        {
            var one = await client.GetServiceAsync(c.Service.Key, Ct);
            Assert.Equal(c.Service, one.Service);
        }
    }

    [Fact]
    public async Task IpvsadmWritesServices_LibraryReadsThemExactly()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();

        (string[] Command, VirtualService Expected)[] cases =
        [
            (["-A", "-t", "10.1.0.1:80", "-s", "rr"], Svc("tcp:10.1.0.1:80", "rr")),
            (["-A", "-t", "10.1.0.2:80"], Svc("tcp:10.1.0.2:80", "wlc")),
            (["-A", "-u", "10.1.0.3:53", "-s", "wrr", "-o"], Svc("udp:10.1.0.3:53", "wrr") with { Flags = ServiceFlags.OnePacket }),
            (["-A", "--sctp-service", "10.1.0.4:9", "-s", "sh", "-b", "sh-fallback,sh-port"],
                Svc("sctp:10.1.0.4:9", "sh") with { Flags = ServiceFlags.ShFallback | ServiceFlags.ShPort }),
            (["-A", "-t", "10.1.0.5:443", "-s", "lc", "-p", "600", "-M", "255.255.255.0"],
                Svc("tcp:10.1.0.5:443", "lc") with { PersistenceTimeout = 600, Netmask = Netmask.FromIPv4Mask(Mask24) }),
            (["-A", "-t", "10.1.0.6:443", "-p"], Svc("tcp:10.1.0.6:443", "wlc") with { PersistenceTimeout = 360 }),
            (["-A", "-t", "[2001:db8::1]:80", "-s", "mh", "-b", "mh-fallback", "-p", "100", "-M", "64"],
                Svc("tcp:[2001:db8::1]:80", "mh") with { Flags = ServiceFlags.MhFallback, PersistenceTimeout = 100, Netmask = Netmask.FromPrefixLength(64, AddressFamily.InterNetworkV6) }),
            (["-A", "-u", "[2001:db8::1]:53", "-s", "nq"], Svc("udp:[2001:db8::1]:53", "nq")),
            (["-A", "--sctp-service", "[2001:db8::2]:5000", "-s", "lblcr", "-p", "10"], Svc("sctp:[2001:db8::2]:5000", "lblcr") with { PersistenceTimeout = 10 }),
            (["-A", "-f", "7", "-s", "dh"], Svc("fwmark:7", "dh")),
            (["-A", "-f", "8", "-6", "-s", "sed", "-p", "30"], Svc("fwmark6:8", "sed") with { PersistenceTimeout = 30 }),
            (["-A", "-f", "9", "-6", "-s", "lblc", "-p", "40", "-M", "48"],
                Svc("fwmark6:9", "lblc") with { PersistenceTimeout = 40, Netmask = Netmask.FromPrefixLength(48, AddressFamily.InterNetworkV6) }),
            (["-A", "-u", "10.1.0.7:5060", "-p", "60", "--pe", "sip", "-s", "rr"],
                Svc("udp:10.1.0.7:5060", "rr") with { PersistenceTimeout = 60, PersistenceEngine = "sip" }),
            (["-A", "-t", "10.1.0.8:80", "-s", "mh", "-b", "mh-port"], Svc("tcp:10.1.0.8:80", "mh") with { Flags = ServiceFlags.MhPort }),
            (["-A", "-t", "10.1.0.9:80", "-s", "rr", "-b", "flag-3"], Svc("tcp:10.1.0.9:80", "rr") with { Flags = ServiceFlags.SchedulerFlag3 }),
            (["-A", "-t", "10.1.0.10:80", "-s", "ovf"], Svc("tcp:10.1.0.10:80", "ovf")),
            (["-A", "-t", "10.1.0.11:80", "-s", "fo"], Svc("tcp:10.1.0.11:80", "fo")),
            // -M without -p: ipvsadm sends the mask anyway and the kernel keeps it.
            (["-A", "-t", "10.1.0.12:80", "-s", "lblc", "-M", "255.255.0.0"],
                Svc("tcp:10.1.0.12:80", "lblc") with { Netmask = Netmask.FromIPv4Mask(IPAddress.Parse("255.255.0.0")) }),
            (["-A", "-u", "10.1.0.13:500", "-s", "wrr", "-p", "70", "-o", "-M", "255.0.0.0"],
                Svc("udp:10.1.0.13:500", "wrr") with { Flags = ServiceFlags.OnePacket, PersistenceTimeout = 70, Netmask = Netmask.FromIPv4Mask(IPAddress.Parse("255.0.0.0")) }),
        ];
        foreach (var c in cases)
        {
            await ns.IpvsadmOkAsync(c.Command);
        }
        AssertSameServices(cases.Select(c => c.Expected), (await client.GetServicesAsync(Ct)).Select(s => s.Service));
        foreach (var c in cases)
        {
            Assert.Equal(c.Expected, (await client.GetServiceAsync(c.Expected.Key, Ct)).Service);
        }

        // ipvsadm -E replaces the settings; the library sees the new ones.
        (string[] Command, VirtualService Expected)[] edits =
        [
            (["-E", "-t", "10.1.0.1:80", "-s", "wrr", "-p", "20"], Svc("tcp:10.1.0.1:80", "wrr") with { PersistenceTimeout = 20 }),
            (["-E", "-t", "10.1.0.5:443", "-s", "sed"], Svc("tcp:10.1.0.5:443", "sed")),
            (["-E", "-f", "8", "-6", "-s", "rr", "-p", "31", "-M", "96"],
                Svc("fwmark6:8", "rr") with { PersistenceTimeout = 31, Netmask = Netmask.FromPrefixLength(96, AddressFamily.InterNetworkV6) }),
            (["-E", "-u", "10.1.0.3:53", "-s", "sh", "-b", "sh-port"], Svc("udp:10.1.0.3:53", "sh") with { Flags = ServiceFlags.ShPort }),
            // -E replaces every setting: without --pe the engine goes.
            (["-E", "-u", "10.1.0.7:5060", "-s", "rr", "-p", "61"], Svc("udp:10.1.0.7:5060", "rr") with { PersistenceTimeout = 61 }),
            (["-E", "-u", "10.1.0.13:500", "-s", "wrr", "-p", "70", "--pe", "sip", "-M", "255.255.255.0"],
                Svc("udp:10.1.0.13:500", "wrr") with { PersistenceTimeout = 70, PersistenceEngine = "sip", Netmask = Netmask.FromIPv4Mask(Mask24) }),
        ];
        foreach (var e in edits)
        {
            await ns.IpvsadmOkAsync(e.Command);
            Assert.Equal(e.Expected, (await client.GetServiceAsync(e.Expected.Key, Ct)).Service);
        }
        var table = await client.GetTableAsync(Ct);
        Assert.Equal(cases.Length, table.Count);
        Assert.All(table, e => Assert.Empty(e.Destinations));
    }

    [Fact]
    public async Task EditAndDeleteServices_PartialEditsKeepTheOtherSettings()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        var sip = Svc("udp:10.2.0.1:5060", "rr") with { PersistenceTimeout = 60, PersistenceEngine = "sip", Flags = ServiceFlags.OnePacket };
        var v6 = Svc("tcp:[2001:db8::1]:80", "mh") with { Flags = ServiceFlags.MhFallback, PersistenceTimeout = 100, Netmask = Netmask.FromPrefixLength(64, AddressFamily.InterNetworkV6) };
        var v4 = Svc("tcp:10.2.0.2:443", "lc") with { PersistenceTimeout = 600, Netmask = Netmask.FromIPv4Mask(Mask24) };
        var fwm = Svc("fwmark:5", "wrr");
        foreach (var s in new[] { sip, v6, v4, fwm })
        {
            await client.AddServiceAsync(s, Ct);
        }
        await client.AddDestinationAsync(v4.Key, new Destination("192.168.0.1:443", 2), Ct);

        // Partial edits: the change function sees the current settings and only one field moves.
        var sipAfter = await client.EditServiceAsync(sip.Key, s => s with { Scheduler = "wrr" }, Ct);
        Assert.Equal(sip with { Scheduler = "wrr" }, sipAfter);
        await client.EditServiceAsync(v6.Key, s => s with { PersistenceTimeout = 50 }, Ct);
        await client.EditServiceAsync(v4.Key, s => s with { Flags = ServiceFlags.SchedulerFlag1 }, Ct);
        // A full edit replaces everything, flags included.
        await client.EditServiceAsync(new VirtualService(fwm.Key) { Scheduler = "sh", Flags = ServiceFlags.ShPort, PersistenceTimeout = 15 }, Ct);

        Lines.SameSet(
            [
                "-A -u 10.2.0.1:5060 -s wrr -p 60 --pe sip -o",
                "-A -t [2001:db8::1]:80 -s mh -p 50 -M 64 -b mh-fallback",
                "-A -t 10.2.0.2:443 -s lc -p 600 -M 255.255.255.0 -b flag-1",
                "-a -t 10.2.0.2:443 -r 192.168.0.1:443 -m -w 2",
                "-A -f 5 -s sh -p 15 -b sh-port",
            ],
            await ns.SaveAsync());

        // Dropping persistence with a full edit really drops it (and the PE with it).
        await client.EditServiceAsync(new VirtualService(sip.Key) { Scheduler = "rr" }, Ct);
        Assert.Equal(new VirtualService(sip.Key) { Scheduler = "rr" }, (await client.GetServiceAsync(sip.Key, Ct)).Service);

        // Deletes: the service goes with its destinations; the rest stays.
        await client.DeleteServiceAsync(v4.Key, Ct);
        await client.DeleteServiceAsync(fwm.Key, Ct);
        Lines.SameSet(["-A -u 10.2.0.1:5060 -s rr", "-A -t [2001:db8::1]:80 -s mh -p 50 -M 64 -b mh-fallback"], await ns.SaveAsync());
        var gone = await Assert.ThrowsAsync<IpvsException>(() => client.GetServiceAsync(v4.Key, Ct));
        Assert.Equal(3, gone.Errno); // ESRCH
        Assert.Equal("No such service", gone.IpvsadmMessage);
    }

    internal static VirtualService Svc(string key, string scheduler) => new(ServiceKey.Parse(key)) { Scheduler = scheduler };

    internal static void AssertSameServices(IEnumerable<VirtualService> expected, IEnumerable<VirtualService> actual)
    {
        var e = expected.OrderBy(s => s.Key.ToString(), StringComparer.Ordinal).ToArray();
        var a = actual.OrderBy(s => s.Key.ToString(), StringComparer.Ordinal).ToArray();
        Assert.Equal(e.Select(s => s.Key.ToString()), a.Select(s => s.Key.ToString()));
        for (int i = 0; i < e.Length; i++)
        {
            Assert.Equal(e[i], a[i]);
        }
    }
}
