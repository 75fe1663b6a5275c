using Ipvs.KernelTests.Infrastructure;
using Ipvs.Model;
using static Ipvs.KernelTests.Infrastructure.KernelLab;

namespace Ipvs.KernelTests;

/// <summary>Whole-table operations: info, timeouts, flush, zero.</summary>
public sealed class TableTests
{
    [Fact]
    public async Task Info_ReportsIpvs121_AndTheConnectionTableSize()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        var info = await client.GetInfoAsync(Ct);
        Assert.Equal(new Version(1, 2, 1), info.Version);
        // ipvsadm's header carries both numbers.
        var header = (await ns.IpvsadmOkAsync("-Ln"))[0];
        Assert.Equal($"IP Virtual Server version {info.Version} (size={info.ConnectionTableSize})", header);
        Assert.Equal(Lines.Header, header);
        Assert.True(client.Capabilities.TunnelFlags, $"the lab kernel {client.Capabilities.KernelVersion} has every feature");
    }

    [Fact]
    public async Task Timeouts_GetAndSet_ZeroLeavesAValueUnchanged_BothWays()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        Assert.Equal(Timeouts.FromSeconds(900, 120, 300), await client.GetTimeoutsAsync(Ct));
        Lines.Equal(["Timeout (tcp tcpfin udp): 900 120 300"], await ns.IpvsadmOkAsync("-Ln", "--timeout"));

        await client.SetTimeoutsAsync(Timeouts.FromSeconds(1000, 0, 45), Ct);
        Assert.Equal(Timeouts.FromSeconds(1000, 120, 45), await client.GetTimeoutsAsync(Ct));
        Lines.Equal(["Timeout (tcp tcpfin udp): 1000 120 45"], await ns.IpvsadmOkAsync("-Ln", "--timeout"));

        await client.SetTimeoutsAsync(Timeouts.FromSeconds(0, 30, 0), Ct);
        Lines.Equal(["Timeout (tcp tcpfin udp): 1000 30 45"], await ns.IpvsadmOkAsync("-Ln", "--timeout"));

        // ipvsadm writes, the library reads.
        await ns.IpvsadmOkAsync("--set", "7200", "0", "60");
        Assert.Equal(Timeouts.FromSeconds(7200, 30, 60), await client.GetTimeoutsAsync(Ct));

        // All zero changes nothing; timeouts are per namespace.
        await client.SetTimeoutsAsync(Timeouts.FromSeconds(0, 0, 0), Ct);
        Assert.Equal(Timeouts.FromSeconds(7200, 30, 60), await client.GetTimeoutsAsync(Ct));
        await using var other = await Netns.CreateAsync();
        using var otherClient = other.OpenClient();
        Assert.Equal(Timeouts.FromSeconds(900, 120, 300), await otherClient.GetTimeoutsAsync(Ct));
    }

    [Fact]
    public async Task Flush_EmptiesTheTable_ButKeepsTimeouts()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        await ns.RestoreAsync(
        [
            "-A -t 10.0.0.1:80 -s rr",
            "-a -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 1",
            "-A -u [2001:db8::1]:53 -s wrr",
            "-a -u [2001:db8::1]:53 -r [2001:db8::2]:53 -m -w 2",
            "-A -f 3 -s sh",
        ]);
        await ns.IpvsadmOkAsync("--set", "111", "22", "33");
        Assert.Equal(3, (await client.GetTableAsync(Ct)).Count);

        await client.FlushAsync(Ct);
        Assert.Empty(await ns.SaveAsync());
        Assert.Empty(await client.GetServicesAsync(Ct));
        Assert.Empty(await client.GetTableAsync(Ct));
        Assert.Equal(Timeouts.FromSeconds(111, 22, 33), await client.GetTimeoutsAsync(Ct));

        // Flushing an empty table is fine, and the table is usable afterwards.
        await client.FlushAsync(Ct);
        await client.AddServiceAsync(new VirtualService(ServiceKey.Tcp("10.0.0.1:80")), Ct);
        Lines.Equal(["-A -t 10.0.0.1:80 -s wlc"], await ns.SaveAsync());
    }

    [Fact]
    public async Task Zero_OneService_AndAll_Succeed_OnAnIdleTable()
    {
        // Counters of real traffic are covered by StatisticsTests; here zeroing is checked for the
        // request itself: a service by key, a fwmark service, IPv6, and everything.
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        var keys = new[] { ServiceKey.Tcp("10.0.0.1:80"), ServiceKey.Udp("[2001:db8::1]:53"), ServiceKey.ForFirewallMark(4), ServiceKey.ForFirewallMark(5, System.Net.Sockets.AddressFamily.InterNetworkV6) };
        foreach (var k in keys)
        {
            await client.AddServiceAsync(new VirtualService(k), Ct);
        }
        var before = await ns.SaveAsync();
        foreach (var k in keys)
        {
            await client.ZeroAsync(k, Ct);
        }
        await client.ZeroAsync(cancellationToken: Ct);
        Lines.Equal(before, await ns.SaveAsync());
        Assert.All(await client.GetServicesAsync(Ct), s => Assert.Equal(default, s.Stats));
    }
}
