using Ipvs.Desired;
using Ipvs.KernelTests.Infrastructure;
using Ipvs.Model;
using static Ipvs.KernelTests.Infrastructure.KernelLab;

namespace Ipvs.KernelTests.Desired;

/// <summary>
/// The desired-state layer on the real kernel: apply then re-plan is empty, ownership and pruning,
/// stop-on-error and atomic rollback, with the real ipvsadm reading back what was applied.
/// </summary>
public sealed class DesiredStateTests
{
    private static readonly ServiceKey Web = ServiceKey.Tcp("10.0.0.1:80");
    private static readonly ServiceKey Sip = ServiceKey.Udp("10.0.0.1:5060");
    private static readonly ServiceKey V6 = ServiceKey.Parse("tcp:[2001:db8::1]:443");
    private static readonly ServiceKey Mark = ServiceKey.ForFirewallMark(7);
    private static readonly ServiceKey Sctp = ServiceKey.Sctp("10.0.0.3:9");

    private static Destination Tun(string endpoint, TunnelType type, ushort port = 0, TunnelFlags flags = TunnelFlags.NoChecksum, int weight = 1) =>
        new(endpoint, weight, ForwardingMethod.Tunnel) { TunnelType = type, TunnelPort = port, TunnelFlags = flags };

    private static DesiredService Svc(VirtualService service, params Destination[] destinations) =>
        new(service, destinations.Select(DesiredDestination.FromDestination));

    // Every kind of service and destination setting the kernel keeps.
    private static readonly DesiredState Everything = new DesiredState(
    [
        Svc(new VirtualService(Web) { Scheduler = "wrr", PersistenceTimeout = 300, Netmask = Netmask.FromPrefixLength(24) },
            new Destination("192.168.1.1:8080", 3) { UpperThreshold = 100, LowerThreshold = 10 },
            new Destination("192.168.1.2:80", 0, ForwardingMethod.DirectRoute),
            Tun("192.168.1.3:80", TunnelType.IpIp),
            Tun("192.168.1.4:80", TunnelType.Gue, 6080, TunnelFlags.Checksum),
            Tun("192.168.1.5:80", TunnelType.Gre, flags: TunnelFlags.Checksum),
            Tun("[2001:db8::9]:80", TunnelType.IpIp, weight: 4)),
        Svc(new VirtualService(Sip) { Scheduler = "rr", Flags = ServiceFlags.OnePacket, PersistenceTimeout = 60, PersistenceEngine = "sip" },
            new Destination("192.168.1.1:5060")),
        Svc(new VirtualService(V6) { Scheduler = "sh", Flags = ServiceFlags.ShFallback | ServiceFlags.ShPort, PersistenceTimeout = 100, Netmask = Netmask.FromPrefixLength(64, System.Net.Sockets.AddressFamily.InterNetworkV6) },
            new Destination("[2001:db8::2]:8443", 5),
            Tun("10.2.2.2:443", TunnelType.Gue, 5555)),
        Svc(new VirtualService(Mark),
            new Destination("192.168.2.1:0", 1, ForwardingMethod.DirectRoute)),
        Svc(new VirtualService(Sctp) { Scheduler = "mh", Flags = ServiceFlags.MhPort },
            new Destination("192.168.1.7:9")),
    ])
    {
        Timeouts = Timeouts.FromSeconds(600, 60, 120),
    };

    // What ipvsadm -Sn prints for it (thresholds are not part of -S).
    private static readonly string[] EverythingRules =
    [
        "-A -t 10.0.0.1:80 -s wrr -p 300 -M 255.255.255.0",
        "-a -t 10.0.0.1:80 -r 192.168.1.1:8080 -m -w 3",
        "-a -t 10.0.0.1:80 -r 192.168.1.2:80 -g -w 0",
        "-a -t 10.0.0.1:80 -r 192.168.1.3:80 -i -w 1 --tun-type ipip",
        "-a -t 10.0.0.1:80 -r 192.168.1.4:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum",
        "-a -t 10.0.0.1:80 -r 192.168.1.5:80 -i -w 1 --tun-type gre --tun-csum",
        "-a -t 10.0.0.1:80 -r [2001:db8::9]:80 -i -w 4 --tun-type ipip",
        "-A -u 10.0.0.1:5060 -s rr -p 60 --pe sip -o",
        "-a -u 10.0.0.1:5060 -r 192.168.1.1:5060 -m -w 1",
        "-A -t [2001:db8::1]:443 -s sh -p 100 -M 64 -b sh-fallback,sh-port",
        "-a -t [2001:db8::1]:443 -r [2001:db8::2]:8443 -m -w 5",
        "-a -t [2001:db8::1]:443 -r 10.2.2.2:443 -i -w 1 --tun-type gue --tun-port 5555 --tun-nocsum",
        "-A -f 7 -s wlc",
        "-a -f 7 -r 192.168.2.1:0 -g -w 1",
        "-A --sctp-service 10.0.0.3:9 -s mh -b mh-port",
        "-a --sctp-service 10.0.0.3:9 -r 192.168.1.7:9 -m -w 1",
    ];

    [Fact]
    public async Task Applying_a_desired_state_then_replanning_is_empty_and_ipvsadm_reads_back_the_table()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();

        var plan = await Planner.PlanAsync(client, Everything, cancellationToken: Ct);
        Assert.Equal((16, 1, 0), (plan.ToAdd, plan.ToChange, plan.ToDelete));
        var report = await Applier.ApplyAsync(client, plan, cancellationToken: Ct);
        Assert.True(report.Succeeded, report.ToString());

        var again = await Planner.PlanAsync(client, Everything, cancellationToken: Ct);
        Assert.True(again.IsEmpty, again.ToString());
        Lines.SameSet(EverythingRules, await ns.SaveAsync(), "ipvsadm -Sn");
        Lines.Equal(["Timeout (tcp tcpfin udp): 600 60 120"], await ns.IpvsadmOkAsync("-Ln", "--timeout"));
        Assert.Contains(
            Lines.Thresholds("192.168.1.1:8080", 100, 10).TrimEnd(),
            (await ns.IpvsadmOkAsync("-Ln", "--thresholds")).Select(l => l.TrimEnd()));
    }

    [Fact]
    public async Task A_table_written_by_ipvsadm_plans_empty_against_the_same_desired_state()
    {
        // Another tool's table: whatever ipvsadm sends and the kernel reports must compare equal.
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        await ns.RestoreAsync(EverythingRules.Select(r => r == "-a -t 10.0.0.1:80 -r 192.168.1.1:8080 -m -w 3" ? r + " -x 100 -y 10" : r));
        await ns.IpvsadmOkAsync("--set", "600", "60", "120");
        var plan = await Planner.PlanAsync(client, Everything, new PlanOptions { Prune = true }, Ct);
        Assert.True(plan.IsEmpty, plan.ToString());
    }

    [Fact]
    public async Task Key_changes_delete_and_add_and_only_prune_removes_undeclared_services()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        // Someone else's service, which the desired state never declares.
        await ns.RestoreAsync(["-A -t 10.0.0.9:80 -s rr", "-a -t 10.0.0.9:80 -r 192.168.9.9:80 -m -w 1"]);
        var app = ServiceKey.Tcp("10.0.0.2:80");
        var first = new DesiredState(
        [
            Svc(new VirtualService(Web) { Scheduler = "wrr" }, new Destination("192.168.1.1:80"), new Destination("192.168.1.2:80")),
            Svc(new VirtualService(app), new Destination("192.168.1.5:80")),
        ]);
        Assert.True((await Applier.ApplyAsync(client, await Planner.PlanAsync(client, first, cancellationToken: Ct), cancellationToken: Ct)).Succeeded);
        Assert.True((await Planner.PlanAsync(client, first, cancellationToken: Ct)).IsEmpty);

        // The web service moves to port 8080; app's destination to port 8080.
        var moved = ServiceKey.Tcp("10.0.0.1:8080");
        var second = new DesiredState(
        [
            Svc(new VirtualService(moved) { Scheduler = "wrr" }, new Destination("192.168.1.1:80"), new Destination("192.168.1.2:80")),
            Svc(new VirtualService(app), new Destination("192.168.1.5:8080")),
        ]);
        var plan = await Planner.PlanAsync(client, second, cancellationToken: Ct);
        Assert.Equal(
            """
            + tcp 10.0.0.1:8080 wrr
              + -> 192.168.1.1:80 masq weight 1
              + -> 192.168.1.2:80 masq weight 1
              tcp 10.0.0.2:80
              - -> 192.168.1.5:80 masq weight 1
              + -> 192.168.1.5:8080 masq weight 1
            Plan: 4 to add, 0 to change, 1 to delete.

            """,
            plan.ToString());
        Assert.True((await Applier.ApplyAsync(client, plan, cancellationToken: Ct)).Succeeded);
        // Without prune the old web service and the foreign one remain.
        Lines.SameSet(
            [
                "-A -t 10.0.0.9:80 -s rr", "-a -t 10.0.0.9:80 -r 192.168.9.9:80 -m -w 1",
                "-A -t 10.0.0.1:80 -s wrr", "-a -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 1", "-a -t 10.0.0.1:80 -r 192.168.1.2:80 -m -w 1",
                "-A -t 10.0.0.1:8080 -s wrr", "-a -t 10.0.0.1:8080 -r 192.168.1.1:80 -m -w 1", "-a -t 10.0.0.1:8080 -r 192.168.1.2:80 -m -w 1",
                "-A -t 10.0.0.2:80 -s wlc", "-a -t 10.0.0.2:80 -r 192.168.1.5:8080 -m -w 1",
            ],
            await ns.SaveAsync(), "ipvsadm -Sn without prune");
        Assert.True((await Planner.PlanAsync(client, second, cancellationToken: Ct)).IsEmpty);

        var pruning = await Planner.PlanAsync(client, second, new PlanOptions { Prune = true }, Ct);
        Assert.All(pruning.Changes, c => Assert.Equal((ChangeKind.Delete, ChangeTarget.Service), (c.Kind, c.Target)));
        Assert.Equal(["tcp:10.0.0.1:80", "tcp:10.0.0.9:80"], pruning.Changes.Select(c => ((ServiceChange)c).Service.ToString()).Order(StringComparer.Ordinal));
        Assert.True((await Applier.ApplyAsync(client, pruning, cancellationToken: Ct)).Succeeded);
        Lines.SameSet(
            [
                "-A -t 10.0.0.1:8080 -s wrr", "-a -t 10.0.0.1:8080 -r 192.168.1.1:80 -m -w 1", "-a -t 10.0.0.1:8080 -r 192.168.1.2:80 -m -w 1",
                "-A -t 10.0.0.2:80 -s wlc", "-a -t 10.0.0.2:80 -r 192.168.1.5:8080 -m -w 1",
            ],
            await ns.SaveAsync(), "ipvsadm -Sn after prune");
        Assert.True((await Planner.PlanAsync(client, second, new PlanOptions { Prune = true }, Ct)).IsEmpty);
    }

    // Web (applied), a service with a scheduler no module provides (the kernel refuses it with
    // ENOENT; validation cannot know), its destination (then ESRCH), and one more service.
    private static readonly DesiredState Refused = new(
    [
        Svc(new VirtualService(Web) { Scheduler = "wrr" }, new Destination("192.168.1.1:80")),
        Svc(new VirtualService(ServiceKey.Tcp("10.0.0.2:80")) { Scheduler = "nosuchsched" }, new Destination("192.168.1.2:80")),
        Svc(new VirtualService(ServiceKey.Tcp("10.0.0.3:80")) { Scheduler = "rr" }),
    ]);

    [Fact]
    public async Task Stop_on_error_reports_exactly_what_the_kernel_applied()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        var report = await Applier.ApplyAsync(client, await Planner.PlanAsync(client, Refused, cancellationToken: Ct), cancellationToken: Ct);

        // One send: the kernel goes on after the refusal, and the report says so.
        Assert.Equal(
            [ChangeOutcome.Applied, ChangeOutcome.Applied, ChangeOutcome.Failed, ChangeOutcome.Failed, ChangeOutcome.Applied],
            report.Results.Select(r => r.Outcome));
        Assert.Equal([0, 0, Errno.ENOENT, Errno.ESRCH, 0], report.Results.Select(r => r.Errno));
        Assert.Equal("Scheduler or persistence engine not found (NewService tcp:10.0.0.2:80, ENOENT)", report.Results[2].Message);
        Lines.SameSet(["-A -t 10.0.0.1:80 -s wrr", "-a -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 1", "-A -t 10.0.0.3:80 -s rr"], await ns.SaveAsync());
        Assert.False(report.RolledBack);
    }

    [Fact]
    public async Task With_one_request_per_send_the_apply_stops_at_the_refusal_and_the_rest_is_not_attempted()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        var report = await Applier.ApplyAsync(client, await Planner.PlanAsync(client, Refused, cancellationToken: Ct), new ApplyOptions { MaxRequestsPerSend = 1 }, Ct);
        Assert.Equal(
            [ChangeOutcome.Applied, ChangeOutcome.Applied, ChangeOutcome.Failed, ChangeOutcome.NotAttempted, ChangeOutcome.NotAttempted],
            report.Results.Select(r => r.Outcome));
        Lines.SameSet(["-A -t 10.0.0.1:80 -s wrr", "-a -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 1"], await ns.SaveAsync());
        Assert.Equal("Applied 2 of 5 changes: 1 failed, 2 not attempted.", report.ToString().Split('\n')[^2]);
    }

    [Fact]
    public async Task Atomic_rolls_every_applied_change_back_when_the_kernel_refuses_one()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        string[] before =
        [
            "-A -t 10.0.0.1:80 -s rr -p 120",
            "-a -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 5",
            "-a -t 10.0.0.1:80 -r 192.168.1.7:80 -i -w 2 --tun-type gue --tun-port 6080 --tun-csum",
            "-A -t 10.0.0.9:80 -s wlc",
            "-a -t 10.0.0.9:80 -r 192.168.9.9:80 -g -w 3",
        ];
        await ns.RestoreAsync(before);
        var desired = Refused with { Timeouts = Timeouts.FromSeconds(60, 0, 0) };
        var plan = await Planner.PlanAsync(client, desired, new PlanOptions { Prune = true }, Ct);
        Assert.Equal(
            """
            ~ timeouts tcp 900 -> 60
            ~ tcp 10.0.0.1:80 scheduler rr -> wrr, persistent 120 -> 0
              - -> 192.168.1.7:80 tunnel gue port 6080 csum weight 2
              ~ -> 192.168.1.1:80 weight 5 -> 1
            + tcp 10.0.0.2:80 nosuchsched
              + -> 192.168.1.2:80 masq weight 1
            + tcp 10.0.0.3:80 rr
            - tcp 10.0.0.9:80 wlc (with 1 destination)
            Plan: 3 to add, 3 to change, 2 to delete.

            """,
            plan.ToString());

        var report = await Applier.ApplyAsync(client, plan, new ApplyOptions { Atomic = true }, Ct);
        Assert.True(report.RolledBack);
        Assert.Equal(
            [
                ChangeOutcome.RolledBack, ChangeOutcome.RolledBack, ChangeOutcome.RolledBack, ChangeOutcome.RolledBack,
                ChangeOutcome.Failed, ChangeOutcome.Failed, ChangeOutcome.RolledBack, ChangeOutcome.RolledBack,
            ],
            report.Results.Select(r => r.Outcome));
        // The table is the old one again, as ipvsadm and a re-plan of the old state see it; so are the timeouts.
        Lines.SameSet(before, await ns.SaveAsync(), "ipvsadm -Sn after the rollback");
        Lines.Equal(["Timeout (tcp tcpfin udp): 900 120 300"], await ns.IpvsadmOkAsync("-Ln", "--timeout"));
        var json = PlanJson.Serialize(report);
        Assert.Contains("\"rolledBack\": true", json, StringComparison.Ordinal);
        Assert.Contains("\"name\": \"ENOENT\"", json, StringComparison.Ordinal);
    }
}
