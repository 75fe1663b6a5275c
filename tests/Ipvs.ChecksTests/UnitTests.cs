using Ipvs.Checks.Probes;
using static Ipvs.ChecksTests.Support.Targets;

namespace Ipvs.ChecksTests;

/// <summary>Targets, defaults, weights, and the probers' byte-level pieces.</summary>
public sealed class UnitTests
{
    private static readonly Destination Real = new("192.168.0.2:80");

    [Fact]
    public void A_target_is_the_destination_unless_the_check_sets_a_connect_address_or_port()
    {
        Assert.Equal(IPEndPoint.Parse("192.168.0.2:80"), CheckTarget.For(Web, Real, new TcpCheck()).Endpoint);
        var moved = CheckTarget.For(Web, Real, new TcpCheck { ConnectAddress = IPAddress.Parse("10.9.9.9"), ConnectPort = 8080 });
        Assert.Equal((Web, Real, IPEndPoint.Parse("10.9.9.9:8080")), (moved.Service, moved.Destination, moved.Endpoint));
    }

    [Fact]
    public void A_firewall_mark_services_checks_take_the_checks_connect_port_and_need_one()
    {
        var mark = ServiceKey.ForFirewallMark(7);
        var portless = new Destination("192.168.0.2:0");
        Assert.Equal(443, CheckTarget.For(mark, portless, new HttpCheck { ConnectPort = 443 }).Endpoint.Port);
        var error = Assert.Throws<ArgumentException>(() => CheckTarget.For(mark, portless, new HttpCheck()));
        Assert.Contains("no port to connect to", error.Message);
        Assert.Equal(0, CheckTarget.For(mark, portless, new IcmpCheck()).Endpoint.Port); // ICMP needs none
        Assert.Equal(0, CheckTarget.For(mark, portless, new ProgramCheck("/bin/true")).Endpoint.Port);
    }

    [Fact]
    public void Defaults_are_keepalived_and_fill_only_what_a_check_leaves_unset()
    {
        var tcp = CheckDefaults.Keepalived.Resolve(new TcpCheck());
        Assert.Equal((TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), 1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60)),
            (tcp.Interval, tcp.ConnectTimeout, tcp.ReadTimeout, tcp.Retries, tcp.DelayBeforeRetry, tcp.WarmUp));
        Assert.Equal(TimeSpan.FromSeconds(3), CheckDefaults.Keepalived.Resolve(new HttpCheck()).DelayBeforeRetry);
        var dns = CheckDefaults.Keepalived.Resolve(new DnsCheck { Interval = TimeSpan.FromSeconds(7) });
        Assert.Equal((3, TimeSpan.FromSeconds(7)), (dns.Retries, dns.DelayBeforeRetry));
        var program = (ProgramCheck)CheckDefaults.Keepalived.Resolve(new ProgramCheck("/bin/true") { Interval = TimeSpan.FromSeconds(9) });
        Assert.Equal((0, TimeSpan.FromSeconds(9)), (program.Retries, program.Timeout));
        Assert.Equal(0, CheckDefaults.Keepalived.Resolve(new FileCheck("/x")).Retries);

        var service = CheckDefaults.Keepalived with { Interval = TimeSpan.FromSeconds(2), VirtualHost = "www.example.com" };
        var http = (HttpCheck)service.Resolve(new HttpCheck { Retries = 4 });
        Assert.Equal((TimeSpan.FromSeconds(2), 4, "www.example.com"), (http.Interval, http.Retries, http.VirtualHost));
        Assert.Equal("own.example.com", ((HttpCheck)service.Resolve(new HttpCheck { VirtualHost = "own.example.com" })).VirtualHost);
        Assert.Same(tcp, CheckDefaults.Keepalived.Resolve(tcp));
    }

    [Fact]
    public void Dynamic_weights_combine_as_keepalived_adds_them_to_the_declared_weight()
    {
        HealthCheck program = new ProgramCheck("/bin/check") { DynamicWeight = true };
        HealthCheck file = new FileCheck("/run/w");
        HealthCheck tcp = new TcpCheck();
        Assert.Equal(8, DynamicWeight.Effective(3, [(program, 8), (tcp, null)]));    // a program's weight replaces the declared one
        Assert.Equal(3, DynamicWeight.Effective(3, [(program, null)]));              // exit 0: unchanged
        Assert.Equal(13, DynamicWeight.Effective(3, [(file, 10)]));                   // a file's adds to it
        Assert.Equal(18, DynamicWeight.Effective(3, [(program, 8), (file, 10)]));
        Assert.Equal(0, DynamicWeight.Effective(3, [(file, -10)]));                   // never below 0
    }

    [Theory]
    [InlineData("12", 12)]
    [InlineData("  -3\n", -3)]
    [InlineData("+7", 7)]
    [InlineData("0x1F", 31)]
    [InlineData("017", 15)]
    [InlineData("09", 0)]
    [InlineData("0xg", 0)]
    [InlineData("42abc", 42)]
    [InlineData("abc", 0)]
    [InlineData("", 0)]
    public void File_numbers_read_as_strtol_base_0(string text, long expected)
    {
        Assert.Equal(expected, FileProbe.StrtolBase0(Encoding.ASCII.GetBytes(text), out bool overflow));
        Assert.False(overflow);
    }

    [Fact]
    public void An_icmp_echo_request_carries_a_valid_checksum_and_its_reply_is_recognised()
    {
        var request = IcmpProbe.Request(v6: false, id: 0x1234, sequence: 7);
        Assert.Equal(0, IcmpProbe.Checksum(request)); // the checksum of a checksummed packet is 0
        var reply = (byte[])request.Clone();
        reply[0] = 0; // echo reply
        Assert.True(IcmpProbe.IsReply(reply, request, v6: false, raw: false));
        byte[] withIpHeader = [0x45, .. new byte[19], .. reply];
        Assert.True(IcmpProbe.IsReply(withIpHeader, request, v6: false, raw: true));
        Assert.False(IcmpProbe.IsReply(request, request, v6: false, raw: false)); // our own request looped back
        reply[^1] ^= 1;
        Assert.False(IcmpProbe.IsReply(reply, request, v6: false, raw: false)); // another token
    }

    [Fact]
    public void The_http_host_header_leaves_out_the_schemes_default_port()
    {
        Assert.Equal("10.0.0.2", HttpProbe.DefaultHost(IPEndPoint.Parse("10.0.0.2:80"), tls: false));
        Assert.Equal("10.0.0.2:443", HttpProbe.DefaultHost(IPEndPoint.Parse("10.0.0.2:443"), tls: false));
        Assert.Equal("[2001:db8::2]", HttpProbe.DefaultHost(IPEndPoint.Parse("[2001:db8::2]:443"), tls: true));
        Assert.Equal("[2001:db8::2]:8443", HttpProbe.DefaultHost(IPEndPoint.Parse("[2001:db8::2]:8443"), tls: true));
    }
}
