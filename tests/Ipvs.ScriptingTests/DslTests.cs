using System.Net.Sockets;

namespace Ipvs.ScriptingTests;

/// <summary>The DSL declares exactly the desired state it reads as, every setting included.</summary>
public sealed class DslTests : IDisposable
{
    private readonly Scripts _scripts = new();

    public void Dispose() => _scripts.Dispose();

    private SourceLocation At(int line, int column, string file = "main.csx") => new(_scripts.Path(file), line, column);

    [Fact]
    public async Task The_thesis_fig19_script_declares_the_fig6_table()
    {
        var path = Path.Combine(Scripts.Examples, "fig19-dsl.csx");
        var state = Scripts.Ok(await Scripts.EvaluateFile(path));

        var expected = new DesiredState(
        [
            new DesiredService(
                new VirtualService(ServiceKey.Tcp("10.0.0.1:80")) { Scheduler = "wrr" },
                [
                    new DesiredDestination(new Destination("192.168.0.1:80", 1, ForwardingMethod.Masquerade)),
                    new DesiredDestination(new Destination("192.168.0.2:80", 2, ForwardingMethod.Masquerade)),
                ]),
        ]);
        Assert.Equal(Strip(expected), Strip(state));
        // Each declaration is placed where it was written.
        var lines = File.ReadAllLines(path);
        int LineOf(string text) => Array.FindIndex(lines, l => l.Contains(text, StringComparison.Ordinal)) + 1;
        var service = state.Services.Single();
        Assert.Equal(new SourceLocation(path, LineOf("VirtualServer("), 1), service.Location);
        Assert.Equal([LineOf("192.168.0.1:80"), LineOf("192.168.0.2:80")], service.Destinations.Select(d => d.Location!.Value.Line));
    }

    [Fact]
    public async Task LbKind_and_Protocol_take_effect_unlike_mruby_ipvs()
    {
        var state = Scripts.Ok(await _scripts.Evaluate(
            """
            VirtualServer("10.0.0.1:53", vs =>
            {
                vs.RealServer("192.168.0.1:53");
                vs.LbKind = Dr;            // after the real servers: it still applies to them, as in keepalived
                vs.Protocol = Udp;
                vs.RealServer("192.168.0.2:53", rs => rs.LbKind = Tun);
                vs.SorryServer("192.168.0.9:53");
            });
            """));
        var service = state.Services.Single();
        Assert.Equal(ServiceKey.Udp("10.0.0.1:53"), service.Key);
        Assert.Equal(
            [ForwardingMethod.DirectRoute, ForwardingMethod.Tunnel],
            service.Destinations.Select(d => d.Destination.Forwarding));
        Assert.Equal(ForwardingMethod.DirectRoute, service.Policy.SorryServer?.Forwarding);

        // And they reach the kernel's operations: what `ipvs plan` and `ipvs apply` send.
        var plan = Planner.Plan([], state);
        Assert.Equal(
            [
                IpvsOperation.AddService(new VirtualService(ServiceKey.Udp("10.0.0.1:53"))),
                IpvsOperation.AddDestination(ServiceKey.Udp("10.0.0.1:53"), new Destination("192.168.0.1:53", 1, ForwardingMethod.DirectRoute)),
                IpvsOperation.AddDestination(ServiceKey.Udp("10.0.0.1:53"), new Destination("192.168.0.2:53", 1, ForwardingMethod.Tunnel)),
            ],
            plan.Operations);
    }

    [Fact]
    public async Task Every_keepalived_setting_reaches_the_declared_state()
    {
        var state = Scripts.Ok(await _scripts.Evaluate(
            """
            VirtualServer("[2001:db8::1]:5060", vs =>
            {
                vs.Protocol = Sctp;
                vs.LbAlgo = "sh";
                vs.SchedulerFlags = ServiceFlags.ShFallback;
                vs.PersistenceTimeout = 600;
                vs.PersistenceGranularity = "/64";
                vs.PersistenceEngine = "sip";
                vs.Quorum = 3;
                vs.Hysteresis = 1;
                vs.DelayLoop = 7.Seconds();
                vs.VirtualHost = "www.example.com";
                vs.Alpha = true;
                vs.Omega = true;
                vs.InhibitOnFailure = true;
                vs.SorryServer("[2001:db8::99]:5060", lbKind: Nat);
                vs.SorryServerInhibit = true;
                vs.RealServer("[2001:db8::10]:5060", rs =>
                {
                    rs.Weight = 5;
                    rs.UpperThreshold = 1000;
                    rs.LowerThreshold = 100;
                    rs.InhibitOnFailure = false;
                    rs.SlowStart(30.Seconds(), initialWeight: 2);
                });
                vs.RealServer("10.1.0.10:5060", rs =>
                {
                    rs.LbKind = Tun;
                    rs.TunnelType = TunnelType.Gue;
                    rs.TunnelPort = 6080;
                    rs.TunnelFlags = TunnelFlags.Checksum;
                });
            });
            VirtualServer("udp:10.0.0.1:53", vs => vs.OnePacket = true);
            LvsTimeouts(tcp: 15.Minutes(), udp: 300.Seconds());
            """));

        var sip = state.Services[0];
        Assert.Equal(ServiceKey.Sctp("[2001:db8::1]:5060"), sip.Key);
        Assert.Equal(
            new VirtualService(ServiceKey.Sctp("[2001:db8::1]:5060"))
            {
                Scheduler = "sh",
                Flags = ServiceFlags.ShFallback,
                PersistenceTimeout = 600,
                Netmask = Netmask.FromPrefixLength(64, AddressFamily.InterNetworkV6),
                PersistenceEngine = "sip",
            },
            sip.Service);
        Assert.Equal(
            new ServicePolicy
            {
                Quorum = 3,
                Hysteresis = 1,
                DelayLoop = TimeSpan.FromSeconds(7),
                VirtualHost = "www.example.com",
                Alpha = true,
                Omega = true,
                InhibitOnFailure = true,
                SorryServer = new Destination("[2001:db8::99]:5060", 1, ForwardingMethod.Masquerade),
                SorryServerInhibit = true,
            },
            sip.Policy);
        var (web, tunnelled) = (sip.Destinations[0], sip.Destinations[1]);
        Assert.Equal(new Destination("[2001:db8::10]:5060", 5) { UpperThreshold = 1000, LowerThreshold = 100 }, web.Destination);
        Assert.False(web.InhibitOnFailure);
        Assert.Equal(new SlowStart(TimeSpan.FromSeconds(30)) { InitialWeight = 2, Location = At(24, 9) }, web.SlowStart);
        Assert.Equal(
            new Destination("10.1.0.10:5060", 1, ForwardingMethod.Tunnel) { TunnelType = TunnelType.Gue, TunnelPort = 6080, TunnelFlags = TunnelFlags.Checksum },
            tunnelled.Destination);

        Assert.Equal(new VirtualService(ServiceKey.Udp("10.0.0.1:53")) { Flags = ServiceFlags.OnePacket }, state.Services[1].Service);
        Assert.Equal(new Timeouts(TimeSpan.FromMinutes(15), TimeSpan.Zero, TimeSpan.FromSeconds(300)), state.Timeouts);
        Assert.Equal(At(35, 1), state.TimeoutsLocation);
    }

    [Fact]
    public async Task Health_checks_land_in_the_model_with_their_settings_and_places()
    {
        var state = Scripts.Ok(await _scripts.Evaluate(
            """
            VirtualServer("10.0.0.1:80", vs =>
            {
                vs.RealServer("192.168.0.1:80", rs =>
                {
                    rs.HealthCheck(Check.Http("/").Expect(200), every: 5.Seconds());
                    rs.HealthCheck(Check.Tcp(), every: 3.Seconds(), timeout: 1.Seconds(), retries: 2, delayBeforeRetry: 500.Milliseconds(), rise: 2, fall: 3);
                    rs.HealthCheck(Check.Https("/health").ExpectRange(200, 299).BodyMatches("ok").Host("www.example.com").Port(8443));
                    rs.HealthCheck(async c => (await Http.GetAsync($"http://{c.Target}/")).Ok, every: 10.Seconds());
                    rs.HealthCheck(c => c.Target.Port == 80);
                    rs.HealthCheck(Check.Program("/usr/local/bin/check-db", "--quick"));
                });
            });
            """));
        var checks = state.Services.Single().Destinations.Single().Checks;
        Assert.Equal(6, checks.Length);

        // ImmutableArray compares by reference, so the status codes are compared on their own.
        var http = Assert.IsType<HttpCheck>(checks[0]);
        Assert.Equal(new HttpCheck { Path = "/", Interval = TimeSpan.FromSeconds(5), Location = At(5, 9) }, http with { StatusCodes = [] });
        Assert.Equal([StatusRange.Single(200)], http.StatusCodes);
        Assert.Equal(
            new TcpCheck
            {
                Interval = TimeSpan.FromSeconds(3),
                ConnectTimeout = TimeSpan.FromSeconds(1),
                Retries = 2,
                DelayBeforeRetry = TimeSpan.FromMilliseconds(500),
                Rise = 2,
                Fall = 3,
                Location = At(6, 9),
            },
            checks[1]);
        var https = Assert.IsType<HttpCheck>(checks[2]);
        Assert.Equal(("https", "/health", "200-299", "ok", "www.example.com", 8443), (https.Kind, https.Path, https.StatusCodes.Single().ToString(), https.BodyRegex, https.VirtualHost, https.ConnectPort));

        var lambda = Assert.IsType<DelegateCheck>(checks[3]);
        Assert.Equal((TimeSpan.FromSeconds(10), At(8, 9)), (lambda.Interval!.Value, lambda.Location!.Value));
        Assert.Equal($"lambda at {At(8, 9)}", lambda.Name);

        // The lambda is kept as written, for the daemon to run.
        var sync = Assert.IsType<DelegateCheck>(checks[4]);
        var context = new CheckContext(ServiceKey.Tcp("10.0.0.1:80"), new Destination("192.168.0.1:80"), IPEndPoint.Parse("192.168.0.1:80"));
        Assert.True(await sync.Probe(context, CancellationToken.None));
        Assert.False(await sync.Probe(context with { Target = IPEndPoint.Parse("192.168.0.1:81") }, CancellationToken.None));

        var program = Assert.IsType<ProgramCheck>(checks[5]);
        Assert.Equal(("/usr/local/bin/check-db", "--quick"), (program.Path, program.Arguments.Single()));
    }

    [Fact]
    public async Task Hooks_land_in_the_model_as_programs_or_lambdas()
    {
        var state = Scripts.Ok(await _scripts.Evaluate(
            """
            var events = new List<string>();
            VirtualServer("10.0.0.1:80", vs =>
            {
                vs.QuorumUp("/usr/bin/logger", "-t", "ipvs", "quorum up");
                vs.QuorumDown(e => events.Add($"{e.Event} {e.Service}"));
                vs.RealServer("192.168.0.1:80", rs =>
                {
                    rs.NotifyUp(async e => { await Task.Yield(); events.Add($"{e.Event} {e.Destination}"); });
                    rs.NotifyDown("/usr/local/bin/page", "web1 down");
                });
            });
            """));
        var service = state.Services.Single();
        Assert.Equal(
            new ProgramHook("/usr/bin/logger", "-t", "ipvs", "quorum up") { Location = At(4, 5) },
            service.Policy.QuorumUp,
            HookComparer.Instance);
        var down = Assert.IsType<ProgramHook>(service.Destinations.Single().NotifyDown);
        Assert.Equal(("/usr/local/bin/page", "web1 down", At(9, 9)), (down.Path, down.Arguments.Single(), down.Location!.Value));

        var quorumDown = Assert.IsType<DelegateHook>(service.Policy.QuorumDown);
        var up = Assert.IsType<DelegateHook>(service.Destinations.Single().NotifyUp);
        Assert.Equal(At(8, 9), up.Location);
        await quorumDown.Action(new HookContext(HookEvent.QuorumDown, service.Key, null), CancellationToken.None);
        await up.Action(new HookContext(HookEvent.Up, service.Key, DestinationKey.Parse("192.168.0.1:80")), CancellationToken.None);
    }

    [Fact]
    public async Task Variables_loops_conditions_functions_and_load_all_work()
    {
        _scripts.Write("shared/site.csx",
            """
            const string Vip = "10.0.0.1";

            void Web(VirtualServerBlock vs, string address, bool primary) =>
                vs.RealServer(address, rs => rs.Weight = primary ? 3 : 1);
            """);
        var state = Scripts.Ok(await _scripts.Evaluate(
            """
            #load "shared/site.csx"
            var ports = new[] { 80, 8080 };
            int count = int.Parse(Args[0]);
            foreach (var port in ports)
            {
                VirtualServer($"{Vip}:{port}", vs =>
                {
                    vs.LbAlgo = port == 80 ? "wrr" : "rr";
                    for (int i = 1; i <= count; i++)
                    {
                        Web(vs, $"192.168.0.{i}:{port}", primary: i == 1);
                    }
                });
            }
            """, "3"));
        Assert.Equal(["tcp:10.0.0.1:80 wrr", "tcp:10.0.0.1:8080 rr"], state.Services.Select(s => $"{s.Key} {s.Service.Scheduler}"));
        Assert.Equal(
            ["192.168.0.1:8080 3", "192.168.0.2:8080 1", "192.168.0.3:8080 1"],
            state.Services[1].Destinations.Select(d => $"{d.Key} {d.Destination.Weight}"));
        // Declared inside the loaded function: placed there.
        Assert.Equal(At(4, 5, "shared/site.csx"), state.Services[0].Destinations[0].Location);
    }

    [Fact]
    public async Task Real_servers_can_be_added_to_a_block_after_it_closes()
    {
        var state = Scripts.Ok(await _scripts.Evaluate(
            """
            var web = VirtualServer("10.0.0.1:80", vs => vs.LbAlgo = "wrr");
            var extra = web.RealServer("192.168.0.4:80");
            extra.Weight = 4;
            """));
        Assert.Equal(new Destination("192.168.0.4:80", 4), state.Services.Single().Destinations.Single().Destination);
    }

    [Fact]
    public async Task Async_blocks_are_awaited_and_their_exceptions_placed()
    {
        var state = Scripts.Ok(await _scripts.Evaluate(
            """
            VirtualServer("10.0.0.1:80", async vs =>
            {
                await Task.Delay(10);
                vs.LbAlgo = "rr";
                vs.RealServer("192.168.0.1:80", async rs => { await Task.Yield(); rs.Weight = 4; });
            });
            """));
        Assert.Equal("rr", state.Services.Single().Service.Scheduler.Name);
        Assert.Equal(4, state.Services.Single().Destinations.Single().Destination.Weight);

        var error = Scripts.SingleError(await _scripts.Evaluate(
            """
            VirtualServer("10.0.0.1:80", async vs =>
            {
                await Task.Delay(10);
                throw new InvalidOperationException("late");
            });
            """));
        Assert.Equal(("exception", At(4, 5)), (error.Code, error.Location!.Value));
    }

    [Fact]
    public async Task A_thousand_real_servers_evaluate_in_reasonable_time()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var state = Scripts.Ok(await _scripts.Evaluate(
            """
            for (int s = 0; s < 10; s++)
                VirtualServer($"10.0.{s}.1:80", vs =>
                {
                    vs.LbAlgo = "wrr";
                    for (int i = 1; i <= 100; i++)
                        vs.RealServer($"192.168.{s}.{i}:80", rs => { rs.Weight = i; rs.HealthCheck(Check.Tcp()); });
                });
            """));
        Assert.Equal(1000, state.Services.Sum(s => s.Destinations.Length));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task The_fig21_farm_example_declares_its_services_checks_and_hooks()
    {
        var e = await Scripts.EvaluateFile(Path.Combine(Scripts.Examples, "fig21-dsl-farm.csx"), "10.9.0.1");
        var state = Scripts.Ok(e);
        Assert.Empty(e.Warnings);
        Assert.Equal(
            ["tcp:10.9.0.1:80", "tcp:10.9.0.1:443", "udp:10.9.0.1:53", "fwmark:1"],
            state.Services.Select(s => s.Key.ToString()));
        var https = state.Services[1];
        Assert.Equal((300u, 2), (https.Service.PersistenceTimeout, https.Policy.Quorum));
        Assert.All(https.Destinations, d => Assert.Equal(ForwardingMethod.DirectRoute, d.Destination.Forwarding));
        Assert.Equal([2, 1, 1], https.Destinations.Select(d => d.Destination.Weight));
        Assert.All(https.Destinations, d => Assert.Equal(["https", "delegate"], d.Checks.Select(c => c.Kind)));
        Assert.All(https.Destinations, d => Assert.EndsWith("web-farm.csx", d.Location!.Value.File, StringComparison.Ordinal));
        Assert.IsType<ProgramHook>(https.Policy.QuorumDown);
        Assert.Equal(ServiceFlags.ShPort, state.Services[3].Service.Flags);
        Assert.NotNull(state.Timeouts);
    }

    // Locations and hooks aside: the kernel settings and policies as declared.
    private static object Strip(DesiredState s) => s.Services.Select(x => new
    {
        x.Service,
        x.Policy,
        Destinations = string.Join(";", x.Destinations.Select(d => $"{d.Destination} {d.Checks.Length}")),
    }).ToList().Aggregate("", (a, b) => a + b + "\n");

    private sealed class HookComparer : IEqualityComparer<Hook?>
    {
        public static readonly HookComparer Instance = new();

        public bool Equals(Hook? x, Hook? y) => (x, y) switch
        {
            (ProgramHook a, ProgramHook b) => a.Path == b.Path && a.Arguments.SequenceEqual(b.Arguments) && a.Location == b.Location,
            _ => ReferenceEquals(x, y),
        };

        public int GetHashCode(Hook? obj) => 0;
    }
}
