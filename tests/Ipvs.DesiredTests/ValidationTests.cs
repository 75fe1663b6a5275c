using static Ipvs.DesiredTests.Support.Build;

namespace Ipvs.DesiredTests;

/// <summary>Validation reports every problem of a desired state, placed at its declaration.</summary>
public sealed class ValidationTests
{
    private static ValidationProblem Only(DesiredState state, ValidationOptions? options = null) =>
        Assert.Single(DesiredValidator.Validate(state, options).Problems);

    private static DesiredState WithDestination(DesiredDestination d, VirtualService? service = null) =>
        State(new DesiredService(service ?? Wrr(Web), [d]) { Location = At(1) });

    private static DesiredState WithCheck(HealthCheck check, string endpoint = "192.168.0.1:80") =>
        WithDestination(new DesiredDestination(Dest(endpoint), [check]) { Location = At(2) });

    [Fact]
    public void A_valid_state_has_no_problems()
    {
        var state = State(
            new DesiredService(Wrr(Web) with { PersistenceTimeout = 300, Netmask = Netmask.FromPrefixLength(24) },
            [
                new DesiredDestination(Dest("192.168.0.1:80", 3), [new HttpCheck { Path = "/health", StatusCodes = [StatusRange.Parse("200-299")], BodyRegex = "ok" }])
                {
                    NotifyUp = new ProgramHook("/usr/local/bin/up", "web", "1"),
                    SlowStart = new SlowStart(TimeSpan.FromSeconds(30)),
                },
                Dest("192.168.0.2:80", 1, ForwardingMethod.DirectRoute),
                Dest("[2001:db8::2]:80", 1, ForwardingMethod.Tunnel) with { TunnelType = TunnelType.Gue, TunnelPort = 6080 },
            ])
            {
                Policy = new ServicePolicy { Quorum = 2, Hysteresis = 1, SorryServer = Dest("192.168.0.99:80") },
            }) with
        { Timeouts = Timeouts.FromSeconds(900, 0, 300) };
        var result = DesiredValidator.Validate(state);
        Assert.True(result.IsValid);
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void A_service_declared_twice_is_an_error_at_the_second_naming_the_first()
    {
        var state = State(
            new DesiredService(Wrr(Web)) { Location = At(1) },
            new DesiredService(new VirtualService("tcp:10.0.0.1:80", "rr")) { Location = At(7, 3) });
        var p = Only(state);
        Assert.Equal("site.conf:7:3: error: Service tcp:10.0.0.1:80 is declared twice (first at site.conf:1:1). [duplicate-service] (hint: Merge the declarations into one, or give one another address, port, protocol or mark.)", p.ToString());
    }

    [Fact]
    public void A_destination_declared_twice_in_a_service_is_an_error_but_in_two_services_it_is_fine()
    {
        var d = new DesiredDestination(Dest("192.168.0.1:80")) { Location = At(4) };
        var state = State(
            new DesiredService(Wrr(Web), [d, d with { Location = At(5) }]),
            new DesiredService(Wrr(Other), [d]));
        var p = Only(state);
        Assert.Equal(("duplicate-destination", At(5)), (p.Code, p.Location!.Value));
        Assert.Equal("Destination 192.168.0.1:80 is declared twice in service tcp:10.0.0.1:80 (first at site.conf:4:1).", p.Message);
    }

    [Fact]
    public void A_lower_threshold_above_the_upper_is_the_librarys_error_with_a_hint()
    {
        var p = Only(WithDestination(new DesiredDestination(Dest("192.168.0.1:80") with { UpperThreshold = 5, LowerThreshold = 10 }) { Location = At(3) }));
        Assert.Equal(("threshold-order", ProblemSeverity.Error, At(3)), (p.Code, p.Severity, p.Location!.Value));
        Assert.Equal("Service tcp:10.0.0.1:80: Destination 192.168.0.1:80: the lower threshold 10 is above the upper threshold 5.", p.Message);
        Assert.Contains("even when the upper one is 0", p.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Thresholds_above_int_max_are_out_of_range()
    {
        Assert.Equal("threshold-range", Only(WithDestination(Dest("192.168.0.1:80") with { UpperThreshold = uint.MaxValue })).Code);
    }

    [Theory]
    [InlineData(ForwardingMethod.Masquerade)]
    [InlineData(ForwardingMethod.DirectRoute)]
    [InlineData(ForwardingMethod.Local)]
    public void A_destination_of_another_family_needs_a_tunnel(ForwardingMethod forwarding)
    {
        var p = Only(WithDestination(Dest("[2001:db8::2]:80", 1, forwarding)));
        Assert.Equal(("family-mismatch", At(1)), (p.Code, p.Location!.Value));
        Assert.Equal("Service tcp:10.0.0.1:80: Destination [2001:db8::2]:80 is IPv6 but service tcp:10.0.0.1:80 is IPv4: a destination of another address family needs tunnel forwarding.", p.Message);
        Assert.StartsWith("Only tunnelling (ipip, gue or gre)", p.Hint, StringComparison.Ordinal);
        Assert.Empty(DesiredValidator.Validate(WithDestination(Dest("[2001:db8::2]:80", 1, ForwardingMethod.Tunnel))).Problems);
    }

    [Fact]
    public void A_GUE_tunnel_without_a_port_is_an_error()
    {
        var p = Only(WithDestination(Dest("192.168.0.1:80", 1, ForwardingMethod.Tunnel) with { TunnelType = TunnelType.Gue }));
        Assert.Equal("tunnel-port-missing", p.Code);
        Assert.Equal("Give the GUE tunnel's UDP port.", p.Hint);
    }

    [Fact]
    public void A_GRE_tunnel_on_a_kernel_before_5_3_is_unsupported()
    {
        var options = new ValidationOptions { Capabilities = new KernelCapabilities(new Version(5, 2)) };
        var p = Only(WithDestination(Dest("192.168.0.1:80", 1, ForwardingMethod.Tunnel) with { TunnelType = TunnelType.Gre }), options);
        Assert.Equal("unsupported-by-kernel", p.Code);
        Assert.Contains("needs Linux 5.3", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tunnel_settings_without_tunnel_forwarding_are_a_warning()
    {
        var result = DesiredValidator.Validate(WithDestination(Dest("192.168.0.1:80") with { TunnelType = TunnelType.Gue, TunnelPort = 6080 }));
        var p = Assert.Single(result.Problems);
        Assert.Equal((ProblemSeverity.Warning, "tunnel-settings-unused"), (p.Severity, p.Code));
        Assert.True(result.IsValid);
    }

    [Fact]
    public void A_non_contiguous_IPv4_netmask_is_an_error()
    {
        var service = Wrr(Web) with { PersistenceTimeout = 300, Netmask = Netmask.FromIPv4Value(0xFF00FF00) };
        var p = Only(State(new DesiredService(service) { Location = At(2) }));
        Assert.Equal("site.conf:2:1: error: Service tcp:10.0.0.1:80: the persistence netmask 255.0.255.0 is not contiguous. [netmask-not-contiguous] (hint: Use a mask of leading ones such as 255.255.255.0 (/24).)", p.ToString());
    }

    [Fact]
    public void A_netmask_without_persistence_is_a_warning()
    {
        Assert.Equal("netmask-without-persistence", Only(State(Service(Wrr(Web) with { Netmask = Netmask.FromPrefixLength(24) }))).Code);
    }

    [Fact]
    public void A_persistence_timeout_the_kernel_cannot_keep_in_jiffies_is_an_error()
    {
        Assert.Equal("persistence-timeout-range", Only(State(Service(Wrr(Web) with { PersistenceTimeout = 5_000_000 }))).Code);
        Assert.True(DesiredValidator.Validate(State(Service(Wrr(Web) with { PersistenceTimeout = 4_294_967 }))).IsValid);
    }

    [Fact]
    public void Flags_that_do_nothing_for_the_scheduler_or_protocol_are_warnings()
    {
        var problems = DesiredValidator.Validate(State(Service(Wrr(Web) with { Flags = ServiceFlags.OnePacket | ServiceFlags.SchedulerFlag1 }))).Problems;
        Assert.Equal(["one-packet-not-udp", "scheduler-flags-unused"], problems.Select(p => p.Code));
        Assert.All(problems, p => Assert.Equal(ProblemSeverity.Warning, p.Severity));
        Assert.Empty(DesiredValidator.Validate(State(Service(new VirtualService(Resolver) { Scheduler = "sh", Flags = ServiceFlags.OnePacket | ServiceFlags.ShPort }))).Problems);
    }

    [Fact]
    public void Settings_the_librarys_model_refuses_become_located_problems_through_TryCreate()
    {
        var problems = new List<ValidationProblem>();
        Assert.False(DesiredValidator.TryCreate(() => new Destination("192.168.0.1:80", -1), At(4), problems, out _));
        Assert.False(DesiredValidator.TryCreate(() => new VirtualService(Web) { Scheduler = "a-scheduler-name-too-long" }, At(5), problems, out _));
        Assert.False(DesiredValidator.TryCreate(() => new VirtualService(Web) { PersistenceEngine = "sip-engine-too-long" }, At(6), problems, out _));
        Assert.False(DesiredValidator.TryCreate(() => Netmask.FromPrefixLength(129, AddressFamily.InterNetworkV6), At(7), problems, out _));
        Assert.False(DesiredValidator.TryCreate(() => ServiceKey.Parse("tcp:10.0.0:80"), At(8), problems, out _));
        Assert.True(DesiredValidator.TryCreate(() => new Destination("192.168.0.1:80", int.MaxValue), At(9), problems, out var ok));
        Assert.Equal(int.MaxValue, ok.Weight);
        Assert.Equal(
            [
                "site.conf:4:1: error: Weight -1 is negative; weights are 0 to 2147483647. [invalid-value]",
                "site.conf:5:1: error: The scheduler name 'a-scheduler-name-too-long' has 25 characters; the kernel allows at most 15. [invalid-value]",
                "site.conf:6:1: error: The persistence engine name 'sip-engine-too-long' has 19 characters; the kernel allows at most 15. [invalid-value]",
                "site.conf:7:1: error: An IPv6 persistence prefix must be 1 to 128; 129 is out of range. [invalid-value]",
                "site.conf:8:1: error: 'tcp:10.0.0:80' is not a service: '10.0.0' in '10.0.0:80' is not an IPv4 or IPv6 address. [invalid-value]",
            ],
            problems.Select(p => p.ToString()));
    }

    [Fact]
    public void Policy_errors_and_warnings()
    {
        var policy = new ServicePolicy { Quorum = 0, Hysteresis = -1, DelayLoop = TimeSpan.Zero, VirtualHost = "", SorryServerInhibit = true, Location = At(6) };
        var problems = DesiredValidator.Validate(State(new DesiredService(Wrr(Web)) { Policy = policy, Location = At(5) })).Problems;
        Assert.Equal(["quorum-range", "hysteresis-range", "delay-loop-range", "virtualhost-empty", "sorry-server-inhibit-unused"], problems.Select(p => p.Code));
        Assert.All(problems, p => Assert.Equal(At(6), p.Location!.Value));
    }

    [Fact]
    public void A_quorum_the_weights_cannot_reach_and_a_hysteresis_as_large_as_the_quorum_are_warnings()
    {
        var state = State(new DesiredService(Wrr(Web), [Dest("192.168.0.1:80", 1), Dest("192.168.0.2:80", 1)]) { Policy = new ServicePolicy { Quorum = 2, Hysteresis = 2 } });
        var problems = DesiredValidator.Validate(state).Problems;
        Assert.Equal(["hysteresis-too-large", "quorum-unreachable"], problems.Select(p => p.Code));
        Assert.Equal("Service tcp:10.0.0.1:80: the destinations' weights add up to 2, below the quorum 2 (plus hysteresis 2), so it can never be up.", problems[1].Message);
    }

    [Fact]
    public void A_sorry_server_of_another_family_without_a_tunnel_is_an_error()
    {
        var state = State(new DesiredService(Wrr(Web)) { Policy = new ServicePolicy { SorryServer = Dest("[2001:db8::99]:80") }, Location = At(2) });
        var p = Only(state);
        Assert.Equal(("sorry-server-family-mismatch", At(2)), (p.Code, p.Location!.Value));
        Assert.StartsWith("Service tcp:10.0.0.1:80: sorry server: Destination [2001:db8::99]:80 is IPv6", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hooks_run_absolute_programs_with_positive_timeouts()
    {
        var d = new DesiredDestination(Dest("192.168.0.1:80"))
        {
            NotifyUp = new ProgramHook("notify.sh", "up") { Location = At(8) },
            NotifyDown = new ProgramHook("/bin/notify", "down") { Timeout = TimeSpan.Zero, User = "" },
            Location = At(7),
        };
        var problems = DesiredValidator.Validate(WithDestination(d)).Problems;
        Assert.Equal(["hook-path", "hook-timeout", "hook-user"], problems.Select(p => p.Code));
        Assert.Equal([At(8), At(7), At(7)], problems.Select(p => p.Location!.Value));
        Assert.Equal("Service tcp:10.0.0.1:80: destination 192.168.0.1:80: the up hook runs 'notify.sh', which is not an absolute path.", problems[0].Message);
    }

    [Fact]
    public void Slow_start_needs_a_positive_duration_and_a_start_weight_within_the_weight()
    {
        var d = new DesiredDestination(Dest("192.168.0.1:80", 2)) { SlowStart = new SlowStart(TimeSpan.Zero) { InitialWeight = 3 } };
        Assert.Equal(["slow-start-duration", "slow-start-weight"], DesiredValidator.Validate(WithDestination(d)).Problems.Select(p => p.Code));
    }

    public static TheoryData<HealthCheck, string> BadCommonSettings => new()
    {
        { new TcpCheck { Rise = 0 }, "check-rise" },
        { new TcpCheck { Fall = -1 }, "check-fall" },
        { new TcpCheck { Interval = TimeSpan.Zero }, "check-interval" },
        { new TcpCheck { ConnectTimeout = TimeSpan.FromSeconds(-1) }, "check-connect-timeout" },
        { new TcpCheck { ReadTimeout = TimeSpan.Zero }, "check-read-timeout" },
        { new TcpCheck { Retries = -1 }, "check-retries" },
        { new TcpCheck { DelayBeforeRetry = TimeSpan.FromSeconds(-1) }, "check-delay-before-retry" },
        { new TcpCheck { WarmUp = TimeSpan.FromSeconds(-1) }, "check-warmup" },
        // Longer than .NET's timers wait: refused here, not deep in the daemon's scheduler.
        { new TcpCheck { Interval = TimeSpan.MaxValue }, "check-interval" },
        { new TcpCheck { ConnectTimeout = TimeSpan.FromDays(50) }, "check-connect-timeout" },
        { new TcpCheck { ReadTimeout = TimeSpan.FromDays(50) }, "check-read-timeout" },
        { new TcpCheck { DelayBeforeRetry = TimeSpan.FromDays(50) }, "check-delay-before-retry" },
        { new TcpCheck { WarmUp = TimeSpan.MaxValue }, "check-warmup" },
        { new TcpCheck { ConnectPort = 0 }, "check-port" },
        { new TcpCheck { ConnectPort = 65536 }, "check-port" },
        { new TcpCheck { BindAddress = IPAddress.Parse("2001:db8::5") }, "check-bind-family" },
    };

    [Theory]
    [MemberData(nameof(BadCommonSettings))]
    public void Check_settings_out_of_range_are_errors_at_the_check(HealthCheck check, string code)
    {
        var p = Only(WithCheck(check with { Location = At(10, 5) }));
        Assert.Equal((code, ProblemSeverity.Error, At(10, 5)), (p.Code, p.Severity, p.Location!.Value));
        Assert.StartsWith("Service tcp:10.0.0.1:80: destination 192.168.0.1:80: the tcp check ", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_check_without_a_location_is_placed_at_its_destination()
    {
        Assert.Equal(At(2), Only(WithCheck(new TcpCheck { Rise = 0 })).Location!.Value);
    }

    [Fact]
    public void A_connecting_check_of_a_port_0_destination_needs_a_connect_port()
    {
        var p = Only(WithCheck(new HttpCheck(), "192.168.0.1:0"));
        Assert.Equal("check-no-port", p.Code);
        Assert.Equal("Service tcp:10.0.0.1:80: destination 192.168.0.1:0: the http check has no port to connect to: the destination's port is 0.", p.Message);
        Assert.Empty(DesiredValidator.Validate(WithCheck(new HttpCheck { ConnectPort = 8080 }, "192.168.0.1:0")).Problems);
        Assert.Empty(DesiredValidator.Validate(WithCheck(new IcmpCheck(), "192.168.0.1:0")).Problems);
    }

    public static TheoryData<HealthCheck, string[]> BadChecks => new()
    {
        { new HttpCheck { Path = "health" }, ["http-path"] },
        { new HttpCheck { StatusCodes = [new StatusRange(99, 200), new StatusRange(300, 200)] }, ["http-status", "http-status"] },
        { new HttpCheck { BodyRegex = "(", BodyDigest = "0123" }, ["http-body", "http-regex", "http-digest"] },
        { new HttpCheck { VirtualHost = "", ServerName = "example.org" }, ["http-virtualhost", "http-tls-unused"] },
        { new UdpCheck { ExpectedReply = [1, 2] }, ["udp-expected-reply-unused"] },
        { new DnsCheck { Type = (DnsRecordType)999, Name = "" }, ["dns-type", "dns-name"] },
        { new SmtpCheck { HeloName = "" }, ["smtp-helo"] },
        { new ProgramCheck("check.sh") { Timeout = TimeSpan.Zero, User = "" }, ["program-path", "program-timeout", "program-user"] },
        { new FileCheck("") { Weight = -1 }, ["file-path", "file-weight"] },
        { new DelegateCheck(null!), ["delegate-probe"] },
    };

    [Theory]
    [MemberData(nameof(BadChecks))]
    public void Each_kind_of_check_is_checked_for_its_own_settings(HealthCheck check, string[] codes)
    {
        Assert.Equal(codes, DesiredValidator.Validate(WithCheck(check)).Problems.Select(p => p.Code));
    }

    [Fact]
    public void Good_checks_of_every_kind_pass()
    {
        HealthCheck[] checks =
        [
            new HttpCheck { UseTls = true, ServerName = "www.example.org", VerifyTls = true, BodyDigest = "d41d8cd98f00b204e9800998ecf8427e", StatusCodes = [StatusRange.Single(200)] },
            new TcpCheck { ConnectAddress = IPAddress.Parse("192.168.0.10"), ConnectPort = 8080, BindAddress = IPAddress.Parse("192.168.0.254") },
            new UdpCheck { Payload = [0x01], RequireReply = true, ExpectedReply = [0x02] },
            new DnsCheck { Type = DnsRecordType.Aaaa, Name = "example.org" },
            new SmtpCheck { HeloName = "lb.example.org" },
            new IcmpCheck { Interval = TimeSpan.FromSeconds(1), Rise = 3, Fall = 2, Retries = 0 },
            new ProgramCheck("/usr/lib/check", "--fast") { DynamicWeight = true, Timeout = TimeSpan.FromSeconds(5) },
            new FileCheck("/run/weight") { Weight = 10, Reverse = true },
            new DelegateCheck((_, _) => ValueTask.FromResult(true)) { Name = "always" },
        ];
        var state = WithDestination(new DesiredDestination(Dest("192.168.0.1:80"), checks));
        Assert.Empty(DesiredValidator.Validate(state).Problems);
    }

    [Fact]
    public void Out_of_range_timeouts_are_the_librarys_error()
    {
        var p = Only(new DesiredState { Timeouts = new Timeouts(TimeSpan.FromMilliseconds(1500), TimeSpan.Zero, TimeSpan.Zero), TimeoutsLocation = At(12) });
        Assert.Equal(("timeout-range", At(12)), (p.Code, p.Location!.Value));
        Assert.Equal("The TCP timeout must be a whole number of seconds from 0 to 2147483647.", p.Message);
    }

    [Fact]
    public void Problems_are_reported_all_at_once_in_declaration_order()
    {
        var state = State(
            new DesiredService(Wrr(Web), [Dest("192.168.0.1:80") with { UpperThreshold = 1, LowerThreshold = 2 }, Dest("[2001:db8::1]:80")]),
            new DesiredService(Wrr(Web)),
            new DesiredService(Wrr(Other), [new DesiredDestination(Dest("192.168.0.1:80"), [new TcpCheck { Rise = 0 }])]));
        Assert.Equal(["threshold-order", "family-mismatch", "duplicate-service", "check-rise"], DesiredValidator.Validate(state).Problems.Select(p => p.Code));
    }

    [Fact]
    public void Status_ranges_parse_and_print()
    {
        Assert.Equal(new StatusRange(200, 299), StatusRange.Parse("200-299"));
        Assert.Equal(StatusRange.Single(204), StatusRange.Parse("204"));
        Assert.Equal("200-299", new StatusRange(200, 299).ToString());
        Assert.True(new StatusRange(200, 299).Contains(204));
        Assert.Throws<FormatException>(() => StatusRange.Parse("2xx"));
    }
}
