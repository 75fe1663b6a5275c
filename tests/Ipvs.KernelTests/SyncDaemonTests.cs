using System.Net;
using Ipvs.KernelTests.Infrastructure;
using Ipvs.Model;
using static Ipvs.KernelTests.Infrastructure.KernelLab;

namespace Ipvs.KernelTests;

/// <summary>Connection synchronisation daemons, started and stopped by either side.</summary>
public sealed class SyncDaemonTests
{
    [Fact]
    public async Task LibraryStartsListsAndStopsDaemons_IpvsadmAgrees()
    {
        await using var ns = await Netns.CreateAsync(dummyInterface: true);
        using var client = ns.OpenClient();
        Assert.Empty(await client.GetSyncDaemonsAsync(Ct));

        var master = new SyncDaemon(SyncDaemonState.Master, "d0") { SyncId = 5, MulticastGroup = IPAddress.Parse("239.1.1.1"), MulticastPort = 9000, MulticastTtl = 3 };
        var backup = new SyncDaemon(SyncDaemonState.Backup, "lo") { SyncId = 9 };
        await client.StartSyncDaemonAsync(master, Ct);
        await client.StartSyncDaemonAsync(backup, Ct);

        // The kernel reports its effective values: defaults filled in, maxlen from the MTU.
        Assert.Equal(
            [
                master with { MaxLength = 1472 },
                backup with { MaxLength = 65507, MulticastGroup = IPAddress.Parse("224.0.0.81"), MulticastPort = 8848, MulticastTtl = 1 },
            ],
            await client.GetSyncDaemonsAsync(Ct));
        Lines.Equal(
            [
                "master sync daemon (mcast=d0, syncid=5, maxlen=1472, group=239.1.1.1, port=9000, ttl=3)",
                "backup sync daemon (mcast=lo, syncid=9, maxlen=65507, group=224.0.0.81, port=8848, ttl=1)",
            ],
            await ns.IpvsadmOkAsync("-L", "--daemon"));

        // A second master is refused, by the library and by ipvsadm alike.
        var twice = await Assert.ThrowsAsync<IpvsException>(() => client.StartSyncDaemonAsync(new SyncDaemon(SyncDaemonState.Master, "d0"), Ct));
        Assert.Equal(17, twice.Errno);
        Assert.Equal("Daemon has already run", twice.IpvsadmMessage);
        var r = await ns.IpvsadmAsync("--start-daemon", "master", "--mcast-interface", "d0");
        Assert.Equal(["Daemon has already run"], r.ErrorLines);

        await client.StopSyncDaemonAsync(SyncDaemonState.Master, Ct);
        Lines.Equal(["backup sync daemon (mcast=lo, syncid=9, maxlen=65507, group=224.0.0.81, port=8848, ttl=1)"], await ns.IpvsadmOkAsync("-L", "--daemon"));
        await client.StopSyncDaemonAsync(SyncDaemonState.Backup, Ct);
        Assert.Empty(await ns.IpvsadmOkAsync("-L", "--daemon"));
        Assert.Empty(await client.GetSyncDaemonsAsync(Ct));
        var none = await Assert.ThrowsAsync<IpvsException>(() => client.StopSyncDaemonAsync(SyncDaemonState.Backup, Ct));
        Assert.Equal((3, "No daemon is running"), (none.Errno, none.IpvsadmMessage));

        // IPv6 group and an explicit maximum length.
        var v6 = new SyncDaemon(SyncDaemonState.Master, "d0") { MulticastGroup = IPAddress.Parse("ff02::1:5"), MaxLength = 1000 };
        await client.StartSyncDaemonAsync(v6, Ct);
        Assert.Equal([v6 with { MulticastPort = 8848, MulticastTtl = 1 }], await client.GetSyncDaemonsAsync(Ct));
        Lines.Equal(["master sync daemon (mcast=d0, syncid=0, maxlen=1000, group=ff02::1:5, port=8848, ttl=1)"], await ns.IpvsadmOkAsync("-L", "--daemon"));

        // An interface that does not exist: ENODEV, worded as strerror, as ipvsadm does.
        var nodev = await Assert.ThrowsAsync<IpvsException>(() => client.StartSyncDaemonAsync(new SyncDaemon(SyncDaemonState.Backup, "nosuch0"), Ct));
        Assert.Equal(19, nodev.Errno);
        var nodevCli = await ns.IpvsadmAsync("--start-daemon", "backup", "--mcast-interface", "nosuch0");
        Assert.Equal([nodev.IpvsadmMessage], nodevCli.ErrorLines);
        Assert.Single(await client.GetSyncDaemonsAsync(Ct));
    }

    [Fact]
    public async Task IpvsadmStartsDaemons_LibraryReadsAndStopsThem()
    {
        await using var ns = await Netns.CreateAsync(dummyInterface: true);
        using var client = ns.OpenClient();
        await ns.IpvsadmOkAsync("--start-daemon", "master", "--mcast-interface", "d0", "--syncid", "200", "--sync-maxlen", "1400", "--mcast-port", "8000", "--mcast-ttl", "2");
        await ns.IpvsadmOkAsync("--start-daemon", "backup", "--mcast-interface", "d0", "--syncid", "7", "--mcast-group", "239.255.0.9");
        Assert.Equal(
            [
                new SyncDaemon(SyncDaemonState.Master, "d0") { SyncId = 200, MaxLength = 1400, MulticastGroup = IPAddress.Parse("224.0.0.81"), MulticastPort = 8000, MulticastTtl = 2 },
                new SyncDaemon(SyncDaemonState.Backup, "d0") { SyncId = 7, MaxLength = 1472, MulticastGroup = IPAddress.Parse("239.255.0.9"), MulticastPort = 8848, MulticastTtl = 1 },
            ],
            await client.GetSyncDaemonsAsync(Ct));
        await client.StopSyncDaemonAsync(SyncDaemonState.Backup, Ct);
        Lines.Equal(["master sync daemon (mcast=d0, syncid=200, maxlen=1400, group=224.0.0.81, port=8000, ttl=2)"], await ns.IpvsadmOkAsync("-L", "--daemon"));
        await client.StopSyncDaemonAsync(SyncDaemonState.Master, Ct);
        Assert.Empty(await ns.IpvsadmOkAsync("-L", "--daemon"));
    }

    [Fact]
    public async Task Daemons_AndMixedFamilyDestinations_ExcludeEachOther()
    {
        await using var ns = await Netns.CreateAsync(dummyInterface: true);
        using var client = ns.OpenClient();
        var svc = ServiceKey.Tcp("10.0.0.1:80");
        await client.AddServiceAsync(new VirtualService(svc), Ct);
        var mixed = new Destination("[2001:db8::1]:80", 1, ForwardingMethod.Tunnel);
        await client.AddDestinationAsync(svc, mixed, Ct);

        // While a destination of another family exists, no daemon may start (the kernel says EINVAL).
        var e = await Assert.ThrowsAsync<IpvsException>(() => client.StartSyncDaemonAsync(new SyncDaemon(SyncDaemonState.Master, "d0"), Ct));
        Assert.Equal(22, e.Errno);
        Assert.Empty(await ns.IpvsadmOkAsync("-L", "--daemon"));

        // And while a daemon runs, no such destination may be added.
        await client.DeleteDestinationAsync(svc, mixed.Key, Ct);
        await client.StartSyncDaemonAsync(new SyncDaemon(SyncDaemonState.Master, "d0"), Ct);
        var before = await ns.SaveAsync();
        var e2 = await Assert.ThrowsAsync<IpvsException>(() => client.AddDestinationAsync(svc, mixed, Ct));
        Assert.Equal(22, e2.Errno);
        Lines.Equal(before, await ns.SaveAsync());
    }
}
