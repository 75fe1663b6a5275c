namespace Ipvs.Scripting;

/// <summary>
/// Health-check declarations for <c>rs.HealthCheck(…)</c>: <c>Check.Http("/").Expect(200)</c>,
/// <c>Check.Tcp()</c>, … They are data for the daemon (keepalived's HTTP_GET, TCP_CHECK, …); to
/// probe a server right now in a script, use <see cref="Http.Get"/> or <see cref="Tcp.Connect(string, int, TimeSpan?)"/>.
/// </summary>
public static class Check
{
    /// <summary>An HTTP GET of the path (HTTP_GET); passes on 2xx unless <c>.Expect(…)</c> says otherwise.</summary>
    public static HttpCheck Http(string path = "/") => new() { Path = path };

    /// <summary>An HTTPS GET of the path (SSL_GET); the certificate is not verified unless <c>.VerifyTls()</c>.</summary>
    public static HttpCheck Https(string path = "/") => new() { Path = path, UseTls = true };

    /// <summary>A TCP connection that opens (TCP_CHECK).</summary>
    public static TcpCheck Tcp() => new();

    /// <summary>A datagram, failing on an ICMP error, or without the expected reply when one is given (UDP_CHECK).</summary>
    public static UdpCheck Udp(string payload = "", string? expectReply = null) => new()
    {
        Payload = [.. System.Text.Encoding.UTF8.GetBytes(payload)],
        RequireReply = expectReply is not null,
        ExpectedReply = expectReply is null ? [] : [.. System.Text.Encoding.UTF8.GetBytes(expectReply)],
    };

    /// <summary>A DNS query answered without error (DNS_CHECK).</summary>
    public static DnsCheck Dns(string name = ".", DnsRecordType type = DnsRecordType.A) => new() { Name = name, Type = type };

    /// <summary>An SMTP greeting, HELO and QUIT answered with 2xx (SMTP_CHECK).</summary>
    public static SmtpCheck Smtp(string? heloName = null) => new() { HeloName = heloName };

    /// <summary>An ICMP echo reply (PING_CHECK).</summary>
    public static IcmpCheck Ping() => new();

    /// <summary>A program (absolute path, never a shell) exiting with 0 (MISC_CHECK).</summary>
    public static ProgramCheck Program(string path, params string[] arguments) => new(path, arguments);

    /// <summary>A number read from a file sets the weight; 0 fails (FILE_CHECK).</summary>
    public static FileCheck File(string path) => new(path);
}

/// <summary>Fluent settings for health-check declarations.</summary>
public static class CheckExtensions
{
    /// <summary>Passes only on these status codes (status_code).</summary>
    public static HttpCheck Expect(this HttpCheck check, params int[] statusCodes)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(statusCodes);
        return check with { StatusCodes = [.. check.StatusCodes, .. statusCodes.Select(StatusRange.Single)] };
    }

    /// <summary>Passes on status codes from <paramref name="low"/> to <paramref name="high"/>.</summary>
    public static HttpCheck ExpectRange(this HttpCheck check, int low, int high)
    {
        ArgumentNullException.ThrowIfNull(check);
        return check with { StatusCodes = [.. check.StatusCodes, new StatusRange(low, high)] };
    }

    /// <summary>The body must match this regular expression.</summary>
    public static HttpCheck BodyMatches(this HttpCheck check, string regex)
    {
        ArgumentNullException.ThrowIfNull(check);
        return check with { BodyRegex = regex };
    }

    /// <summary>The body's MD5 digest must be this (keepalived's digest, as genhash prints it).</summary>
    public static HttpCheck Digest(this HttpCheck check, string md5Hex)
    {
        ArgumentNullException.ThrowIfNull(check);
        return check with { BodyDigest = md5Hex };
    }

    /// <summary>Sends this Host header (virtualhost).</summary>
    public static HttpCheck Host(this HttpCheck check, string virtualHost)
    {
        ArgumentNullException.ThrowIfNull(check);
        return check with { VirtualHost = virtualHost };
    }

    /// <summary>Verifies the server's certificate, for this server name (SNI) when given.</summary>
    public static HttpCheck VerifyTls(this HttpCheck check, string? serverName = null)
    {
        ArgumentNullException.ThrowIfNull(check);
        return check with { VerifyTls = true, ServerName = serverName ?? check.ServerName };
    }

    /// <summary>Connects to this port instead of the real server's (connect_port).</summary>
    public static T Port<T>(this T check, int port) where T : HealthCheck
    {
        ArgumentNullException.ThrowIfNull(check);
        return (T)(check with { ConnectPort = port });
    }

    /// <summary>Connects to this address instead of the real server's (connect_ip).</summary>
    public static T Address<T>(this T check, string address) where T : HealthCheck
    {
        ArgumentNullException.ThrowIfNull(check);
        return (T)(check with { ConnectAddress = IPAddress.Parse(address) });
    }

    /// <summary>How long a reply may take once connected.</summary>
    public static T ReadTimeout<T>(this T check, TimeSpan timeout) where T : HealthCheck
    {
        ArgumentNullException.ThrowIfNull(check);
        return (T)(check with { ReadTimeout = timeout });
    }

    /// <summary>Kill the program and count a failure after this long (misc_timeout).</summary>
    public static ProgramCheck Timeout(this ProgramCheck check, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(check);
        return check with { Timeout = timeout };
    }

    /// <summary>The program's exit status sets the weight: 2 to 255 pass with weight status − 2 (misc_dynamic).</summary>
    public static ProgramCheck DynamicWeight(this ProgramCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return check with { DynamicWeight = true };
    }

    /// <summary>Run the program as this user (keepalived's script user).</summary>
    public static ProgramCheck As(this ProgramCheck check, string user)
    {
        ArgumentNullException.ThrowIfNull(check);
        return check with { User = user };
    }

    /// <summary>Spreads the first checks out by a random delay of up to this long (warmup).</summary>
    public static T WarmUp<T>(this T check, TimeSpan warmUp) where T : HealthCheck
    {
        ArgumentNullException.ThrowIfNull(check);
        return (T)(check with { WarmUp = warmUp });
    }
}

/// <summary>Durations written as <c>5.Seconds()</c>, <c>500.Milliseconds()</c>, <c>2.Minutes()</c>.</summary>
public static class TimeExtensions
{
    /// <summary>This many milliseconds.</summary>
    public static TimeSpan Milliseconds(this int value) => TimeSpan.FromMilliseconds(value);

    /// <summary>This many seconds.</summary>
    public static TimeSpan Seconds(this int value) => TimeSpan.FromSeconds(value);

    /// <summary>This many seconds.</summary>
    public static TimeSpan Seconds(this double value) => TimeSpan.FromSeconds(value);

    /// <summary>This many minutes.</summary>
    public static TimeSpan Minutes(this int value) => TimeSpan.FromMinutes(value);
}
