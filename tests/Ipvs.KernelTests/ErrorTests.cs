using System.Net.Sockets;
using Ipvs.KernelTests.Infrastructure;
using Ipvs.Model;
using static Ipvs.KernelTests.Infrastructure.KernelLab;

namespace Ipvs.KernelTests;

/// <summary>Failures leave the table as it was and come back typed, with ipvsadm's words.</summary>
public sealed class ErrorTests
{
    private const int ENOENT = 2, ESRCH = 3, EEXIST = 17, EINVAL = 22, ERANGE = 34;

    [Fact]
    public async Task KernelRejections_RaiseIpvsException_WithIpvsadmsErrno_AndWords_AndChangeNothing()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        var svc = ServiceKey.Tcp("10.0.0.1:80");
        var missing = ServiceKey.Tcp("10.9.9.9:80");
        await client.AddServiceAsync(new VirtualService(svc) { Scheduler = "rr", PersistenceTimeout = 30 }, Ct);
        await client.AddDestinationAsync(svc, new Destination("192.168.1.1:80", 2), Ct);
        var before = await ns.SaveAsync();
        Assert.Equal(2, before.Length);

        // Each case: the library call, what must come back, and the same mistake made with ipvsadm.
        (string What, Func<Task> Call, int Errno, string Words, string[] Ipvsadm)[] cases =
        [
            ("duplicate service", () => client.AddServiceAsync(new VirtualService(svc) { Scheduler = "wlc" }, Ct),
                EEXIST, "Service already exists", ["-A", "-t", "10.0.0.1:80", "-s", "wlc"]),
            ("unknown scheduler", () => client.AddServiceAsync(new VirtualService(missing) { Scheduler = "nosuch" }, Ct),
                ENOENT, "Scheduler or persistence engine not found", ["-A", "-t", "10.9.9.9:80", "-s", "nosuch"]),
            ("unknown scheduler on edit", () => client.EditServiceAsync(new VirtualService(svc) { Scheduler = "nosuch" }, Ct),
                ENOENT, "Scheduler or persistence engine not found", ["-E", "-t", "10.0.0.1:80", "-s", "nosuch"]),
            ("unknown persistence engine", () => client.AddServiceAsync(new VirtualService(missing) { PersistenceTimeout = 10, PersistenceEngine = "nosuchpe" }, Ct),
                ENOENT, "Scheduler or persistence engine not found", ["-A", "-t", "10.9.9.9:80", "-p", "10", "--pe", "nosuchpe"]),
            ("edit missing service", () => client.EditServiceAsync(new VirtualService(missing), Ct),
                ESRCH, "No such service", ["-E", "-t", "10.9.9.9:80"]),
            ("delete missing service", () => client.DeleteServiceAsync(missing, Ct),
                ESRCH, "No such service", ["-D", "-t", "10.9.9.9:80"]),
            ("zero missing service", () => client.ZeroAsync(missing, Ct),
                ESRCH, "No such service", ["-Z", "-t", "10.9.9.9:80"]),
            ("get missing service", () => client.GetServiceAsync(missing, Ct),
                ESRCH, "No such service", ["-Ln", "-t", "10.9.9.9:80"]),
            ("list destinations of missing service", () => client.GetDestinationsAsync(missing, Ct),
                ESRCH, "No such service", ["-Ln", "-t", "10.9.9.9:80"]),
            ("partial edit of missing service", () => client.EditServiceAsync(missing, s => s with { Scheduler = "rr" }, Ct),
                ESRCH, "No such service", ["-E", "-t", "10.9.9.9:80", "-s", "rr"]),
            ("add destination to missing service", () => client.AddDestinationAsync(missing, new Destination("192.168.1.1:80"), Ct),
                ESRCH, "Service not defined", ["-a", "-t", "10.9.9.9:80", "-r", "192.168.1.1:80", "-m"]),
            ("duplicate destination", () => client.AddDestinationAsync(svc, new Destination("192.168.1.1:80", 5), Ct),
                EEXIST, "Destination already exists", ["-a", "-t", "10.0.0.1:80", "-r", "192.168.1.1:80", "-m", "-w", "5"]),
            ("edit missing destination", () => client.EditDestinationAsync(svc, new Destination("192.168.1.2:80"), Ct),
                ENOENT, "No such destination", ["-e", "-t", "10.0.0.1:80", "-r", "192.168.1.2:80", "-m"]),
            ("partial edit of missing destination", () => client.EditDestinationAsync(svc, DestinationKey.Parse("192.168.1.2:80"), d => d with { Weight = 3 }, Ct),
                ENOENT, "No such destination", ["-e", "-t", "10.0.0.1:80", "-r", "192.168.1.2:80", "-m", "-w", "3"]),
            ("delete missing destination", () => client.DeleteDestinationAsync(svc, DestinationKey.Parse("192.168.1.2:80"), Ct),
                ENOENT, "No such destination", ["-d", "-t", "10.0.0.1:80", "-r", "192.168.1.2:80"]),
            ("delete destination of missing service", () => client.DeleteDestinationAsync(missing, DestinationKey.Parse("192.168.1.1:80"), Ct),
                ESRCH, "Service not defined", ["-d", "-t", "10.9.9.9:80", "-r", "192.168.1.1:80"]),
            ("destination address not unicast", () => client.AddDestinationAsync(svc, new Destination("224.0.0.5:80"), Ct),
                EINVAL, "Invalid operation.  Possibly wrong module version, address not unicast, ...", ["-a", "-t", "10.0.0.1:80", "-r", "224.0.0.5:80", "-m"]),
            ("stop a daemon that is not running", () => client.StopSyncDaemonAsync(SyncDaemonState.Master, Ct),
                ESRCH, "No daemon is running", ["--stop-daemon", "master"]),
        ];
        foreach (var c in cases)
        {
            var e = await Assert.ThrowsAsync<IpvsException>(c.Call);
            Assert.True(c.Errno == e.Errno, $"{c.What}: errno {e.Errno}, expected {c.Errno} ({e.Message})");
            Assert.True(c.Words == e.IpvsadmMessage, $"{c.What}: '{e.IpvsadmMessage}', expected '{c.Words}'");
            Assert.StartsWith(c.Words, e.Message, StringComparison.Ordinal);

            // ipvsadm fails the same way and says the same words.
            var r = await ns.IpvsadmAsync(c.Ipvsadm);
            Assert.True(r.ExitCode != 0, $"{c.What}: ipvsadm {string.Join(' ', c.Ipvsadm)} succeeded");
            Assert.True(r.ErrorLines.Contains(c.Words), $"{c.What}: ipvsadm said '{r.Stderr.Trim()}', the library '{c.Words}'");

            Lines.Equal(before, await ns.SaveAsync(), $"table after '{c.What}'");
        }
    }

    [Fact]
    public async Task InvalidInput_RaisesArgumentException_AndSendsNothing()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        var v4 = ServiceKey.Tcp("10.0.0.1:80");
        var v6 = ServiceKey.Tcp("[2001:db8::1]:80");
        await client.AddServiceAsync(new VirtualService(v4), Ct);
        await client.AddServiceAsync(new VirtualService(v6), Ct);
        await client.AddDestinationAsync(v4, new Destination("192.168.1.1:80"), Ct);
        var before = await ns.SaveAsync();

        // Out-of-range values are refused by the model itself: nothing could be sent.
        Assert.Throws<ArgumentOutOfRangeException>(() => new Destination("192.168.1.2:80", -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Destination("192.168.1.2:80") with { Weight = -5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => Netmask.FromPrefixLength(129, AddressFamily.InterNetworkV6));
        Assert.Throws<ArgumentOutOfRangeException>(() => Netmask.FromPrefixLength(0, AddressFamily.InterNetworkV6));
        Assert.Throws<ArgumentOutOfRangeException>(() => Netmask.FromPrefixLength(33));
        Assert.Throws<ArgumentException>(() => new Scheduler("sixteen-chars-xx"));
        Assert.Throws<ArgumentException>(() => new VirtualService(v4) { Scheduler = "1234567890123456" });
        Assert.Throws<ArgumentException>(() => new VirtualService(v4) { PersistenceEngine = "a b" });
        Assert.Throws<ArgumentException>(() => new VirtualService(v6) { Netmask = Netmask.FromPrefixLength(24) });

        // Values the model allows but the kernel would refuse are caught by the client before sending.
        (string What, Func<Task> Call)[] cases =
        [
            ("lower threshold above upper", () => client.AddDestinationAsync(v4, new Destination("192.168.1.2:80") { UpperThreshold = 5, LowerThreshold = 6 }, Ct)),
            ("threshold above int.MaxValue", () => client.AddDestinationAsync(v4, new Destination("192.168.1.2:80") { UpperThreshold = uint.MaxValue }, Ct)),
            ("GUE without a port", () => client.AddDestinationAsync(v4, Tun("192.168.1.2:80", TunnelType.Gue), Ct)),
            ("unknown tunnel type", () => client.AddDestinationAsync(v4, Tun("192.168.1.2:80", (TunnelType)7), Ct)),
            ("unknown tunnel flags", () => client.EditDestinationAsync(v4, new Destination("192.168.1.1:80") { TunnelFlags = (TunnelFlags)8 }, Ct)),
            ("IPv6 masquerade under an IPv4 service", () => client.AddDestinationAsync(v4, new Destination("[2001:db8::2]:80"), Ct)),
            ("IPv4 direct routing under an IPv6 service", () => client.AddDestinationAsync(v6, new Destination("10.0.0.2:80", 1, ForwardingMethod.DirectRoute), Ct)),
            ("negative timeout", () => client.SetTimeoutsAsync(new Timeouts(TimeSpan.FromSeconds(-1), TimeSpan.Zero, TimeSpan.Zero), Ct)),
            ("sync daemon interface name too long", () => client.StartSyncDaemonAsync(new SyncDaemon(SyncDaemonState.Master, "sixteen-chars-xx"), Ct)),
            ("sync group not multicast", () => client.StartSyncDaemonAsync(new SyncDaemon(SyncDaemonState.Master, "lo") { MulticastGroup = System.Net.IPAddress.Parse("10.0.0.1") }, Ct)),
            ("stop daemon in no role", () => client.StopSyncDaemonAsync(SyncDaemonState.None, Ct)),
            ("empty service key", () => client.DeleteServiceAsync(default, Ct)),
        ];
        var timeouts = await ns.IpvsadmOkAsync("-Ln", "--timeout");
        foreach (var c in cases)
        {
            var e = await Record.ExceptionAsync(c.Call);
            Assert.True(e is ArgumentException, $"{c.What}: expected ArgumentException, got {e?.GetType().Name ?? "no exception"}: {e?.Message}");
        }
        Lines.Equal(before, await ns.SaveAsync(), "table after refused input");
        Lines.Equal(timeouts, await ns.IpvsadmOkAsync("-Ln", "--timeout"), "timeouts after refused input");
        Assert.Empty(await ns.IpvsadmOkAsync("-Ln", "--daemon"));
    }

    [Fact]
    public async Task FeaturesTheKernelLacks_RaiseIpvsNotSupportedException_AndSendNothing()
    {
        await using var ns = await Netns.CreateAsync();
        // Pretend to run on Linux 5.2: GUE exists, GRE and checksum flags do not; older still, no tunnel types at all.
        using var on52 = ns.OpenClient(new IpvsClientOptions { Capabilities = new KernelCapabilities(new Version(5, 2)) });
        using var on41 = ns.OpenClient(new IpvsClientOptions { Capabilities = new KernelCapabilities(new Version(4, 1)) });
        var svc = ServiceKey.Tcp("10.0.0.1:80");
        await on52.AddServiceAsync(new VirtualService(svc), Ct);
        await on52.AddDestinationAsync(svc, Tun("192.168.1.1:80", TunnelType.Gue, 6080), Ct);
        var before = await ns.SaveAsync();

        var gre = await Assert.ThrowsAsync<IpvsNotSupportedException>(() => on52.AddDestinationAsync(svc, Tun("192.168.1.2:80", TunnelType.Gre), Ct));
        Assert.Equal(new Version(5, 3), gre.Required);
        await Assert.ThrowsAsync<IpvsNotSupportedException>(() => on52.AddDestinationAsync(svc, Tun("192.168.1.2:80", TunnelType.Gue, 6080, TunnelFlags.Checksum), Ct));
        var gue = await Assert.ThrowsAsync<IpvsNotSupportedException>(() => on41.AddDestinationAsync(svc, Tun("192.168.1.2:80", TunnelType.Gue, 6080), Ct));
        Assert.Equal(new Version(5, 2), gue.Required);
        await Assert.ThrowsAsync<IpvsNotSupportedException>(() => on41.StartSyncDaemonAsync(new SyncDaemon(SyncDaemonState.Master, "lo") { MulticastPort = 9000 }, Ct));
        Lines.Equal(before, await ns.SaveAsync());
        Assert.Empty(await ns.IpvsadmOkAsync("-Ln", "--daemon"));
    }

    [Fact]
    public async Task Batch_WithOneInvalidOperation_IsRefusedWhole()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        var svc = ServiceKey.Tcp("10.0.0.1:80");
        await client.AddServiceAsync(new VirtualService(svc), Ct);
        var before = await ns.SaveAsync();

        IpvsOperation[] batch =
        [
            IpvsOperation.AddService(new VirtualService(ServiceKey.Tcp("10.0.0.2:80"))),
            IpvsOperation.AddDestination(svc, new Destination("192.168.1.1:80")),
            IpvsOperation.AddDestination(svc, new Destination("[2001:db8::1]:80")), // masquerade across families
            IpvsOperation.AddService(new VirtualService(ServiceKey.Tcp("10.0.0.3:80"))),
        ];
        var e = await Assert.ThrowsAsync<ArgumentException>(() => client.ExecuteAsync(batch, cancellationToken: Ct));
        Assert.Contains("Operation 3 of 4", e.Message, StringComparison.Ordinal);
        Lines.Equal(before, await ns.SaveAsync(), "table after a refused batch");
    }

    [Fact]
    public async Task Batch_WhereTheKernelRejectsSome_ReportsExactlyThose_AndAppliesTheRest()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        var a = ServiceKey.Tcp("10.0.0.1:80");
        var b = ServiceKey.Udp("10.0.0.2:53");
        var c = ServiceKey.Tcp("[2001:db8::1]:443");
        IpvsOperation[] batch =
        [
            IpvsOperation.AddService(new VirtualService(a) { Scheduler = "rr" }),
            IpvsOperation.AddService(new VirtualService(a) { Scheduler = "wrr" }),                      // EEXIST
            IpvsOperation.AddDestination(a, new Destination("192.168.1.1:80", 2)),
            IpvsOperation.AddDestination(b, new Destination("192.168.1.1:53")),                         // ESRCH: b comes later
            IpvsOperation.AddService(new VirtualService(b) { Scheduler = "nosuch" }),                   // ENOENT
            IpvsOperation.AddService(new VirtualService(b) { Scheduler = "sh" }),
            IpvsOperation.DeleteDestination(a, DestinationKey.Parse("192.168.1.9:80")),                 // ENOENT
            IpvsOperation.AddDestination(b, new Destination("192.168.1.2:53", 3)),
            IpvsOperation.AddService(new VirtualService(c)),
            IpvsOperation.AddDestination(c, new Destination("[2001:db8::2]:443") { UpperThreshold = 5, LowerThreshold = 2 }),
        ];
        var result = await client.ExecuteAsync(batch, cancellationToken: Ct);

        Assert.Equal(batch.Length, result.Count);
        var failed = result.Select((r, i) => (r, i)).Where(x => !x.r.Succeeded).Select(x => (x.i, x.r.State, x.r.Errno)).ToArray();
        Assert.Equal([(1, OperationState.Failed, EEXIST), (3, OperationState.Failed, ESRCH), (4, OperationState.Failed, ENOENT), (6, OperationState.Failed, ENOENT)], failed);
        Assert.Equal(6, result.Applied);
        Assert.Equal(4, result.Failed);
        Assert.Equal("Service already exists", result[1].ToException()!.IpvsadmMessage);
        Assert.Equal("Service not defined", result[3].ToException()!.IpvsadmMessage);
        Assert.Equal("Scheduler or persistence engine not found", result[4].ToException()!.IpvsadmMessage);
        Assert.Equal("No such destination", result[6].ToException()!.IpvsadmMessage);
        var thrown = Assert.Throws<IpvsBatchException>(result.ThrowIfFailed);
        Assert.Same(result, thrown.Result);

        Lines.SameSet(
            [
                "-A -t 10.0.0.1:80 -s rr",
                "-a -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 2",
                "-A -u 10.0.0.2:53 -s sh",
                "-a -u 10.0.0.2:53 -r 192.168.1.2:53 -m -w 3",
                "-A -t [2001:db8::1]:443 -s wlc",
                "-a -t [2001:db8::1]:443 -r [2001:db8::2]:443 -m -w 1",
            ],
            await ns.SaveAsync());

        // StopOnError: a single-request-per-send batch stops at the first failure and reports the rest as not attempted.
        var stopped = await client.ExecuteAsync(
            [
                IpvsOperation.AddService(new VirtualService(ServiceKey.Tcp("10.0.0.5:80"))),
                IpvsOperation.AddService(new VirtualService(a)),
                IpvsOperation.AddService(new VirtualService(ServiceKey.Tcp("10.0.0.6:80"))),
            ],
            new BatchOptions { StopOnError = true, MaxRequestsPerSend = 1 },
            Ct);
        Assert.Equal([OperationState.Applied, OperationState.Failed, OperationState.NotAttempted], stopped.Select(r => r.State));
        var rules = await ns.SaveAsync();
        Assert.Contains("-A -t 10.0.0.5:80 -s wlc", rules);
        Assert.DoesNotContain("-A -t 10.0.0.6:80 -s wlc", rules);
    }

    private static Destination Tun(string endpoint, TunnelType type, ushort port = 0, TunnelFlags flags = TunnelFlags.NoChecksum) =>
        new(endpoint, 1, ForwardingMethod.Tunnel) { TunnelType = type, TunnelPort = port, TunnelFlags = flags };
}
