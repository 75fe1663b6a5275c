using Ipvs.Desired;

namespace Ipvs.Keepalived.Mapping;

// Checkers → health checks, with the timing keepalived resolved for each (check_api.c): interval =
// delay_loop, retries, delay_before_retry, warmup, connect_timeout (keepalived's one timeout for
// connecting and for each read), connect_ip/connect_port where they differ from the destination.
internal sealed partial class ImportSession
{
    // PCRE2 options with a .NET inline equivalent; the ones that only tune matching speed or
    // Unicode handling (.NET is Unicode-aware throughout) change nothing and are dropped quietly.
    private static readonly Dictionary<string, char> InlineRegexOptions = new(StringComparer.Ordinal)
    {
        ["caseless"] = 'i',
        ["multiline"] = 'm',
        ["dotall"] = 's',
        ["extended"] = 'x',
        ["no_auto_capture"] = 'n',
    };

    private static readonly HashSet<string> NeutralRegexOptions = new(StringComparer.Ordinal)
    {
        "utf", "ucp", "never_utf", "never_ucp", "no_auto_possess", "no_dotstar_anchor", "no_start_optimize", "never_backslash_c",
    };

    private List<HealthCheck> Checks(VirtualServer vs, RealServer rs, Destination destination)
    {
        var checks = new List<HealthCheck>();
        foreach (var checker in rs.Checkers)
        {
            if (checker is TimedChecker { Timing.Alpha: var alpha } && alpha != rs.Alpha && Written(checker.SettingLocations, "alpha") is { } alphaAt)
            {
                NotMapped(alphaAt, $"alpha {(alpha ? "on" : "off")} for {checker.Kind}: the desired state has alpha per service, so the virtual server's ({(vs.Alpha ? "on" : "off")}) applies");
            }
            if (checker is ConnectingChecker connecting)
            {
                Connection(connecting.Kind, connecting.Connection, connecting.SettingLocations, connecting.Location);
            }
            switch (checker)
            {
                case HttpChecker http:
                    checks.AddRange(Http(vs, http, destination));
                    break;
                case TcpChecker tcp:
                    checks.Add(Network(new TcpCheck(), tcp, tcp.Connection, destination));
                    break;
                case PingChecker ping:
                    checks.Add(Network(new IcmpCheck(), ping, ping.Connection, destination));
                    break;
                case SmtpChecker smtp:
                    // Each deprecated host { } block is one more SMTP checker (smtp_check_handler()).
                    foreach (var connection in smtp.Hosts.Insert(0, smtp.Connection))
                    {
                        checks.Add(Network(new SmtpCheck { HeloName = smtp.HeloName }, smtp, connection, destination));
                    }
                    break;
                case DnsChecker dns when Dns(dns) is { } check:
                    checks.Add(Network(check, dns, dns.Connection, destination));
                    break;
                case UdpChecker udp:
                    checks.Add(Network(Udp(udp), udp, udp.Connection, destination));
                    break;
                case MiscChecker misc:
                    checks.Add(Misc(vs, misc));
                    break;
                case FileChecker file:
                    checks.Add(FileCheck(file));
                    break;
                case BfdChecker bfd:
                    _d.Warning(DiagnosticCodes.NotHandled, bfd.Location,
                        $"BFD_CHECK {bfd.Name}: BFD stays with keepalived, so the desired state checks real_server {rs.Address} without it");
                    break;
            }
        }
        return checks;
    }

    // The connection settings the desired checks have no place for.
    private void Connection(string kind, CheckerConnection connection, ImmutableDictionary<string, SourceLocation> settings, SourceLocation at)
    {
        if (connection.BindPort != 0)
        {
            NotMapped(Written(settings, "bind_port") ?? at, $"bind_port {connection.BindPort} of {kind}: the desired checks connect from a port the kernel picks");
        }
        if (connection.BindInterface is { } name)
        {
            NotMapped(Written(settings, "bind_if") ?? at, $"bind_if {name} of {kind}: the desired checks leave the interface to routing");
        }
        if (connection.Fwmark != 0)
        {
            NotMapped(Written(settings, "fwmark") ?? at, $"fwmark {connection.Fwmark} of {kind}: the desired checks do not mark their packets");
        }
    }

    private static T Timed<T>(T check, TimedChecker checker, SourceLocation at) where T : HealthCheck => (T)(check with
    {
        Interval = checker.Timing.DelayLoop,
        Retries = (int)Math.Min(checker.Timing.Retry, int.MaxValue),
        DelayBeforeRetry = checker.Timing.DelayBeforeRetry,
        WarmUp = checker.Timing.Warmup,
        Location = ToDesired(at),
    });

    private static T Network<T>(T check, ConnectingChecker checker, CheckerConnection connection, Destination destination, SourceLocation? at = null)
        where T : HealthCheck => (T)(Timed(check, checker, at ?? checker.Location) with
        {
            ConnectTimeout = connection.Timeout,
            ReadTimeout = connection.Timeout,
            ConnectAddress = connection.Address.Equals(destination.Address) ? null : connection.Address,
            // keepalived connects to the port written on the real_server line (or connect_port),
            // which for DR, TUN and group entries need not be the port the destination has.
            ConnectPort = check is IcmpCheck || connection.Port == 0 || connection.Port == destination.Port ? null : connection.Port,
            BindAddress = connection.BindTo,
        });

    // HTTP_GET and SSL_GET, as check_http.c's epilog() runs them in keepalived 2.2.7: one GET per
    // delay_loop, the urls in turn; a failed GET is retried on the same url (`retry` times,
    // delay_before_retry apart) and the server goes down when the retries are spent. While down,
    // only the url that failed is fetched (every max(delay_before_retry, delay_loop)); once it
    // passes, the round starts again at the first url and the server comes back only when that
    // whole round has passed: N + 1 passing GETs, delay_loop apart, for N urls (2 for one url).
    // fast_recovery fetches those at once instead (no delay after a pass while down), so the server
    // is back right after the failed url's first pass. With alpha the server starts down and the
    // first round (N passes) puts it in.
    //
    // The desired model has one path per HTTP check, so each url is one check (all must pass),
    // each at the delay_loop with keepalived's retries: a server that stops answering is seen
    // after the same (next GET + retries), and rise N + 1 (1 with fast_recovery) on every url's
    // check gives the same return: the first pass after the repair, then N delay_loops. What the
    // model cannot say is warned about: every url is fetched each delay_loop (N times keepalived's
    // requests, and one failing url alone is seen within one delay_loop instead of up to N), and
    // with alpha the start-up takes N + 1 passes instead of N. Smaller differences, left unwarned:
    // while down, keepalived fetches the failed url every max(delay_before_retry, delay_loop)
    // without retries (ours: every delay_loop, with them); a GET failing during the return round
    // is retried after delay_before_retry and the round goes on (ours: the passes count from 0
    // again); and before its first whole round keepalived takes no retries (retry_it = retry).
    private IEnumerable<HealthCheck> Http(VirtualServer vs, HttpChecker http, Destination destination)
    {
        if (Written(http.SettingLocations, "http_protocol") is { } protocolAt)
        {
            NotMapped(protocolAt, $"http_protocol of {http.Kind}: the desired HTTP check chooses its HTTP version itself");
        }
        int urls = http.Urls.Length;
        int rise = http.FastRecovery ? 1 : urls + 1;
        if (urls > 1)
        {
            NotMapped(http.Location,
                $"{http.Kind} with {urls} urls: keepalived fetches one url per delay_loop, in turn; the desired state checks every url each delay_loop " +
                $"(rise {rise} each, so a failed server returns as keepalived's does), which is {urls} times the requests, and a failure of one url alone is seen within one delay_loop instead of up to {urls}");
        }
        // Only where keepalived's checker starts down too: where the two alphas differ, Checks()
        // has already said that the service's applies.
        if (vs.Alpha && http.Timing.Alpha && !http.FastRecovery)
        {
            NotMapped(http.Location,
                $"alpha with {http.Kind}: keepalived puts the server in after one passing round of its {urls} url(s); the desired checks count rise {rise} from the start as after a failure, so the server is put in one delay_loop later");
        }
        foreach (var url in http.Urls)
        {
            // The Host header: the url's virtualhost, else the checker's (its own, the real
            // server's or the virtual server's); SNI sends the same name when enable_sni is set.
            var host = url.VirtualHost ?? http.VirtualHost;
            yield return Network(new HttpCheck
            {
                Path = url.Path,
                StatusCodes = url.StatusCodes is [{ First: 200, Last: 299 }] ? [] : [.. url.StatusCodes.Select(r => new StatusRange(r.First, r.Last))],
                BodyDigest = url.Digest,
                BodyRegex = Regex(url),
                VirtualHost = host == vs.VirtualHost ? null : host,
                UseTls = http.Ssl,
                ServerName = http.Ssl && http.EnableSni ? host : null,
                Rise = rise,
            }, http, http.Connection, destination, url.Location);
        }
    }

    private string? Regex(HttpUrl url)
    {
        if (url.Regex is not { } regex)
        {
            return null;
        }
        if (regex.NoMatch)
        {
            NotMapped(url.Location, $"regex_no_match on url {url.Path}: the desired HTTP check has no \"must not match\", so the body is not checked against \"{regex.Pattern}\"");
            return null;
        }
        var inline = new System.Text.StringBuilder();
        foreach (var option in regex.Options)
        {
            if (InlineRegexOptions.TryGetValue(option, out char flag))
            {
                inline.Append(flag);
            }
            else if (!NeutralRegexOptions.Contains(option))
            {
                NotMapped(url.Location, $"regex_options {option} on url {url.Path}: .NET regular expressions have no such option, so \"{regex.Pattern}\" is matched without it");
            }
        }
        if (regex.MinOffset != 0 || regex.MaxOffset is not null)
        {
            NotMapped(url.Location, $"regex_min_offset/regex_max_offset on url {url.Path}: the desired HTTP check matches the whole body");
        }
        return inline.Length == 0 ? regex.Pattern : $"(?{inline}){regex.Pattern}";
    }

    private DnsCheck? Dns(DnsChecker dns)
    {
        DnsRecordType? type = dns.QueryType switch
        {
            "A" => DnsRecordType.A,
            "NS" => DnsRecordType.Ns,
            "CNAME" => DnsRecordType.Cname,
            "SOA" => DnsRecordType.Soa,
            "MX" => DnsRecordType.Mx,
            "TXT" => DnsRecordType.Txt,
            "AAAA" => DnsRecordType.Aaaa,
            _ => null,
        };
        if (type is null)
        {
            _d.Fatal(DiagnosticCodes.Unsupported, Written(dns.SettingLocations, "type") ?? dns.Location,
                $"DNS_CHECK type {dns.QueryType} has no equivalent in the desired DNS check (A, NS, CNAME, SOA, PTR, MX, TXT, AAAA, SRV)",
                "use type SOA or A");
            return null;
        }
        // keepalived's default name is empty: the root.
        return new DnsCheck { Type = type.Value, Name = dns.Name.Length == 0 ? "." : dns.Name };
    }

    private UdpCheck Udp(UdpChecker udp)
    {
        var expected = udp.ReplyData ?? [];
        if (udp.ReplyMask is { } mask)
        {
            // "x" nibbles match anything; the desired check compares a prefix, so it stops at the
            // first byte that is not compared whole.
            int whole = 0;
            while (whole < expected.Length && whole < mask.Length && mask[whole] == 0xFF)
            {
                whole++;
            }
            NotMapped(Written(udp.SettingLocations, "require_reply") ?? udp.Location,
                $"require_reply with x nibbles: the desired UDP check compares only the first {whole} byte(s) of the reply");
            expected = expected[..whole];
        }
        if (Written(udp.SettingLocations, "min_reply_length", "max_reply_length") is { } lengthAt)
        {
            NotMapped(lengthAt, "min_reply_length/max_reply_length of UDP_CHECK: the desired UDP check does not bound the reply's length");
        }
        return new UdpCheck
        {
            // No payload: keepalived sends random bytes; the desired check sends an empty datagram.
            Payload = udp.Payload ?? [],
            RequireReply = udp.RequireReply,
            ExpectedReply = expected,
        };
    }

    private ProgramCheck Misc(VirtualServer vs, MiscChecker misc)
    {
        if (misc.Script.Group is not null)
        {
            NotMapped(Written(misc.SettingLocations, "user") ?? misc.Location, $"the group {misc.Script.Group} of MISC_CHECK: programs run as a user with that user's groups");
        }
        var check = new ProgramCheck(Program(misc.Script.Command), misc.Script.Arguments.Skip(1))
        {
            // misc_timeout 0 means the virtual server's delay_loop (check_misc.c).
            Timeout = misc.Timeout > TimeSpan.Zero ? misc.Timeout : vs.DelayLoop,
            DynamicWeight = misc.Dynamic,
            User = misc.Script.User ?? _config.Global.ScriptUser,
        };
        return Timed(check, misc, misc.Location);
    }

    private FileCheck FileCheck(FileChecker file)
    {
        if (_config.TrackFiles.FirstOrDefault(t => t.Name == file.TrackFile) is { InitFile: not null } track)
        {
            NotMapped(track.Location, $"init_file of track_file {track.Name}: keepalived creates {track.FilePath} at start-up; the desired FILE check only reads it");
        }
        // keepalived adds value × weight to the weight, negated with "reverse"; the desired check
        // has a non-negative multiplier and Reverse for subtracting. With weight 0 the file is a
        // flag (0 up, anything else down) and "reverse" flips it, so Reverse is kept as written.
        long multiplier = (long)file.Weight * (file.Reverse ? -1 : 1);
        return new FileCheck(file.FilePath)
        {
            Weight = (int)Math.Abs(multiplier),
            Reverse = file.Weight == 0 ? file.Reverse : multiplier < 0,
            Location = ToDesired(file.Location),
        };
    }
}
