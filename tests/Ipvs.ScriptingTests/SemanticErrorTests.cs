namespace Ipvs.ScriptingTests;

/// <summary>
/// Problems with what a script declares are placed at the DSL call or setting that made them,
/// in the library's and the validator's own words.
/// </summary>
public sealed class SemanticErrorTests : IDisposable
{
    private readonly Scripts _scripts = new();

    public void Dispose() => _scripts.Dispose();

    private SourceLocation At(int line, int column) => new(_scripts.Path("main.csx"), line, column);

    [Fact]
    public async Task A_service_declared_twice_is_reported_at_the_second_declaration_naming_the_first()
    {
        var error = Scripts.SingleError(await _scripts.Evaluate(
            """
            VirtualServer("10.0.0.1:80", vs => vs.LbAlgo = "rr");
            for (int i = 0; i < 1; i++)
                VirtualServer("tcp:10.0.0.1:80");
            """));
        Assert.Equal("duplicate-service", error.Code);
        Assert.Equal(At(3, 5), error.Location);
        Assert.Equal($"Service tcp:10.0.0.1:80 is declared twice (first at {At(1, 1)}).", error.Message);
    }

    [Fact]
    public async Task A_protocol_set_later_makes_two_declarations_the_same_service()
    {
        var error = Scripts.SingleError(await _scripts.Evaluate(
            """
            VirtualServer("udp:10.0.0.1:53");
            VirtualServer("10.0.0.1:53", vs => vs.Protocol = Udp);
            """));
        Assert.Equal(("duplicate-service", At(2, 1)), (error.Code, error.Location));
    }

    [Fact]
    public async Task A_destination_declared_twice_is_reported_at_the_second_one()
    {
        var error = Scripts.SingleError(await _scripts.Evaluate(
            """
            VirtualServer("10.0.0.1:80", vs =>
            {
                vs.RealServer("192.168.0.1:80", rs => rs.Weight = 1);
                vs.RealServer("192.168.0.1:80", rs => rs.Weight = 2);
            });
            """));
        Assert.Equal("duplicate-destination", error.Code);
        Assert.Equal(At(4, 5), error.Location);
        Assert.StartsWith("Destination 192.168.0.1:80 is declared twice in service tcp:10.0.0.1:80", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_weight_out_of_range_is_reported_at_the_setting()
    {
        var error = Scripts.SingleError(await _scripts.Evaluate(
            """
            VirtualServer("10.0.0.1:80", vs =>
            {
                vs.RealServer("192.168.0.1:80", rs =>
                {
                    rs.Weight = -5;
                });
            });
            """));
        Assert.Equal($"{At(5, 9)}: error: Weight -5 is negative; weights are 0 to 2147483647. [invalid-value]", error.ToString());
    }

    [Fact]
    public async Task An_ipv6_persistence_prefix_over_128_is_reported_at_the_setting()
    {
        var error = Scripts.SingleError(await _scripts.Evaluate(
            """
            VirtualServer("[2001:db8::1]:443", vs =>
            {
                vs.PersistenceTimeout = 300;
                vs.PersistenceGranularity = "129";
            });
            """));
        Assert.Equal(At(4, 5), error.Location);
        Assert.Equal("An IPv6 persistence prefix must be 1 to 128; 129 is out of range.", error.Message);
    }

    [Fact]
    public async Task Nat_to_a_server_of_the_other_family_is_impossible_and_reported_at_the_real_server()
    {
        var error = Scripts.SingleError(await _scripts.Evaluate(
            """
            VirtualServer("10.0.0.1:80", vs =>
            {
                vs.LbKind = Nat;
                vs.RealServer("[2001:db8::10]:80");
            });
            """));
        Assert.Equal(("family-mismatch", At(4, 5)), (error.Code, error.Location));
        Assert.NotNull(error.Hint);
    }

    [Fact]
    public async Task Tunnelling_to_a_server_of_the_other_family_is_allowed()
    {
        var state = Scripts.Ok(await _scripts.Evaluate(
            """
            VirtualServer("10.0.0.1:80", vs =>
            {
                vs.LbKind = Tun;
                vs.RealServer("[2001:db8::10]:80");
            });
            """));
        Assert.Equal(ForwardingMethod.Tunnel, state.Services.Single().Destinations.Single().Destination.Forwarding);
    }

    [Fact]
    public async Task A_scheduler_name_over_15_characters_is_reported_at_the_setting()
    {
        var error = Scripts.SingleError(await _scripts.Evaluate(
            """
            VirtualServer("10.0.0.1:80", vs =>
            {
                vs.LbAlgo = "weighted-round-robin";
            });
            """));
        Assert.Equal(At(3, 5), error.Location);
        Assert.Equal("The scheduler name 'weighted-round-robin' has 20 characters; the kernel allows at most 15.", error.Message);
    }

    [Fact]
    public async Task A_malformed_address_is_reported_at_its_call_and_the_rest_of_the_block_is_still_checked()
    {
        var e = await _scripts.Evaluate(
            """
            VirtualServer("10.0.0.300:80", vs =>
            {
                vs.RealServer("192.168.0.1:80", rs => rs.Weight = -1);
            });
            """);
        Assert.Null(e.State);
        Assert.Equal([At(1, 1), At(3, 43)], e.Errors.Select(d => d.Location!.Value));
        Assert.Contains("'10.0.0.300'", e.Errors.First().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_protocol_on_a_firewall_mark_service_is_reported_at_the_setting()
    {
        var error = Scripts.SingleError(await _scripts.Evaluate(
            """
            VirtualServer(Fwmark(7), vs =>
            {
                vs.Protocol = Udp;
            });
            """));
        Assert.Equal(("protocol-on-fwmark", At(3, 5)), (error.Code, error.Location));
    }

    [Fact]
    public async Task A_relative_hook_program_is_reported_at_the_hook()
    {
        var error = Scripts.SingleError(await _scripts.Evaluate(
            """
            VirtualServer("10.0.0.1:80", vs =>
            {
                vs.RealServer("192.168.0.1:80", rs =>
                {
                    rs.NotifyDown("notify.sh", "down");
                });
            });
            """));
        Assert.Equal(("hook-path", At(5, 9)), (error.Code, error.Location));
    }

    [Fact]
    public async Task A_check_with_a_bad_path_is_reported_at_the_check()
    {
        var error = Scripts.SingleError(await _scripts.Evaluate(
            """
            VirtualServer("10.0.0.1:80", vs =>
                vs.RealServer("192.168.0.1:80", rs =>
                    rs.HealthCheck(Check.Http("health").Expect(200))));
            """));
        Assert.Equal(("http-path", At(3, 9)), (error.Code, error.Location));
    }

    [Fact]
    public async Task Warnings_do_not_keep_the_state_from_being_used()
    {
        var e = await _scripts.Evaluate(
            """
            VirtualServer("10.0.0.1:80", vs =>
            {
                vs.PersistenceGranularity = "255.255.255.0";
                vs.RealServer("192.168.0.1:80");
            });
            """);
        Scripts.Ok(e);
        var warning = Assert.Single(e.Warnings);
        Assert.Equal(("netmask-without-persistence", At(1, 1)), (warning.Code, warning.Location));
    }

    [Fact]
    public async Task A_script_that_declares_nothing_is_valid_with_a_warning()
    {
        var e = await _scripts.Evaluate("var x = 1;\n");
        Assert.Empty(Scripts.Ok(e).Services);
        Assert.Equal("no-services", Assert.Single(e.Warnings).Code);
    }
}
