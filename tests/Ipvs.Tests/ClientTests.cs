using Ipvs.Tests.Support;
using static Ipvs.Tests.Support.TestClient;

namespace Ipvs.Tests;

/// <summary>IpvsClient's single calls against the fake kernel: results, errno and ipvsadm wording.</summary>
public class ClientTests
{
    private static readonly ServiceKey Web = ServiceKey.Parse("tcp:10.0.0.1:80");

    [Fact]
    public void Opening_resolves_the_IPVS_family_with_CTRL_CMD_GETFAMILY()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);

        var first = Assert.Single(kernel.Sent);
        var m = Assert.Single(first.Messages);
        var seq = BitConverter.GetBytes(m.Sequence);
        Bytes.Equal(Bytes.Concat(
            Bytes.Hex("20000000 1000 0100"), seq, Bytes.Hex("00000000" + // GENL_ID_CTRL, NLM_F_REQUEST
            "03010000" +                                                   // CTRL_CMD_GETFAMILY, version 1
            "0900 0200 49505653 00 000000")),                              // CTRL_ATTR_FAMILY_NAME "IPVS\0"
            first.Bytes);
    }

    [Fact]
    public void Opening_without_the_IPVS_family_fails_with_ENOENT_and_closes_the_transport()
    {
        var kernel = new FakeKernel { FamilyAvailable = false };
        var e = Assert.Throws<NetlinkException>(() => Open(kernel));
        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.Contains("ip_vs", e.Message, StringComparison.Ordinal);
        Assert.True(kernel.Disposed);
    }

    [Fact]
    public async Task Adding_a_duplicate_service_fails_with_EEXIST_and_leaves_the_table_unchanged()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await client.AddServiceAsync(Service("tcp:10.0.0.1:80", "rr"));

        var e = await Assert.ThrowsAsync<IpvsException>(() => client.AddServiceAsync(Service("tcp:10.0.0.1:80", "wlc")));

        Assert.Equal(Errno.EEXIST, e.Errno);
        Assert.Equal(IpvsCommand.NewService, e.Command);
        Assert.StartsWith("Service already exists", e.Message, StringComparison.Ordinal);
        Assert.Equal("tcp:10.0.0.1:80", e.Subject);
        var all = await client.GetServicesAsync();
        Assert.Equal("rr", Assert.Single(all).Service.Scheduler.Name);
    }

    [Fact]
    public async Task Services_read_back_as_they_were_added()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        var services = new[]
        {
            Service("tcp:10.0.0.1:80", "rr"),
            new VirtualService(ServiceKey.Parse("udp:[2001:db8::1]:53"))
            {
                Scheduler = Scheduler.SourceHashing,
                Flags = ServiceFlags.ShPort | ServiceFlags.OnePacket,
                PersistenceTimeout = 300,
                Netmask = Netmask.FromPrefixLength(64, AddressFamily.InterNetworkV6),
            },
            new VirtualService(ServiceKey.Parse("fwmark:5"))
            {
                PersistenceTimeout = 60,
                Netmask = Netmask.Parse("255.255.0.0", AddressFamily.InterNetwork),
                PersistenceEngine = "sip",
            },
        };
        foreach (var s in services)
        {
            await client.AddServiceAsync(s);
        }

        var listed = await client.GetServicesAsync();

        Assert.Equal(services, listed.Select(i => i.Service));
        foreach (var s in services)
        {
            var one = await client.GetServiceAsync(s.Key);
            Assert.Equal(s, one.Service);
            Assert.Equal(FakeKernel.Stats64Connections, one.Stats.Connections); // STATS64 wins over STATS
        }
    }

    [Fact]
    public async Task Reading_a_missing_service_fails_with_ESRCH_No_such_service()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        var e = await Assert.ThrowsAsync<IpvsException>(() => client.GetServiceAsync(Web));
        Assert.Equal(Errno.ESRCH, e.Errno);
        Assert.StartsWith("No such service", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Editing_a_missing_service_fails_with_ESRCH_No_such_service()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        var e = await Assert.ThrowsAsync<IpvsException>(() => client.EditServiceAsync(Service("tcp:10.0.0.1:80")));
        Assert.Equal(Errno.ESRCH, e.Errno);
        Assert.Equal(IpvsCommand.SetService, e.Command);
        Assert.StartsWith("No such service", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Editing_a_service_with_a_change_function_keeps_the_other_settings()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await client.AddServiceAsync(Service("tcp:10.0.0.1:80", "rr") with { PersistenceTimeout = 120 });

        var next = await client.EditServiceAsync(Web, s => s with { Scheduler = Scheduler.WeightedRoundRobin });

        var read = (await client.GetServiceAsync(Web)).Service;
        Assert.Equal(next, read);
        Assert.Equal("wrr", read.Scheduler.Name);
        Assert.Equal(120u, read.PersistenceTimeout);
        await Assert.ThrowsAsync<ArgumentException>(() => client.EditServiceAsync(Web, s => new VirtualService(ServiceKey.Parse("tcp:10.0.0.2:80"))));
    }

    [Fact]
    public async Task An_unknown_scheduler_fails_with_ENOENT_Scheduler_or_persistence_engine_not_found()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        var e = await Assert.ThrowsAsync<IpvsException>(() => client.AddServiceAsync(Service("tcp:10.0.0.1:80", "nosuch")));
        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.StartsWith("Scheduler or persistence engine not found", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, kernel.ServiceCount);
    }

    [Fact]
    public async Task Deleting_a_service_removes_it_and_its_destinations()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await client.AddServiceAsync(Service("tcp:10.0.0.1:80"));
        await client.AddDestinationAsync(Web, Dest("192.168.0.1:80"));

        await client.DeleteServiceAsync(Web);

        Assert.Empty(await client.GetServicesAsync());
        var e = await Assert.ThrowsAsync<IpvsException>(() => client.DeleteServiceAsync(Web));
        Assert.Equal(Errno.ESRCH, e.Errno);
    }

    [Fact]
    public async Task Adding_a_destination_to_a_missing_service_fails_with_ESRCH_Service_not_defined()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        var e = await Assert.ThrowsAsync<IpvsException>(() => client.AddDestinationAsync(Web, Dest("192.168.0.1:80")));
        Assert.Equal(Errno.ESRCH, e.Errno);
        Assert.Equal(IpvsCommand.NewDest, e.Command);
        Assert.StartsWith("Service not defined", e.Message, StringComparison.Ordinal);
        Assert.Contains("tcp:10.0.0.1:80 -> 192.168.0.1:80", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Destinations_read_back_in_kernel_order_with_their_settings_and_counts()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await client.AddServiceAsync(Service("tcp:10.0.0.1:80"));
        var dests = new[]
        {
            Dest("192.168.0.2:8080", 3),
            new Destination("192.168.0.1:0", 0, ForwardingMethod.DirectRoute) { UpperThreshold = 10, LowerThreshold = 5 },
            new Destination(IPAddress.Parse("2001:db8::5"), 0)
            {
                Forwarding = ForwardingMethod.Tunnel,
                TunnelType = TunnelType.Gue,
                TunnelPort = 6080,
                TunnelFlags = TunnelFlags.Checksum,
            },
        };
        foreach (var d in dests)
        {
            await client.AddDestinationAsync(Web, d);
        }

        var read = await client.GetDestinationsAsync(Web);

        Assert.Equal(dests, read.Select(i => i.Destination));
        Assert.All(read, i => Assert.Equal((7u, 8u, 9u), (i.ActiveConnections, i.InactiveConnections, i.PersistentConnections)));
        Assert.Equal(["192.168.0.2:8080", "192.168.0.1:0", "[2001:db8::5]:0"], kernel.DestinationsOf(Web));
    }

    [Fact]
    public async Task Reading_destinations_of_a_missing_service_fails_with_ESRCH_rather_than_returning_empty()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        var e = await Assert.ThrowsAsync<IpvsException>(() => client.GetDestinationsAsync(Web));
        Assert.Equal(Errno.ESRCH, e.Errno);
        Assert.StartsWith("No such service", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adding_a_duplicate_destination_fails_with_EEXIST_Destination_already_exists()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await client.AddServiceAsync(Service("tcp:10.0.0.1:80"));
        await client.AddDestinationAsync(Web, Dest("192.168.0.1:80", 1));
        var e = await Assert.ThrowsAsync<IpvsException>(() => client.AddDestinationAsync(Web, Dest("192.168.0.1:80", 9)));
        Assert.Equal(Errno.EEXIST, e.Errno);
        Assert.StartsWith("Destination already exists", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, Assert.Single(await client.GetDestinationsAsync(Web)).Destination.Weight);
    }

    [Fact]
    public async Task Editing_or_deleting_a_missing_destination_fails_with_ENOENT_No_such_destination()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await client.AddServiceAsync(Service("tcp:10.0.0.1:80"));

        var edit = await Assert.ThrowsAsync<IpvsException>(() => client.EditDestinationAsync(Web, Dest("192.168.0.9:80")));
        var delete = await Assert.ThrowsAsync<IpvsException>(() => client.DeleteDestinationAsync(Web, DestinationKey.Parse("192.168.0.9:80")));
        var change = await Assert.ThrowsAsync<IpvsException>(() => client.EditDestinationAsync(Web, DestinationKey.Parse("192.168.0.9:80"), d => d));

        Assert.All(new[] { edit, delete, change }, e =>
        {
            Assert.Equal(Errno.ENOENT, e.Errno);
            Assert.StartsWith("No such destination", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Editing_a_destination_with_a_change_function_reads_then_writes()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await client.AddServiceAsync(Service("tcp:10.0.0.1:80"));
        await client.AddDestinationAsync(Web, new Destination("192.168.0.1:80", 4) { UpperThreshold = 50 });

        var next = await client.EditDestinationAsync(Web, DestinationKey.Parse("192.168.0.1:80"), d => d with { Weight = 0 });

        var read = Assert.Single(await client.GetDestinationsAsync(Web)).Destination;
        Assert.Equal(next, read);
        Assert.Equal(0, read.Weight);
        Assert.Equal(50u, read.UpperThreshold);
        await client.DeleteDestinationAsync(Web, read.Key);
        Assert.Empty(await client.GetDestinationsAsync(Web));
    }

    [Fact]
    public async Task The_table_lists_every_service_with_its_destinations()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await client.AddServiceAsync(Service("tcp:10.0.0.1:80"));
        await client.AddServiceAsync(Service("fwmark6:3"));
        await client.AddDestinationAsync(Web, Dest("192.168.0.1:80"));
        await client.AddDestinationAsync(Web, Dest("192.168.0.2:80"));
        await client.AddDestinationAsync(ServiceKey.Parse("fwmark6:3"), Dest("[2001:db8::7]:0"));

        var table = await client.GetTableAsync();

        Assert.Equal(["tcp:10.0.0.1:80", "fwmark6:3"], table.Select(e => e.Key.ToString()));
        Assert.Equal(["192.168.0.1:80", "192.168.0.2:80"], table[0].Destinations.Select(d => d.Key.ToString()));
        Assert.Equal("[2001:db8::7]:0", Assert.Single(table[1].Destinations).Key.ToString());
    }

    [Fact]
    public async Task Flush_removes_every_service()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await client.AddServiceAsync(Service("tcp:10.0.0.1:80"));
        await client.AddServiceAsync(Service("fwmark:1"));
        await client.FlushAsync();
        Assert.Empty(await client.GetServicesAsync());
        await client.FlushAsync(); // flushing an empty table is fine
    }

    [Fact]
    public async Task Zeroing_all_succeeds_and_zeroing_a_missing_service_fails_with_ESRCH()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await client.ZeroAsync();
        var e = await Assert.ThrowsAsync<IpvsException>(() => client.ZeroAsync(Web));
        Assert.Equal(Errno.ESRCH, e.Errno);
        Assert.StartsWith("No such service", e.Message, StringComparison.Ordinal);
        await client.AddServiceAsync(Service("tcp:10.0.0.1:80"));
        await client.ZeroAsync(Web);
    }

    [Fact]
    public async Task Timeouts_read_back_and_zero_fields_leave_values_unchanged()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        Assert.Equal(Timeouts.FromSeconds(900, 120, 300), await client.GetTimeoutsAsync());

        await client.SetTimeoutsAsync(Timeouts.FromSeconds(0, 30, 0));

        Assert.Equal(Timeouts.FromSeconds(900, 30, 300), await client.GetTimeoutsAsync());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.SetTimeoutsAsync(new Timeouts(TimeSpan.FromMilliseconds(1500), TimeSpan.Zero, TimeSpan.Zero)));
    }

    [Fact]
    public async Task Info_reports_IPVS_version_1_2_1()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        var info = await client.GetInfoAsync();
        Assert.Equal(new Version(1, 2, 1), info.Version);
        Assert.Equal(4096u, info.ConnectionTableSize);
    }

    [Fact]
    public async Task Sync_daemons_start_list_and_stop_with_ipvsadm_wording_for_errors()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await client.StartSyncDaemonAsync(new SyncDaemon(SyncDaemonState.Master, "eth0") { SyncId = 3 });
        await client.StartSyncDaemonAsync(new SyncDaemon(SyncDaemonState.Backup, "eth1") { MulticastGroup = IPAddress.Parse("ff02::81"), MulticastPort = 9000 });

        var again = await Assert.ThrowsAsync<IpvsException>(() => client.StartSyncDaemonAsync(new SyncDaemon(SyncDaemonState.Master, "eth0")));
        Assert.Equal(Errno.EEXIST, again.Errno);
        Assert.StartsWith("Daemon has already run", again.Message, StringComparison.Ordinal);

        var daemons = await client.GetSyncDaemonsAsync();
        Assert.Equal(2, daemons.Count);
        Assert.Equal(new SyncDaemon(SyncDaemonState.Master, "eth0")
        {
            SyncId = 3,
            MaxLength = 1472,
            MulticastGroup = IPAddress.Parse("224.0.0.81"),
            MulticastPort = 8848,
            MulticastTtl = 1,
        }, daemons[0]);
        Assert.Equal(IPAddress.Parse("ff02::81"), daemons[1].MulticastGroup);
        Assert.Equal(9000, daemons[1].MulticastPort);

        await client.StopSyncDaemonAsync(SyncDaemonState.Backup);
        var stop = await Assert.ThrowsAsync<IpvsException>(() => client.StopSyncDaemonAsync(SyncDaemonState.Backup));
        Assert.Equal(Errno.ESRCH, stop.Errno);
        Assert.StartsWith("No daemon is running", stop.Message, StringComparison.Ordinal);
        Assert.Single(await client.GetSyncDaemonsAsync());
    }

    [Fact]
    public async Task Kernel_extended_ACK_text_is_carried_in_the_exception()
    {
        var kernel = new FakeKernel { ExtAckText = "Attribute failed policy validation" };
        using var client = Open(kernel);
        var e = await Assert.ThrowsAsync<IpvsException>(() => client.DeleteServiceAsync(Web));
        Assert.Equal("Attribute failed policy validation", e.KernelMessage);
        Assert.EndsWith(": Attribute failed policy validation", e.Message, StringComparison.Ordinal);
        var read = await Assert.ThrowsAsync<IpvsException>(() => client.GetServiceAsync(Web));
        Assert.Equal("Attribute failed policy validation", read.KernelMessage);
    }

    [Fact]
    public async Task Without_CAP_NET_ADMIN_reads_dumps_and_writes_fail_with_EPERM_Permission_denied()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        kernel.FailNext = 4;

        var info = await Assert.ThrowsAsync<IpvsException>(() => client.GetInfoAsync());
        var dump = await Assert.ThrowsAsync<IpvsException>(() => client.GetServicesAsync());
        var write = await Assert.ThrowsAsync<IpvsException>(() => client.FlushAsync());
        var batch = await client.ExecuteAsync([IpvsOperation.Zero()]);

        Assert.All(new[] { info, dump, write }, e =>
        {
            Assert.Equal(Errno.EPERM, e.Errno);
            Assert.StartsWith("Permission denied (you must be root)", e.Message, StringComparison.Ordinal);
        });
        Assert.Equal((IpvsCommand.GetInfo, IpvsCommand.GetService, IpvsCommand.Flush), (info.Command, dump.Command, write.Command));
        Assert.Equal((OperationState.Failed, Errno.EPERM), (batch[0].State, batch[0].Errno));
        Assert.Empty(await client.GetServicesAsync()); // and the connection is still in step
    }

    [Fact]
    public async Task Writes_ask_for_an_ACK_and_reads_do_not()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await client.AddServiceAsync(Service("tcp:10.0.0.1:80"));
        await client.GetServiceAsync(Web);
        await client.GetServicesAsync();
        await client.GetDestinationsAsync(Web);
        await client.GetInfoAsync();

        var flags = kernel.IpvsMessages.Select(m => ((IpvsCommand)m.Command, m.Flags)).ToList();
        Assert.Equal(
        [
            (IpvsCommand.NewService, (ushort)0x0005),  // REQUEST | ACK
            (IpvsCommand.GetService, (ushort)0x0001),  // REQUEST: the reply itself answers
            (IpvsCommand.GetService, (ushort)0x0301),  // REQUEST | DUMP
            (IpvsCommand.GetService, (ushort)0x0001),  // the existence check before a destination dump
            (IpvsCommand.GetDest, (ushort)0x0301),
            (IpvsCommand.GetInfo, (ushort)0x0001),
        ], flags);
    }

    [Fact]
    public async Task Invalid_single_operations_are_refused_before_anything_is_sent()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel, capabilities: new KernelCapabilities(new Version(5, 2)));
        int before = kernel.Sent.Count;

        await Assert.ThrowsAsync<ArgumentException>(() => client.AddDestinationAsync(Web, new Destination("192.168.0.1:80") { UpperThreshold = 1, LowerThreshold = 2 }));
        await Assert.ThrowsAsync<ArgumentException>(() => client.AddDestinationAsync(Web, Dest("[2001:db8::1]:80")));
        await Assert.ThrowsAsync<ArgumentException>(() => client.AddDestinationAsync(Web, new Destination("192.168.0.1:0") { Forwarding = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gue }));
        var gre = await Assert.ThrowsAsync<IpvsNotSupportedException>(() => client.AddDestinationAsync(Web, new Destination("192.168.0.1:0") { Forwarding = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gre }));
        Assert.Equal(new Version(5, 3), gre.Required);
        await Assert.ThrowsAsync<ArgumentException>(() => client.StartSyncDaemonAsync(new SyncDaemon(SyncDaemonState.Master, "eth0") { MulticastGroup = IPAddress.Parse("10.0.0.1") }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.StopSyncDaemonAsync(SyncDaemonState.None));
        await Assert.ThrowsAsync<ArgumentException>(() => client.DeleteServiceAsync(default));
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetServiceAsync(default));

        Assert.Equal(before, kernel.Sent.Count);
    }
}
