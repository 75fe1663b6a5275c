using static Ipvs.DesiredTests.Support.Build;

namespace Ipvs.DesiredTests;

/// <summary>Golden renderings of plans and reports, as text and as JSON.</summary>
public sealed class RenderingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The thesis scenario: a new wrr service with two NAT destinations.
    private static Plan Fig13() => Planner.Plan([], State(Service(Wrr(Web), Dest("192.168.0.1:80", 1), Dest("192.168.0.2:80", 3))));

    private static Plan Everything()
    {
        var v6 = ServiceKey.Parse("tcp:[2001:db8::1]:443");
        var table = Table(
            Entry(Wrr(Web), Dest("192.168.0.1:80"), Dest("192.168.0.9:80", 2)),
            Entry(new VirtualService(Resolver) { Scheduler = "sh" }, Dest("192.168.0.5:53")),
            Entry(Wrr(Other), Dest("192.168.0.5:80"), Dest("192.168.0.6:80")));
        var desired = State(
            new DesiredService(new VirtualService(v6) { Scheduler = "mh", Flags = ServiceFlags.MhPort, PersistenceTimeout = 300, Netmask = Netmask.FromPrefixLength(64, AddressFamily.InterNetworkV6) },
            [
                Dest("[2001:db8::10]:443", 2) with { UpperThreshold = 100, LowerThreshold = 10 },
                Dest("10.1.1.1:443", 1, ForwardingMethod.Tunnel) with { TunnelType = TunnelType.Gue, TunnelPort = 6080, TunnelFlags = TunnelFlags.Checksum },
            ])
            { Location = At(1) },
            Service(Wrr(Web), Dest("192.168.0.1:80", 3, ForwardingMethod.DirectRoute), Dest("192.168.0.2:80")),
            Service(new VirtualService(Resolver) { Scheduler = "sh", Flags = ServiceFlags.OnePacket | ServiceFlags.ShFallback, PersistenceTimeout = 60, PersistenceEngine = "sip" }, Dest("192.168.0.5:53")))
            with
        { Timeouts = Timeouts.FromSeconds(600, 0, 60) };
        return Planner.Plan(table, Timeouts.FromSeconds(900, 120, 300), desired, new PlanOptions { Prune = true });
    }

    [Fact]
    public void The_thesis_plan_reads_as_a_diff_with_a_summary()
    {
        Assert.Equal(
            """
            + tcp 10.0.0.1:80 wrr
              + -> 192.168.0.1:80 masq weight 1
              + -> 192.168.0.2:80 masq weight 3
            Plan: 3 to add, 0 to change, 0 to delete.

            """,
            Fig13().ToString());
    }

    [Fact]
    public void Every_kind_of_change_reads_as_one_line_with_context_for_destinations_of_unchanged_services()
    {
        Assert.Equal(
            """
            ~ timeouts tcp 900 -> 600, udp 300 -> 60
            + tcp [2001:db8::1]:443 mh persistent 300 netmask 64 flags mh-port
              + -> [2001:db8::10]:443 masq weight 2 upper 100 lower 10
              + -> 10.1.1.1:443 tunnel gue port 6080 csum weight 1
              tcp 10.0.0.1:80
              - -> 192.168.0.9:80 masq weight 2
              ~ -> 192.168.0.1:80 forwarding masq -> route, weight 1 -> 3
              + -> 192.168.0.2:80 masq weight 1
            ~ udp 10.0.0.1:53 flags none -> ops,sh-fallback, persistent 0 -> 60, pe none -> sip
            - tcp 10.0.0.9:80 wrr (with 2 destinations)
            Plan: 4 to add, 3 to change, 2 to delete.

            """,
            Everything().ToString());
    }

    [Fact]
    public void The_plan_as_JSON_has_a_fixed_shape()
    {
        var plan = Planner.Plan(
            Table(Entry(Wrr(Web), Dest("192.168.0.1:80")), Entry(Wrr(Other), Dest("192.168.0.5:80"))),
            Timeouts.FromSeconds(900, 120, 300),
            State(new DesiredService(Wrr(Web), [new DesiredDestination(Dest("192.168.0.1:80", 3)) { Location = At(4, 3) }])) with { Timeouts = Timeouts.FromSeconds(0, 0, 60) },
            new PlanOptions { Prune = true });
        Assert.Equal(
            """
            {
              "version": 1,
              "summary": {
                "add": 0,
                "change": 2,
                "delete": 1
              },
              "changes": [
                {
                  "kind": "edit",
                  "target": "timeouts",
                  "service": null,
                  "destination": null,
                  "changedFields": [
                    "udp"
                  ],
                  "before": {
                    "tcp": 900,
                    "tcpFin": 120,
                    "udp": 300
                  },
                  "after": {
                    "tcp": 0,
                    "tcpFin": 0,
                    "udp": 60
                  },
                  "destinationsBefore": [],
                  "location": null
                },
                {
                  "kind": "edit",
                  "target": "destination",
                  "service": "tcp:10.0.0.1:80",
                  "destination": "192.168.0.1:80",
                  "changedFields": [
                    "weight"
                  ],
                  "before": {
                    "destination": "192.168.0.1:80",
                    "forwarding": "masq",
                    "weight": 1,
                    "upperThreshold": 0,
                    "lowerThreshold": 0,
                    "tunnelType": "ipip",
                    "tunnelPort": 0,
                    "tunnelFlags": "nocsum"
                  },
                  "after": {
                    "destination": "192.168.0.1:80",
                    "forwarding": "masq",
                    "weight": 3,
                    "upperThreshold": 0,
                    "lowerThreshold": 0,
                    "tunnelType": "ipip",
                    "tunnelPort": 0,
                    "tunnelFlags": "nocsum"
                  },
                  "destinationsBefore": [],
                  "location": {
                    "file": "site.conf",
                    "line": 4,
                    "column": 3
                  }
                },
                {
                  "kind": "delete",
                  "target": "service",
                  "service": "tcp:10.0.0.9:80",
                  "destination": null,
                  "changedFields": [],
                  "before": {
                    "service": "tcp:10.0.0.9:80",
                    "scheduler": "wrr",
                    "flags": [],
                    "persistenceTimeout": 0,
                    "netmask": "255.255.255.255",
                    "persistenceEngine": null
                  },
                  "after": null,
                  "destinationsBefore": [
                    {
                      "destination": "192.168.0.5:80",
                      "forwarding": "masq",
                      "weight": 1,
                      "upperThreshold": 0,
                      "lowerThreshold": 0,
                      "tunnelType": "ipip",
                      "tunnelPort": 0,
                      "tunnelFlags": "nocsum"
                    }
                  ],
                  "location": null
                }
              ]
            }

            """,
            PlanJson.Serialize(plan));
    }

    [Fact]
    public void Compact_JSON_is_one_line()
    {
        Assert.Equal(
            """{"version":1,"summary":{"add":1,"change":0,"delete":0},"changes":[{"kind":"add","target":"service","service":"fwmark6:7","destination":null,"changedFields":[],"before":null,"after":{"service":"fwmark6:7","scheduler":"wlc","flags":[],"persistenceTimeout":0,"netmask":"128","persistenceEngine":null},"destinationsBefore":[],"location":null}]}""" + "\n",
            PlanJson.Serialize(Planner.Plan([], State(Service(new VirtualService(ServiceKey.Parse("fwmark6:7"))))), indented: false));
    }

    [Fact]
    public async Task The_report_says_what_became_of_each_change_as_text_and_JSON()
    {
        var ipvs = new SimulatedIpvs(new SimulatedTable());
        var plan = Planner.Plan([], State(Service(Wrr(Web), Dest("192.168.0.1:80")), Service(new VirtualService("tcp:10.0.0.2:80", "nosuchsched"))));
        ipvs.Refuse = op => op is AddServiceOperation { Service.Scheduler.Name: "nosuchsched" } ? Errno.ENOENT : 0;
        var report = await Applier.ApplyAsync(ipvs, plan, new ApplyOptions { Atomic = true }, Ct);
        Assert.Equal(
            """
            rolled back     + tcp 10.0.0.1:80 wrr
            rolled back     + tcp 10.0.0.1:80 -> 192.168.0.1:80 masq weight 1
            failed          + tcp 10.0.0.2:80 nosuchsched
                error: Scheduler or persistence engine not found (NewService tcp:10.0.0.2:80, ENOENT)
            Applied 0 of 3 changes: 1 failed, 2 rolled back.

            """,
            report.ToString());
        var json = PlanJson.Serialize(report, indented: false);
        Assert.StartsWith("""{"version":1,"succeeded":false,"rolledBack":true,"summary":{"applied":0,"failed":1,"notAttempted":0,"unknown":0,"rolledBack":2,"rollbackFailed":0},"results":[{"outcome":"rolledBack","change":{"kind":"add","target":"service",""", json, StringComparison.Ordinal);
        Assert.EndsWith("""},"error":{"errno":2,"name":"ENOENT","message":"Scheduler or persistence engine not found (NewService tcp:10.0.0.2:80, ENOENT)"},"rollbackError":null}]}""" + "\n", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_can_name_the_service_for_use_outside_a_plan()
    {
        var change = Fig13().Changes[1];
        Assert.Equal("  + -> 192.168.0.1:80 masq weight 1", PlanText.Line(change));
        Assert.Equal("+ tcp 10.0.0.1:80 -> 192.168.0.1:80 masq weight 1", PlanText.Line(change, withService: true));
    }
}
