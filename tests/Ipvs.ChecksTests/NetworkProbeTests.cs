using System.Buffers.Binary;
using static Ipvs.ChecksTests.Support.Targets;

namespace Ipvs.ChecksTests;

/// <summary>TCP, UDP, DNS, SMTP and ICMP checks against local listeners.</summary>
public sealed class NetworkProbeTests
{
    [Fact]
    public async Task A_tcp_check_passes_when_a_connection_opens_and_fails_when_it_is_refused()
    {
        await using var server = new TcpResponder((_, _) => Task.CompletedTask);
        var open = await ProbeAsync(new TcpCheck(), At(server.Endpoint));
        Assert.True(open.Passed, open.Error);

        using var closed = ClosedPort();
        var refused = await ProbeAsync(new TcpCheck(), At((IPEndPoint)closed.LocalEndPoint!));
        Assert.Equal(new ProbeResult(false, refused.Latency, "connect: connection refused", null), refused);
    }

    [Fact]
    public async Task A_tcp_check_to_a_host_that_does_not_answer_fails_at_the_connect_timeout()
    {
        using var silent = new FullListener();
        await Task.Delay(100, Ct); // let the fillers take the queue
        var result = await ProbeAsync(new TcpCheck { ConnectTimeout = TimeSpan.FromMilliseconds(300) }, At(silent.Endpoint));
        Assert.Equal("connect: timeout after 0.3 s", result.Error);
        Assert.InRange(result.Latency, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_tcp_check_from_an_address_the_host_does_not_have_fails_naming_the_bind()
    {
        await using var server = new TcpResponder((_, _) => Task.CompletedTask);
        var result = await ProbeAsync(new TcpCheck { BindAddress = IPAddress.Parse("192.0.2.77") }, At(server.Endpoint));
        Assert.Equal("bind 192.0.2.77: address not available", result.Error);
    }

    [Fact]
    public async Task A_udp_check_requiring_a_reply_passes_on_one_starting_with_the_expected_bytes()
    {
        await using var echo = new UdpResponder(datagram => [[.. "PONG:"u8, .. datagram]]);
        var check = new UdpCheck { Payload = [.. "PING"u8], RequireReply = true, ExpectedReply = [.. "PONG"u8] };
        var result = await ProbeAsync(check, At(echo.Endpoint));
        Assert.True(result.Passed, result.Error);
        Assert.Equal("PING"u8.ToArray(), Assert.Single(echo.Received));

        var wrong = await ProbeAsync(check with { ExpectedReply = [.. "PANG"u8] }, At(echo.Endpoint));
        Assert.Equal("reply 50 4f 4e 47 3a 50 49 4e 47 does not start with 50 41 4e 47", wrong.Error);
    }

    [Fact]
    public async Task A_udp_check_requiring_a_reply_fails_on_silence_after_the_read_timeout()
    {
        await using var silent = new UdpResponder(_ => []);
        var check = new UdpCheck { RequireReply = true, ReadTimeout = TimeSpan.FromMilliseconds(200) };
        var result = await ProbeAsync(check, At(silent.Endpoint));
        Assert.Equal("no reply within 0.2 s", result.Error);
    }

    [Fact]
    public async Task A_udp_check_without_a_required_reply_passes_on_silence_and_fails_on_port_unreachable()
    {
        await using var silent = new UdpResponder(_ => []);
        var check = new UdpCheck { Payload = [1, 2, 3], ReadTimeout = TimeSpan.FromMilliseconds(200) };
        var quiet = await ProbeAsync(check, At(silent.Endpoint));
        Assert.True(quiet.Passed, quiet.Error);

        var unreachable = await ProbeAsync(check, Local(UnusedUdpPort()));
        Assert.Equal("port unreachable", unreachable.Error);
    }

    [Fact]
    public async Task A_dns_check_sends_a_well_formed_query_and_passes_on_a_noerror_reply_with_its_id()
    {
        await using var dns = new UdpResponder(query => [Answer(query, rcode: 0)]);
        var result = await ProbeAsync(new DnsCheck { Name = "www.example.com", Type = DnsRecordType.Aaaa }, At(dns.Endpoint));
        Assert.True(result.Passed, result.Error);

        var query = Assert.Single(dns.Received);
        Assert.Equal(0x0100, BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(2))); // RD
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(4)));      // one question
        Assert.Equal([3, .. "www"u8, 7, .. "example"u8, 3, .. "com"u8, 0, 0, 28, 0, 1], query[12..]);
    }

    [Fact]
    public async Task A_dns_check_of_the_root_asks_for_the_empty_name()
    {
        await using var dns = new UdpResponder(query => [Answer(query, rcode: 0)]);
        var result = await ProbeAsync(new DnsCheck { Type = DnsRecordType.Soa }, At(dns.Endpoint));
        Assert.True(result.Passed, result.Error);
        Assert.Equal([0, 0, 6, 0, 1], Assert.Single(dns.Received)[12..]);
    }

    [Fact]
    public async Task A_dns_check_ignores_replies_with_another_id_and_fails_on_an_error_rcode()
    {
        await using var dns = new UdpResponder(query =>
        {
            var stranger = Answer(query, rcode: 0);
            stranger[0] ^= 0xFF; // another id: to be ignored
            return [stranger, Answer(query, rcode: 3)];
        });
        var result = await ProbeAsync(Quick(new DnsCheck { Name = "nowhere.example" }), At(dns.Endpoint));
        Assert.Equal("rcode 3 (NXDOMAIN)", result.Error);
    }

    [Fact]
    public async Task A_dns_check_fails_when_no_reply_comes()
    {
        await using var dns = new UdpResponder(_ => []);
        var result = await ProbeAsync(new DnsCheck { ReadTimeout = TimeSpan.FromMilliseconds(200) }, At(dns.Endpoint));
        Assert.Equal("no reply within 0.2 s", result.Error);
    }

    [Fact]
    public async Task An_smtp_check_reads_the_greeting_says_helo_and_quit()
    {
        var said = new List<string>();
        await using var smtp = new TcpResponder((stream, ct) => Smtp(stream, said, "220-mail.example ESMTP\r\n220 ready\r\n", "250 hello\r\n", ct));
        var result = await ProbeAsync(new SmtpCheck { HeloName = "checker.example" }, At(smtp.Endpoint));
        Assert.True(result.Passed, result.Error);
        Assert.Equal(["HELO checker.example", "QUIT"], said);
    }

    [Fact]
    public async Task An_smtp_check_fails_on_a_greeting_other_than_220_or_a_refused_helo()
    {
        var said = new List<string>();
        await using var busy = new TcpResponder((stream, ct) => Smtp(stream, said, "554 no service\r\n", "250 hello\r\n", ct));
        var greeting = await ProbeAsync(Quick(new SmtpCheck()), At(busy.Endpoint));
        Assert.Equal("greeting '554 no service', not 220", greeting.Error);

        await using var picky = new TcpResponder((stream, ct) => Smtp(stream, said, "220 ready\r\n", "501 bad name\r\n", ct));
        var helo = await ProbeAsync(Quick(new SmtpCheck { HeloName = "x" }), At(picky.Endpoint));
        Assert.Equal("HELO answered '501 bad name', not 250", helo.Error);
    }

    [Fact]
    public async Task An_icmp_check_of_the_loopback_address_gets_an_echo_reply()
    {
        // Needs root, CAP_NET_RAW or a ping_group_range admitting this user; without, this fails
        // with the prober's explanation rather than skipping.
        var result = await ProbeAsync(new IcmpCheck { ReadTimeout = TimeSpan.FromSeconds(2) }, Local());
        Assert.True(result.Passed, $"ICMP echo to 127.0.0.1 failed: {result.Error}");
    }

    [Fact]
    public async Task An_icmp_check_of_an_address_that_does_not_answer_fails_saying_why()
    {
        // 198.51.100.0/24 is TEST-NET-2, documentation only: no host there answers (test
        // machines may use TEST-NET-1 for themselves, so not 192.0.2.0/24). Depending on the
        // network, the request goes unanswered or a router says the destination is unreachable.
        var result = await ProbeAsync(new IcmpCheck { ReadTimeout = TimeSpan.FromMilliseconds(300) }, At(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 0)));
        Assert.False(result.Passed);
        Assert.Contains(result.Error, new[] { "no echo reply within 0.3 s", "icmp: destination unreachable", "icmp: network unreachable", "icmp: host unreachable" });
    }

    // A reply to the query: its id and question, QR set, the given RCODE, no records.
    private static byte[] Answer(byte[] query, int rcode)
    {
        var reply = (byte[])query.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(2), (ushort)(0x8180 | rcode));
        return reply;
    }

    private static async Task Smtp(Stream stream, List<string> said, string greeting, string heloReply, CancellationToken ct)
    {
        var reader = new StreamReader(stream, Encoding.ASCII);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(greeting), ct);
        if (!greeting.StartsWith("220", StringComparison.Ordinal))
        {
            return;
        }
        string? line;
        while ((line = await reader.ReadLineAsync(ct)) is not null)
        {
            lock (said)
            {
                said.Add(line);
            }
            if (line.StartsWith("HELO", StringComparison.Ordinal))
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(heloReply), ct);
            }
            else if (line == "QUIT")
            {
                await stream.WriteAsync("221 bye\r\n"u8.ToArray(), ct);
                return;
            }
        }
    }
}
