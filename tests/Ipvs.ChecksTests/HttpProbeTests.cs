using System.Security.Cryptography;
using static Ipvs.ChecksTests.Support.Targets;

namespace Ipvs.ChecksTests;

/// <summary>HTTP and HTTPS checks against a responder on 127.0.0.1.</summary>
public sealed class HttpProbeTests
{
    [Fact]
    public async Task An_http_check_passes_on_a_2xx_status_and_sends_the_path_and_the_address_as_host()
    {
        await using var server = new HttpResponder(204, "");
        var result = await ProbeAsync(new HttpCheck { Path = "/health?deep=1" }, At(server.Endpoint));
        Assert.True(result.Passed, result.Error);
        Assert.Null(result.Error);
        Assert.True(result.Latency > TimeSpan.Zero);
        var seen = Assert.Single(server.Requests);
        Assert.Equal("GET /health?deep=1 HTTP/1.1", seen.RequestLine);
        Assert.Equal(server.Endpoint.ToString(), seen.Host); // the address, with the port as it is not 80
    }

    [Fact]
    public async Task An_http_check_fails_on_a_status_outside_the_accepted_ranges_and_says_which()
    {
        await using var server = new HttpResponder(503);
        var result = await ProbeAsync(new HttpCheck(), At(server.Endpoint));
        Assert.False(result.Passed);
        Assert.Equal("status 503 not in 200-299", result.Error);

        var ranges = await ProbeAsync(new HttpCheck { StatusCodes = [StatusRange.Single(200), StatusRange.Parse("301-302")] }, At(server.Endpoint));
        Assert.Equal("status 503 not in 200, 301-302", ranges.Error);
    }

    [Fact]
    public async Task An_http_check_accepts_the_declared_status_ranges_and_does_not_follow_redirects()
    {
        await using var server = new HttpResponder(302);
        var accepted = await ProbeAsync(new HttpCheck { StatusCodes = [StatusRange.Parse("300-399")] }, At(server.Endpoint));
        Assert.True(accepted.Passed, accepted.Error);
        var plain = await ProbeAsync(new HttpCheck(), At(server.Endpoint));
        Assert.Equal("status 302 not in 200-299", plain.Error);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task The_host_header_is_the_checks_virtual_host_else_the_services()
    {
        await using var server = new HttpResponder();
        await ProbeAsync(new HttpCheck { VirtualHost = "www.example.com" }, At(server.Endpoint));
        await Prober.ProbeAsync(new HttpCheck(), At(server.Endpoint), CheckDefaults.Keepalived with { VirtualHost = "svc.example.com" }, Ct);
        Assert.Equal(["www.example.com", "svc.example.com"], server.Requests.Select(r => r.Host));
    }

    [Fact]
    public async Task A_body_regex_must_match_the_body()
    {
        await using var server = new HttpResponder(200, "status: green\nversion 3");
        var anchored = await ProbeAsync(new HttpCheck { BodyRegex = "^version [0-9]+$" }, At(server.Endpoint));
        Assert.False(anchored.Passed); // ^ and $ are the body's ends without (?m)
        var multiline = await ProbeAsync(new HttpCheck { BodyRegex = "(?m)^version [0-9]+$" }, At(server.Endpoint));
        Assert.True(multiline.Passed, multiline.Error);
        var red = await ProbeAsync(new HttpCheck { BodyRegex = "status: red" }, At(server.Endpoint));
        Assert.Equal("body does not match /status: red/", red.Error);
    }

    [Fact]
    public async Task A_body_digest_is_the_md5_of_the_whole_body_compared_without_case()
    {
        const string body = "hello from the real server";
        string digest = Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(body))); // upper case
        await using var server = new HttpResponder(200, body);
        var right = await ProbeAsync(new HttpCheck { BodyDigest = digest }, At(server.Endpoint));
        Assert.True(right.Passed, right.Error);
        var wrong = await ProbeAsync(new HttpCheck { BodyDigest = new string('0', 32) }, At(server.Endpoint));
        Assert.Equal($"body digest {digest.ToLowerInvariant()}, not {new string('0', 32)}", wrong.Error);
    }

    [Fact]
    public async Task A_body_longer_than_the_limit_fails_a_regex_check_instead_of_filling_memory()
    {
        await using var server = new HttpResponder(200, new string('x', 5000));
        var defaults = CheckDefaults.Keepalived with { MaxHttpBodyBytes = 1000 };
        var result = await Prober.ProbeAsync(new HttpCheck { BodyRegex = "x" }, At(server.Endpoint), defaults, Ct);
        Assert.Equal("body longer than 1000 bytes, the most matched against a regex", result.Error);
        var digest = await Prober.ProbeAsync(new HttpCheck { BodyDigest = Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(new string('x', 5000)))) }, At(server.Endpoint), defaults, Ct);
        Assert.True(digest.Passed, digest.Error); // a digest streams, unbounded
    }

    [Fact]
    public async Task An_http_check_to_a_closed_port_fails_with_connection_refused()
    {
        using var closed = ClosedPort();
        var result = await ProbeAsync(Quick(new HttpCheck()), At((IPEndPoint)closed.LocalEndPoint!));
        Assert.False(result.Passed);
        Assert.Equal("connect: connection refused", result.Error);
    }

    [Fact]
    public async Task An_http_check_to_a_host_that_does_not_answer_fails_at_the_connect_timeout()
    {
        using var silent = new FullListener();
        await Task.Delay(100, Ct);
        var check = new HttpCheck { ConnectTimeout = TimeSpan.FromMilliseconds(300), ReadTimeout = TimeSpan.FromSeconds(5) };
        var result = await ProbeAsync(check, At(silent.Endpoint));
        Assert.Equal("connect: timeout after 0.3 s", result.Error);
        Assert.True(result.Latency < TimeSpan.FromSeconds(4), $"gave up after {result.Latency}");
    }

    [Fact]
    public async Task An_http_check_times_out_reading_a_reply_that_never_comes_and_says_so()
    {
        await using var server = new HttpResponder { Hang = true };
        var check = new HttpCheck { ConnectTimeout = TimeSpan.FromSeconds(2), ReadTimeout = TimeSpan.FromMilliseconds(300) };
        var result = await ProbeAsync(check, At(server.Endpoint));
        Assert.Equal("timeout after 0.3 s reading the reply", result.Error);
        Assert.True(result.Latency >= TimeSpan.FromMilliseconds(250), $"gave up after {result.Latency}");
    }

    [Fact]
    public async Task An_http_check_connects_from_its_bind_address()
    {
        await using var server = new HttpResponder();
        var result = await ProbeAsync(new HttpCheck { BindAddress = IPAddress.Parse("127.0.0.2") }, At(server.Endpoint));
        Assert.True(result.Passed, result.Error);
        Assert.Equal(IPAddress.Parse("127.0.0.2"), Assert.Single(server.Peers).Address);
    }

    [Fact]
    public async Task An_https_check_without_verification_accepts_a_self_signed_certificate_and_sends_no_sni()
    {
        using var certificate = HttpResponder.SelfSigned();
        await using var server = new HttpResponder(certificate: certificate);
        var result = await ProbeAsync(new HttpCheck { UseTls = true, VirtualHost = "www.example.com" }, At(server.Endpoint));
        Assert.True(result.Passed, result.Error);
        var seen = Assert.Single(server.Requests);
        Assert.Null(seen.ServerName);
        Assert.Equal("www.example.com", seen.Host);
    }

    [Fact]
    public async Task An_https_check_sends_its_server_name_as_sni_apart_from_the_host_header()
    {
        using var certificate = HttpResponder.SelfSigned();
        await using var server = new HttpResponder(certificate: certificate);
        var result = await ProbeAsync(new HttpCheck { UseTls = true, ServerName = "check.test", VirtualHost = "www.example.com" }, At(server.Endpoint));
        Assert.True(result.Passed, result.Error);
        var seen = Assert.Single(server.Requests);
        Assert.Equal("check.test", seen.ServerName);
        Assert.Equal("www.example.com", seen.Host);
    }

    [Fact]
    public async Task An_https_check_with_verification_refuses_an_untrusted_certificate()
    {
        using var certificate = HttpResponder.SelfSigned();
        await using var server = new HttpResponder(certificate: certificate);
        // Generous timeouts: the first TLS handshake of a process loads OpenSSL, slow on a loaded
        // machine, and this test is about the certificate, not the clock.
        var check = new HttpCheck { UseTls = true, VerifyTls = true, ServerName = "check.test", ConnectTimeout = TimeSpan.FromSeconds(20), ReadTimeout = TimeSpan.FromSeconds(20) };
        var result = await ProbeAsync(check, At(server.Endpoint));
        Assert.False(result.Passed);
        Assert.StartsWith("tls: ", result.Error);
    }

    [Fact]
    public async Task Many_http_checks_at_once_leave_no_connection_open()
    {
        await using var server = new HttpResponder();
        var target = At(server.Endpoint);
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => ProbeAsync(new HttpCheck { Path = $"/{i}" }, target).AsTask()));
        Assert.All(results, r => Assert.True(r.Passed, r.Error));
        // Every request said Connection: close, so no client socket to the server survives its check.
        await WaitUntil(() => OpenConnectionsTo(server.Endpoint) == 0, "no connection to the server is open");
    }

    private static int OpenConnectionsTo(IPEndPoint server) =>
        System.Net.NetworkInformation.IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpConnections()
            .Count(c => c.RemoteEndPoint.Equals(server) && c.State == System.Net.NetworkInformation.TcpState.Established);
}
