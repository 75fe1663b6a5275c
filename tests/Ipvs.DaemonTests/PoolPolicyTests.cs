namespace Ipvs.DaemonTests;

public sealed class PoolPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly ServiceKey Web = ServiceKey.Tcp("10.0.0.1:80");

    private static DesiredService Service(ServicePolicy? policy = null, params DesiredDestination[] destinations) =>
        new(new VirtualService(Web) { Scheduler = "wrr" }, destinations) { Policy = policy ?? ServicePolicy.Default };

    private static DesiredDestination Dest(int i, int weight = 1) => new Destination($"192.168.0.{i}:80", weight);

    private static Func<DestinationKey, DestinationHealth> Health(params (int I, DestinationHealth H)[] set) =>
        key => set.Where(s => key == DestinationKey.Parse($"192.168.0.{s.I}:80")).Select(s => s.H).DefaultIfEmpty(DestinationHealth.Healthy).First();

    private static string[] Pool(PoolDecision d) => [.. d.Pool.Select(p => $"{p.Key}={p.Weight}")];

    [Fact]
    public void A_failed_destination_leaves_the_pool_and_the_healthy_keep_their_weights()
    {
        var d = PoolPolicy.Decide(Service(null, Dest(1, 2), Dest(2, 3)), Health((1, DestinationHealth.Failed)), quorumWasUp: true, Now);

        Assert.Equal(["192.168.0.2:80=3"], Pool(d));
        Assert.True(d.QuorumUp);
        Assert.Equal(3, d.LiveWeight);
    }

    [Fact]
    public void With_inhibit_on_failure_a_failed_destination_stays_at_weight_0()
    {
        var service = Service(new ServicePolicy { InhibitOnFailure = true }, Dest(1, 2), Dest(2, 3));

        var d = PoolPolicy.Decide(service, Health((1, DestinationHealth.Failed)), true, Now);

        Assert.Equal(["192.168.0.2:80=3", "192.168.0.1:80=0"], Pool(d));
    }

    [Fact]
    public void A_destination_level_inhibit_setting_overrides_the_service_level_one()
    {
        var service = Service(new ServicePolicy { InhibitOnFailure = true }, Dest(1) with { InhibitOnFailure = false }, Dest(2));

        var d = PoolPolicy.Decide(service, Health((1, DestinationHealth.Failed)), true, Now);

        Assert.Equal(["192.168.0.2:80=1"], Pool(d));
    }

    [Fact]
    public void A_weight_from_a_check_replaces_the_configured_weight()
    {
        var d = PoolPolicy.Decide(Service(null, Dest(1, 5)), Health((1, new DestinationHealth(true, 17))), true, Now);

        Assert.Equal(["192.168.0.1:80=17"], Pool(d));
    }

    [Fact]
    public void When_every_destination_fails_the_sorry_server_serves_alone()
    {
        var sorry = new Destination("192.168.0.250:80", 1);
        var service = Service(new ServicePolicy { SorryServer = sorry }, Dest(1), Dest(2));

        var d = PoolPolicy.Decide(service, Health((1, DestinationHealth.Failed), (2, DestinationHealth.Failed)), true, Now);

        Assert.False(d.QuorumUp);
        Assert.True(d.SorryServerActive);
        Assert.Equal(["192.168.0.250:80=1"], Pool(d));
    }

    [Fact]
    public void Losing_the_quorum_with_a_sorry_server_takes_the_live_destinations_out_too_as_keepalived_does()
    {
        var sorry = new Destination("192.168.0.250:80", 1);
        var service = Service(new ServicePolicy { Quorum = 3, SorryServer = sorry }, Dest(1, 2), Dest(2, 2));

        var d = PoolPolicy.Decide(service, Health((1, DestinationHealth.Failed)), true, Now);

        Assert.Equal(2, d.LiveWeight);
        Assert.Equal(["192.168.0.250:80=1"], Pool(d));
    }

    [Fact]
    public void Without_a_sorry_server_a_lost_quorum_only_changes_the_quorum_state()
    {
        var service = Service(new ServicePolicy { Quorum = 3 }, Dest(1, 2), Dest(2, 2));

        var d = PoolPolicy.Decide(service, Health((1, DestinationHealth.Failed)), true, Now);

        Assert.False(d.QuorumUp);
        Assert.Equal(["192.168.0.2:80=2"], Pool(d));
    }

    [Theory]
    // quorum 4, hysteresis 1: once up, it holds down to 3; once down, it needs 5.
    [InlineData(true, 3, true)]
    [InlineData(true, 2, false)]
    [InlineData(false, 4, false)]
    [InlineData(false, 5, true)]
    public void The_quorum_moves_with_hysteresis(bool wasUp, int liveWeight, bool expectUp)
    {
        var service = Service(new ServicePolicy { Quorum = 4, Hysteresis = 1 }, Dest(1, liveWeight), Dest(2, 9));

        var d = PoolPolicy.Decide(service, Health((2, DestinationHealth.Failed)), wasUp, Now);

        Assert.Equal(expectUp, d.QuorumUp);
    }

    [Fact]
    public void A_zero_live_weight_loses_the_quorum_even_when_the_hysteresis_would_hold_it()
    {
        var service = Service(new ServicePolicy { Quorum = 1, Hysteresis = 1 }, Dest(1, 0));

        Assert.False(PoolPolicy.Decide(service, Health(), true, Now).QuorumUp);
    }

    [Fact]
    public void With_sorry_server_inhibit_the_idle_sorry_server_waits_in_the_table_at_weight_0()
    {
        var sorry = new Destination("192.168.0.250:80", 4);
        var service = Service(new ServicePolicy { SorryServer = sorry, SorryServerInhibit = true }, Dest(1));

        var up = PoolPolicy.Decide(service, Health(), true, Now);
        var down = PoolPolicy.Decide(service, Health((1, DestinationHealth.Failed)), true, Now);

        Assert.Equal(["192.168.0.1:80=1", "192.168.0.250:80=0"], Pool(up));
        Assert.Equal(["192.168.0.250:80=4"], Pool(down));
    }

    [Fact]
    public void Regaining_the_quorum_puts_the_live_destinations_back_and_the_sorry_server_out()
    {
        var sorry = new Destination("192.168.0.250:80", 1);
        var service = Service(new ServicePolicy { SorryServer = sorry }, Dest(1), Dest(2));

        var d = PoolPolicy.Decide(service, Health((2, DestinationHealth.Failed)), quorumWasUp: false, Now);

        Assert.True(d.QuorumUp);
        Assert.False(d.SorryServerActive);
        Assert.Equal(["192.168.0.1:80=1"], Pool(d));
    }

    [Fact]
    public void A_returning_destination_ramps_linearly_from_its_initial_weight_over_the_slow_start()
    {
        var dest = Dest(1, 100) with { SlowStart = new SlowStart(TimeSpan.FromSeconds(10)) { InitialWeight = 5 } };
        var service = Service(null, dest);
        int At(double seconds) => PoolPolicy.Decide(service, Health((1, new DestinationHealth(true, null, Now))), true, Now.AddSeconds(seconds)).Pool[0].Weight;

        Assert.Equal([5, 5, 25, 50, 99, 100, 100], new[] { 0, 0.01, 2.5, 5, 9.99, 10, 60 }.Select(At));
    }

    [Fact]
    public void An_adopted_destination_is_not_ramped_and_the_quorum_counts_the_full_weight()
    {
        var dest = Dest(1, 100) with { SlowStart = new SlowStart(TimeSpan.FromSeconds(10)) };
        var ramping = PoolPolicy.Decide(Service(new ServicePolicy { Quorum = 100 }, dest), Health((1, new DestinationHealth(true, null, Now))), false, Now.AddSeconds(1));
        var adopted = PoolPolicy.Decide(Service(null, dest), Health((1, DestinationHealth.Healthy)), true, Now);

        Assert.Equal(10, ramping.Pool[0].Weight);
        Assert.True(ramping.QuorumUp);
        Assert.Equal(100, adopted.Pool[0].Weight);
    }
}
