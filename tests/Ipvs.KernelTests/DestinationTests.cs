using Ipvs.KernelTests.Infrastructure;
using Ipvs.Model;
using static Ipvs.KernelTests.Infrastructure.KernelLab;

namespace Ipvs.KernelTests;

/// <summary>Real servers of every forwarding method and tunnel kind, both directions.</summary>
public sealed class DestinationTests
{
    private static Destination Tun(string endpoint, TunnelType type, ushort port = 0, TunnelFlags flags = TunnelFlags.NoChecksum, int weight = 1) =>
        new(endpoint, weight, ForwardingMethod.Tunnel) { TunnelType = type, TunnelPort = port, TunnelFlags = flags };

    [Fact]
    public async Task LibraryWritesDestinations_IpvsadmReadsThemExactly()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        var v4 = ServiceKey.Tcp("10.0.0.1:80");
        var v6 = ServiceKey.Tcp("[2001:db8::1]:443");
        var fwm = ServiceKey.ForFirewallMark(7);
        await client.AddServiceAsync(new VirtualService(v4) { Scheduler = "rr" }, Ct);
        await client.AddServiceAsync(new VirtualService(v6) { Scheduler = "wrr" }, Ct);
        await client.AddServiceAsync(new VirtualService(fwm) { Scheduler = "wlc" }, Ct);

        // (service, destination, -Sn rule, dest name, forward column, tunnel column)
        (ServiceKey Svc, Destination Dest, string Rule, string Name, string Fwd, string TunInfo)[] cases =
        [
            (v4, new Destination("192.168.1.1:8080", 3) { UpperThreshold = 100, LowerThreshold = 10 },
                "-a -t 10.0.0.1:80 -r 192.168.1.1:8080 -m -w 3", "192.168.1.1:8080", "Masq", "n/a"),
            (v4, new Destination("192.168.1.2:80", 0, ForwardingMethod.DirectRoute),
                "-a -t 10.0.0.1:80 -r 192.168.1.2:80 -g -w 0", "192.168.1.2:80", "Route", "n/a"),
            (v4, Tun("192.168.1.3:80", TunnelType.IpIp),
                "-a -t 10.0.0.1:80 -r 192.168.1.3:80 -i -w 1 --tun-type ipip", "192.168.1.3:80", "Tunnel", "ipip"),
            (v4, Tun("192.168.1.4:80", TunnelType.Gue, 6080, TunnelFlags.Checksum),
                "-a -t 10.0.0.1:80 -r 192.168.1.4:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum", "192.168.1.4:80", "Tunnel", "gue:6080:+c"),
            (v4, Tun("192.168.1.5:80", TunnelType.Gue, 6081, TunnelFlags.RemoteChecksum, 2),
                "-a -t 10.0.0.1:80 -r 192.168.1.5:80 -i -w 2 --tun-type gue --tun-port 6081 --tun-remcsum", "192.168.1.5:80", "Tunnel", "gue:6081:r+c"),
            (v4, Tun("192.168.1.6:80", TunnelType.Gue, 6082),
                "-a -t 10.0.0.1:80 -r 192.168.1.6:80 -i -w 1 --tun-type gue --tun-port 6082 --tun-nocsum", "192.168.1.6:80", "Tunnel", "gue:6082:-c"),
            (v4, Tun("192.168.1.7:80", TunnelType.Gre, flags: TunnelFlags.Checksum),
                "-a -t 10.0.0.1:80 -r 192.168.1.7:80 -i -w 1 --tun-type gre --tun-csum", "192.168.1.7:80", "Tunnel", "gre:+c"),
            (v4, Tun("192.168.1.8:80", TunnelType.Gre),
                "-a -t 10.0.0.1:80 -r 192.168.1.8:80 -i -w 1 --tun-type gre --tun-nocsum", "192.168.1.8:80", "Tunnel", "gre:-c"),
            (v4, new Destination("192.168.1.9:80", 2, ForwardingMethod.Local),
                "-a -t 10.0.0.1:80 -r 192.168.1.9:80 -g -w 2", "192.168.1.9:80", "Local", "n/a"),
            (v4, new Destination("192.168.1.10:80", int.MaxValue) { UpperThreshold = int.MaxValue, LowerThreshold = int.MaxValue },
                "-a -t 10.0.0.1:80 -r 192.168.1.10:80 -m -w 2147483647", "192.168.1.10:80", "Masq", "n/a"),
            // Another family than the service's: allowed with tunnelling.
            (v4, Tun("[2001:db8::9]:80", TunnelType.IpIp, weight: 4),
                "-a -t 10.0.0.1:80 -r [2001:db8::9]:80 -i -w 4 --tun-type ipip", "[2001:db8::9]:80", "Tunnel", "ipip"),
            (v6, new Destination("[2001:db8::2]:8443", 5) { UpperThreshold = 7 },
                "-a -t [2001:db8::1]:443 -r [2001:db8::2]:8443 -m -w 5", "[2001:db8::2]:8443", "Masq", "n/a"),
            (v6, Tun("10.2.2.2:443", TunnelType.Gue, 5555, TunnelFlags.Checksum),
                "-a -t [2001:db8::1]:443 -r 10.2.2.2:443 -i -w 1 --tun-type gue --tun-port 5555 --tun-csum", "10.2.2.2:443", "Tunnel", "gue:5555:+c"),
            (fwm, new Destination("192.168.2.1:0", 1, ForwardingMethod.DirectRoute),
                "-a -f 7 -r 192.168.2.1:0 -g -w 1", "192.168.2.1:0", "Route", "n/a"),
        ];
        foreach (var c in cases)
        {
            await client.AddDestinationAsync(c.Svc, c.Dest, Ct);
        }

        string[] services = ["-A -t 10.0.0.1:80 -s rr", "-A -t [2001:db8::1]:443 -s wrr", "-A -f 7 -s wlc"];
        Lines.SameSet([.. services, .. cases.Select(c => c.Rule)], await ns.SaveAsync(), "ipvsadm -Sn");

        // Listings: services in ipvsadm's order, destinations sorted by address then port.
        string[] Listing(Func<(ServiceKey Svc, Destination Dest, string Rule, string Name, string Fwd, string TunInfo), string> row) =>
        [
            "TCP  10.0.0.1:80 rr",
            .. cases.Where(c => c.Svc == v4).OrderBy(c => c.Dest.Family).ThenBy(c => c.Dest.Address.GetAddressBytes()[^1]).Select(row),
            "TCP  [2001:db8::1]:443 wrr",
            .. cases.Where(c => c.Svc == v6).OrderBy(c => c.Dest.Family).Select(row),
            "FWM  7 wlc",
            .. cases.Where(c => c.Svc == fwm).Select(row),
        ];
        Lines.Equal([.. Lines.ThresholdsHeader, .. Listing(c => Lines.Thresholds(c.Name, c.Dest.UpperThreshold, c.Dest.LowerThreshold))],
            await ns.IpvsadmOkAsync("-Ln", "--exact", "--thresholds"), "ipvsadm -Ln --exact --thresholds");
        Lines.Equal([.. Lines.PersistentConnHeader, .. Listing(c => Lines.PersistentConn(c.Name, c.Dest.Weight))],
            await ns.IpvsadmOkAsync("-Ln", "--persistent-conn"), "ipvsadm -Ln --persistent-conn");
        Lines.Equal([.. Lines.TunInfoHeader, .. Listing(c => Lines.TunInfo(c.Name, c.Fwd, c.TunInfo, c.Dest.Weight))],
            await ns.IpvsadmOkAsync("-Ln", "--tun-info"), "ipvsadm -Ln --tun-info");

        // The library reads back exactly what it wrote, per service and as a table.
        foreach (var svc in new[] { v4, v6, fwm })
        {
            AssertSameDestinations(cases.Where(c => c.Svc == svc).Select(c => c.Dest), (await client.GetDestinationsAsync(svc, Ct)).Select(d => d.Destination));
        }
        var table = await client.GetTableAsync(Ct);
        Assert.Equal(3, table.Count);
        foreach (var entry in table)
        {
            AssertSameDestinations(cases.Where(c => c.Svc == entry.Key).Select(c => c.Dest), entry.Destinations.Select(d => d.Destination));
            Assert.All(entry.Destinations, d => Assert.Equal((0u, 0u, 0u), (d.ActiveConnections, d.InactiveConnections, d.PersistentConnections)));
        }
    }

    [Fact]
    public async Task IpvsadmWritesDestinations_LibraryReadsThemExactly()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        var v4 = ServiceKey.Tcp("10.0.0.1:80");
        var v6 = ServiceKey.Udp("[2001:db8::1]:53");
        var fwm6 = ServiceKey.ForFirewallMark(9, System.Net.Sockets.AddressFamily.InterNetworkV6);
        await ns.IpvsadmOkAsync("-A", "-t", "10.0.0.1:80", "-s", "wrr");
        await ns.IpvsadmOkAsync("-A", "-u", "[2001:db8::1]:53", "-s", "rr");
        await ns.IpvsadmOkAsync("-A", "-f", "9", "-6", "-s", "sh");

        (string[] Command, ServiceKey Svc, Destination Expected)[] cases =
        [
            (["-a", "-t", "10.0.0.1:80", "-r", "192.168.1.1:8080", "-m", "-w", "3", "-x", "100", "-y", "10"], v4,
                new Destination("192.168.1.1:8080", 3) { UpperThreshold = 100, LowerThreshold = 10 }),
            // DR and tunnel destinations take the service's port, as ipvsadm forces it.
            (["-a", "-t", "10.0.0.1:80", "-r", "192.168.1.2", "-g", "-w", "0"], v4, new Destination("192.168.1.2:80", 0, ForwardingMethod.DirectRoute)),
            (["-a", "-t", "10.0.0.1:80", "-r", "192.168.1.3"], v4, new Destination("192.168.1.3:80", 1, ForwardingMethod.DirectRoute)),
            (["-a", "-t", "10.0.0.1:80", "-r", "192.168.1.4", "-i"], v4, Tun("192.168.1.4:80", TunnelType.IpIp)),
            (["-a", "-t", "10.0.0.1:80", "-r", "192.168.1.5", "-i", "--tun-type", "gue", "--tun-port", "6080", "--tun-nocsum"], v4,
                Tun("192.168.1.5:80", TunnelType.Gue, 6080)),
            (["-a", "-t", "10.0.0.1:80", "-r", "192.168.1.6", "-i", "--tun-type", "gue", "--tun-port", "6080", "--tun-csum"], v4,
                Tun("192.168.1.6:80", TunnelType.Gue, 6080, TunnelFlags.Checksum)),
            (["-a", "-t", "10.0.0.1:80", "-r", "192.168.1.7", "-i", "--tun-type", "gue", "--tun-port", "6080", "--tun-remcsum", "-w", "9"], v4,
                Tun("192.168.1.7:80", TunnelType.Gue, 6080, TunnelFlags.RemoteChecksum, 9)),
            (["-a", "-t", "10.0.0.1:80", "-r", "192.168.1.8", "-i", "--tun-type", "gre"], v4, Tun("192.168.1.8:80", TunnelType.Gre)),
            (["-a", "-t", "10.0.0.1:80", "-r", "192.168.1.9", "-i", "--tun-type", "gre", "--tun-csum"], v4, Tun("192.168.1.9:80", TunnelType.Gre, flags: TunnelFlags.Checksum)),
            (["-a", "-t", "10.0.0.1:80", "-r", "192.168.1.10:81", "-m", "-w", "65535", "-x", "2147483647", "-y", "5"], v4,
                new Destination("192.168.1.10:81", 65535) { UpperThreshold = int.MaxValue, LowerThreshold = 5 }),
            (["-a", "-t", "10.0.0.1:80", "-r", "2001:db8::9", "-i"], v4, Tun("[2001:db8::9]:80", TunnelType.IpIp)),
            (["-a", "-t", "10.0.0.1:80", "-r", "2001:db8::a", "-i", "--tun-type", "gue", "--tun-port", "7777"], v4, Tun("[2001:db8::a]:80", TunnelType.Gue, 7777)),
            (["-a", "-u", "[2001:db8::1]:53", "-r", "[2001:db8::2]:5353", "-m", "-w", "5", "-x", "8"], v6,
                new Destination("[2001:db8::2]:5353", 5) { UpperThreshold = 8 }),
            (["-a", "-u", "[2001:db8::1]:53", "-r", "10.3.3.3", "-i", "--tun-type", "gre", "--tun-csum"], v6,
                Tun("10.3.3.3:53", TunnelType.Gre, flags: TunnelFlags.Checksum)),
            (["-a", "-f", "9", "-6", "-r", "2001:db8::3", "-g", "-w", "4"], fwm6, new Destination("[2001:db8::3]:0", 4, ForwardingMethod.DirectRoute)),
        ];
        foreach (var c in cases)
        {
            await ns.IpvsadmOkAsync(c.Command);
        }
        foreach (var svc in new[] { v4, v6, fwm6 })
        {
            AssertSameDestinations(cases.Where(c => c.Svc == svc).Select(c => c.Expected), (await client.GetDestinationsAsync(svc, Ct)).Select(d => d.Destination));
        }

        // ipvsadm -e replaces a destination's settings, ipvsadm -d removes it.
        await ns.IpvsadmOkAsync("-e", "-t", "10.0.0.1:80", "-r", "192.168.1.1:8080", "-m", "-w", "9", "-x", "50", "-y", "5");
        await ns.IpvsadmOkAsync("-e", "-t", "10.0.0.1:80", "-r", "192.168.1.5", "-i", "--tun-type", "gue", "--tun-port", "7000", "--tun-csum");
        await ns.IpvsadmOkAsync("-e", "-t", "10.0.0.1:80", "-r", "192.168.1.3", "-i", "-w", "6");
        await ns.IpvsadmOkAsync("-e", "-u", "[2001:db8::1]:53", "-r", "[2001:db8::2]:5353", "-m", "-w", "0");
        await ns.IpvsadmOkAsync("-d", "-t", "10.0.0.1:80", "-r", "192.168.1.2");
        await ns.IpvsadmOkAsync("-d", "-t", "10.0.0.1:80", "-r", "2001:db8::9");
        var after = cases
            .Where(c => c.Expected.Key != DestinationKey.Parse("192.168.1.2:80") && c.Expected.Key != DestinationKey.Parse("[2001:db8::9]:80"))
            .Select(c => (c.Svc, Dest: c.Expected.Key.ToString() switch
            {
                "192.168.1.1:8080" => c.Expected with { Weight = 9, UpperThreshold = 50, LowerThreshold = 5 },
                "192.168.1.5:80" => Tun("192.168.1.5:80", TunnelType.Gue, 7000, TunnelFlags.Checksum),
                "192.168.1.3:80" => Tun("192.168.1.3:80", TunnelType.IpIp, weight: 6),
                "[2001:db8::2]:5353" => new Destination("[2001:db8::2]:5353", 0),
                _ => c.Expected,
            }))
            .ToArray();
        var table = await client.GetTableAsync(Ct);
        Assert.Equal(3, table.Count);
        foreach (var entry in table)
        {
            AssertSameDestinations(after.Where(a => a.Svc == entry.Key).Select(a => a.Dest), entry.Destinations.Select(d => d.Destination));
        }
    }

    [Fact]
    public async Task EditAndDeleteDestinations_PartialEditsKeepTheOtherSettings()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        var svc = ServiceKey.Tcp("10.0.0.1:80");
        await client.AddServiceAsync(new VirtualService(svc) { Scheduler = "wlc" }, Ct);
        var masq = new Destination("192.168.1.1:8080", 3) { UpperThreshold = 100, LowerThreshold = 10 };
        var gue = Tun("192.168.1.2:80", TunnelType.Gue, 6080, TunnelFlags.RemoteChecksum, 4);
        var dr = new Destination("192.168.1.3:80", 1, ForwardingMethod.DirectRoute);
        foreach (var d in new[] { masq, gue, dr })
        {
            await client.AddDestinationAsync(svc, d, Ct);
        }

        var masqAfter = await client.EditDestinationAsync(svc, masq.Key, d => d with { Weight = 7 }, Ct);
        Assert.Equal(masq with { Weight = 7 }, masqAfter);
        await client.EditDestinationAsync(svc, gue.Key, d => d with { TunnelPort = 7070 }, Ct);
        // A full edit may change the forwarding method, too.
        await client.EditDestinationAsync(svc, new Destination("192.168.1.3:80", 2, ForwardingMethod.Masquerade) { UpperThreshold = 9 }, Ct);

        Lines.SameSet(
            [
                "-A -t 10.0.0.1:80 -s wlc",
                "-a -t 10.0.0.1:80 -r 192.168.1.1:8080 -m -w 7",
                "-a -t 10.0.0.1:80 -r 192.168.1.2:80 -i -w 4 --tun-type gue --tun-port 7070 --tun-remcsum",
                "-a -t 10.0.0.1:80 -r 192.168.1.3:80 -m -w 2",
            ],
            await ns.SaveAsync());
        Lines.Equal(
            [
                .. Lines.ThresholdsHeader,
                "TCP  10.0.0.1:80 wlc",
                Lines.Thresholds("192.168.1.1:8080", 100, 10),
                Lines.Thresholds("192.168.1.2:80", 0, 0),
                Lines.Thresholds("192.168.1.3:80", 9, 0),
            ],
            await ns.IpvsadmOkAsync("-Ln", "--exact", "--thresholds"));

        await client.DeleteDestinationAsync(svc, gue.Key, Ct);
        await client.DeleteDestinationAsync(svc, DestinationKey.Parse("192.168.1.3:80"), Ct);
        Lines.SameSet(["-A -t 10.0.0.1:80 -s wlc", "-a -t 10.0.0.1:80 -r 192.168.1.1:8080 -m -w 7"], await ns.SaveAsync());
        AssertSameDestinations([masq with { Weight = 7 }], (await client.GetDestinationsAsync(svc, Ct)).Select(d => d.Destination));
    }

    [Fact]
    public async Task MixedFamilyDestinations_TunnelOnly_MasqueradeRefusedBeforeSending()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        var v4 = ServiceKey.Tcp("10.0.0.1:80");
        var v6 = ServiceKey.Tcp("[2001:db8::1]:80");
        await client.AddServiceAsync(new VirtualService(v4), Ct);
        await client.AddServiceAsync(new VirtualService(v6), Ct);
        await client.AddDestinationAsync(v4, Tun("[2001:db8::5]:80", TunnelType.Gre, flags: TunnelFlags.Checksum), Ct);
        await client.AddDestinationAsync(v6, Tun("10.9.9.9:80", TunnelType.IpIp), Ct);
        var before = await ns.SaveAsync();
        Lines.SameSet(
            [
                "-A -t 10.0.0.1:80 -s wlc",
                "-a -t 10.0.0.1:80 -r [2001:db8::5]:80 -i -w 1 --tun-type gre --tun-csum",
                "-A -t [2001:db8::1]:80 -s wlc",
                "-a -t [2001:db8::1]:80 -r 10.9.9.9:80 -i -w 1 --tun-type ipip",
            ],
            before);

        foreach (var fwd in new[] { ForwardingMethod.Masquerade, ForwardingMethod.DirectRoute, ForwardingMethod.Local })
        {
            await Assert.ThrowsAsync<ArgumentException>(() => client.AddDestinationAsync(v4, new Destination("[2001:db8::6]:80", 1, fwd), Ct));
            await Assert.ThrowsAsync<ArgumentException>(() => client.AddDestinationAsync(v6, new Destination("10.9.9.8:80", 1, fwd), Ct));
        }
        // Editing an existing mixed-family tunnel into masquerading is refused the same way.
        await Assert.ThrowsAsync<ArgumentException>(() => client.EditDestinationAsync(v4, DestinationKey.Parse("[2001:db8::5]:80"), d => d with { Forwarding = ForwardingMethod.Masquerade }, Ct));
        Lines.Equal(before, await ns.SaveAsync(), "table after refused mixed-family destinations");

        // ipvsadm refuses the same thing.
        var refused = await ns.IpvsadmAsync("-a", "-t", "10.0.0.1:80", "-r", "[2001:db8::6]:80", "-m");
        Assert.NotEqual(0, refused.ExitCode);
        Lines.Equal(before, await ns.SaveAsync());
    }

    internal static void AssertSameDestinations(IEnumerable<Destination> expected, IEnumerable<Destination> actual)
    {
        var e = expected.OrderBy(d => d.Key.ToString(), StringComparer.Ordinal).ToArray();
        var a = actual.OrderBy(d => d.Key.ToString(), StringComparer.Ordinal).ToArray();
        Assert.Equal(e.Select(d => d.Key.ToString()), a.Select(d => d.Key.ToString()));
        for (int i = 0; i < e.Length; i++)
        {
            Assert.Equal(e[i], a[i]);
        }
    }
}
