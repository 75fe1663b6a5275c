using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Ipvs.Keepalived;

namespace Ipvs.KernelTests.Keepalived;

/// <summary>What a responder on one endpoint speaks.</summary>
internal enum ResponderKind
{
    /// <summary>Accepts TCP connections (TCP_CHECK).</summary>
    Tcp,

    /// <summary>HTTP/1.0 answers per path (HTTP_GET).</summary>
    Http,

    /// <summary>The same over TLS (SSL_GET).</summary>
    Https,

    /// <summary>A greeting, HELO and QUIT (SMTP_CHECK).</summary>
    Smtp,

    /// <summary>Answers every query with no error (DNS_CHECK).</summary>
    Dns,

    /// <summary>Answers every datagram (UDP_CHECK).</summary>
    Udp,
}

/// <summary>One HTTP answer: status and body.</summary>
internal sealed record HttpAnswer(int Status, byte[] Body);

/// <summary>One endpoint a checker of the configuration probes, and what it must answer to pass.</summary>
internal sealed class EndpointSpec(ResponderKind kind, IPEndPoint endpoint)
{
    public ResponderKind Kind { get; set; } = kind;

    public IPEndPoint EndPoint { get; } = endpoint;

    public Dictionary<string, HttpAnswer> Paths { get; } = new(StringComparer.Ordinal);

    public byte[] UdpReply { get; set; } = "OK\n"u8.ToArray();

    public bool IsUdp => Kind is ResponderKind.Dns or ResponderKind.Udp;

    public override string ToString() => $"{Kind} {EndPoint}";
}

/// <summary>
/// The real servers a configuration's checkers need, read from its AST: the addresses to put on
/// the real-server namespace (every real server, connect_ip, the SMTP hosts), the addresses the
/// checkers bind to (they go on keepalived's side), the endpoints with what each must answer so
/// that every check passes (HTTP bodies chosen to match a digest or regex), and the track files.
/// </summary>
internal sealed class RealServerPlan
{
    private readonly Dictionary<(bool Udp, IPEndPoint EndPoint), EndpointSpec> _endpoints = [];

    public HashSet<IPAddress> Addresses { get; } = [];

    public HashSet<IPAddress> BindAddresses { get; } = [];

    public IReadOnlyCollection<EndpointSpec> Endpoints => _endpoints.Values;

    public HashSet<string> TrackFiles { get; } = new(StringComparer.Ordinal);

    /// <summary>The longest a checker waits before its first check (warmup, which defaults to delay_loop).</summary>
    public TimeSpan LongestWarmup { get; private set; }

    public static RealServerPlan For(KeepalivedConfig config)
    {
        var plan = new RealServerPlan();
        foreach (var vs in config.VirtualServers)
        {
            foreach (var rs in vs.RealServers)
            {
                plan.Addresses.Add(rs.Address);
                foreach (var checker in rs.Checkers)
                {
                    plan.Add(checker);
                }
            }
        }
        return plan;
    }

    private void Add(HealthChecker checker)
    {
        if (checker is TimedChecker timed && timed.Timing.Warmup > LongestWarmup)
        {
            LongestWarmup = timed.Timing.Warmup;
        }
        if (checker is ConnectingChecker connecting)
        {
            Addresses.Add(connecting.Connection.Address);
            if (connecting.Connection.BindTo is { } bind)
            {
                BindAddresses.Add(bind);
            }
        }
        switch (checker)
        {
            case HttpChecker http:
                var web = Endpoint(http.Ssl ? ResponderKind.Https : ResponderKind.Http, http.Connection);
                foreach (var url in http.Urls)
                {
                    web.Paths[url.Path] = Answer(url);
                }
                break;
            case TcpChecker tcp:
                Endpoint(ResponderKind.Tcp, tcp.Connection);
                break;
            case SmtpChecker smtp:
                foreach (var connection in smtp.Hosts.Insert(0, smtp.Connection))
                {
                    Addresses.Add(connection.Address);
                    Endpoint(ResponderKind.Smtp, connection);
                }
                break;
            case DnsChecker dns:
                Endpoint(ResponderKind.Dns, dns.Connection);
                break;
            case UdpChecker udp:
                Endpoint(ResponderKind.Udp, udp.Connection).UdpReply = Reply(udp);
                break;
            case FileChecker file:
                TrackFiles.Add(file.FilePath);
                break;
        }
    }

    private EndpointSpec Endpoint(ResponderKind kind, CheckerConnection connection)
    {
        var endpoint = new IPEndPoint(connection.Address, connection.Port);
        bool udp = kind is ResponderKind.Dns or ResponderKind.Udp;
        if (!_endpoints.TryGetValue((udp, endpoint), out var spec))
        {
            spec = new EndpointSpec(kind, endpoint);
            _endpoints.Add((udp, endpoint), spec);
        }
        else if (spec.Kind != kind)
        {
            // A plain TCP connect is satisfied by any TCP responder.
            if (spec.Kind == ResponderKind.Tcp)
            {
                spec.Kind = kind;
            }
            else if (kind != ResponderKind.Tcp)
            {
                throw new InvalidOperationException($"{endpoint} is probed as {spec.Kind} and as {kind}");
            }
        }
        return spec;
    }

    // require_reply DATA with x nibbles: the masked-out bits are free, so send DATA with them 0,
    // padded to min_reply_length.
    private static byte[] Reply(UdpChecker udp)
    {
        if (!udp.RequireReply || udp.ReplyData is not { } data)
        {
            return "OK\n"u8.ToArray();
        }
        var reply = new byte[Math.Max(data.Length, udp.MinReplyLength)];
        for (int i = 0; i < data.Length; i++)
        {
            reply[i] = (byte)(data[i] & (udp.ReplyMask is { } mask && i < mask.Length ? mask[i] : 0xFF));
        }
        return reply;
    }

    // The lab's bodies are "rsI\n"; a url with a digest or a regex gets the first candidate body
    // that satisfies it.
    private static HttpAnswer Answer(HttpUrl url)
    {
        IEnumerable<string> candidates = ["OK\n", .. Enumerable.Range(1, 254).Select(i => $"rs{i}\n")];
        foreach (var candidate in candidates)
        {
            var body = Encoding.ASCII.GetBytes(candidate);
            if (url.Digest is { } digest && !string.Equals(Convert.ToHexStringLower(MD5.HashData(body)), digest, StringComparison.Ordinal))
            {
                continue;
            }
            if (url.Regex is { } regex && Matches(regex, candidate) == regex.NoMatch)
            {
                continue;
            }
            return new HttpAnswer(url.StatusCodes[0].First, body);
        }
        throw new InvalidOperationException($"no body satisfies url {url.Path} at {url.Location}");
    }

    private static bool Matches(HttpRegex regex, string body)
    {
        var options = RegexOptions.None;
        foreach (var option in regex.Options)
        {
            options |= option switch
            {
                "caseless" => RegexOptions.IgnoreCase,
                "multiline" => RegexOptions.Multiline,
                "dotall" => RegexOptions.Singleline,
                "extended" => RegexOptions.IgnorePatternWhitespace,
                _ => RegexOptions.None,
            };
        }
        return new Regex(regex.Pattern, options, TimeSpan.FromSeconds(1)).IsMatch(body);
    }
}
