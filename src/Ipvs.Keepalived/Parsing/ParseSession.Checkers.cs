using Ipvs.Keepalived.Syntax;

namespace Ipvs.Keepalived.Parsing;

// The checkers of a real server (check_api.c, check_http.c, check_tcp.c, check_misc.c, check_smtp.c,
// check_dns.c, check_udp.c, check_ping.c, check_file.c, check_bfd.c).
internal sealed partial class ParseSession
{
    // PCRE2 options keepalived knows (regex_options[] in check_http.c).
    internal static readonly string[] RegexOptions =
    [
        "allow_empty_class", "alt_bsux", "auto_callout", "caseless", "dollar_endonly", "dotall", "dupnames", "extended",
        "firstline", "match_unset_backref", "multiline", "never_ucp", "never_utf", "no_auto_capture", "no_auto_possess",
        "no_dotstar_anchor", "no_start_optimize", "ucp", "ungreedy", "utf", "never_backslash_c", "alt_circumflex",
        "alt_verbnames", "use_offset_limit",
    ];

    // DNS_TYPE[] in check_dns.c.
    internal static readonly string[] DnsTypes = ["A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA", "RRSIG", "DNSKEY"];

    private static bool Connects(CheckerKind kind) => kind is not (CheckerKind.Misc or CheckerKind.File or CheckerKind.Bfd);

    public void CheckerOpen(Line line, CheckerKind kind)
    {
        var checker = new CheckerBuilder(kind, line.Location, line);
        if (Connects(kind))
        {
            checker.Connection = new ConnectionBuilder();
        }
        // A checker in a real server that failed to parse is still read, so that its errors show.
        CurrentRs?.Checkers.Add(checker);
        _checker = checker;
    }

    public void CheckerClose()
    {
        if (_checker is not { } checker)
        {
            return;
        }
        _checker = null;
        var name = checker.Keyword;
        switch (checker.Kind)
        {
            case CheckerKind.Http or CheckerKind.Ssl when !checker.Urls.Any(u => !u.Dropped):
                _d.Deviation(DiagnosticCodes.Incomplete, checker.Location, $"{name} has no url with a path", "keepalived drops the checker");
                checker.Dropped = true;
                return;
            case CheckerKind.Misc when checker.Script is null:
                _d.Deviation(DiagnosticCodes.Incomplete, checker.Location, "MISC_CHECK has no misc_path", "keepalived drops the checker");
                checker.Dropped = true;
                return;
            case CheckerKind.File when checker.TrackFile is null:
                _d.Deviation(DiagnosticCodes.Incomplete, checker.Location, "FILE_CHECK has no track_file", "keepalived drops the checker");
                checker.Dropped = true;
                return;
            case CheckerKind.Bfd when checker.BfdName is null:
                _d.Deviation(DiagnosticCodes.Incomplete, checker.Location, "BFD_CHECK has no name", "keepalived drops the checker");
                checker.Dropped = true;
                return;
            case CheckerKind.Udp when checker.MinReplyLength > checker.MaxReplyLength:
                _d.Deviation(DiagnosticCodes.InvalidValue, checker.Location,
                    $"UDP_CHECK min_reply_length {checker.MinReplyLength} > max_reply_length {checker.MaxReplyLength}", "the check can never succeed");
                break;
        }
        if (checker.Connection is { } connection)
        {
            CheckLinkLocal(checker, connection);
        }
    }

    // check_conn_opts(): an IPv6 link-local destination needs bind_if.
    private void CheckLinkLocal(CheckerBuilder checker, ConnectionBuilder connection)
    {
        var destination = connection.Address ?? CurrentRs?.Address;
        if (destination is { IsIPv6LinkLocal: true } && connection.BindInterface is null)
        {
            _d.Deviation(DiagnosticCodes.Incomplete, checker.Location, $"{checker.Keyword}: link-local address {destination} needs bind_if", "keepalived drops the checker");
            checker.Dropped = true;
        }
    }

    private CheckerBuilder? Checker(Line line)
    {
        if (_checker is { } checker)
        {
            Note(checker, line, checker.Keyword);
        }
        return _checker;
    }

    private ConnectionBuilder? Connection(Line line) => _smtpHost ?? Checker(line)?.Connection;

    public void CheckerRetry(Line line)
    {
        if (Checker(line) is { } c && Unsigned(line, 1, 0, UIntMax, out var v))
        {
            c.Retry = (uint)v;
        }
    }

    public void CheckerDelayBeforeRetry(Line line)
    {
        if (Checker(line) is { } c && Timer(line, 1, 0, 0, out var t))
        {
            c.DelayBeforeRetry = t;
        }
    }

    public void CheckerWarmup(Line line)
    {
        if (Checker(line) is { } c && Timer(line, 1, 0, 0, out var t))
        {
            c.Warmup = t;
        }
    }

    public void CheckerDelayLoop(Line line)
    {
        if (Checker(line) is { } c && Timer(line, 1, 1, 0, out var t))
        {
            c.DelayLoop = t;
        }
    }

    public void CheckerAlpha(Line line)
    {
        if (Checker(line) is { } c && Bool(line, out var value))
        {
            c.Alpha = value;
        }
    }

    public void CheckerLogAllFailures(Line line)
    {
        if (Checker(line) is { } c && Bool(line, out var value))
        {
            c.LogAllFailures = value;
        }
    }

    public void ConnectIp(Line line)
    {
        if (Connection(line) is not { } co)
        {
            return;
        }
        var address = Address(line[1].Text);
        if (address is null)
        {
            Invalid(line, 1, $"connect_ip: invalid address '{line[1].Text}'");
            return;
        }
        if (co.BindTo is { } bind && bind.AddressFamily != address.AddressFamily)
        {
            _d.Deviation(DiagnosticCodes.FamilyMismatch, line[1].Location, $"connect_ip {address} does not match the family of bindto {bind}", Ignoring);
            return;
        }
        co.Address = address;
    }

    public void ConnectPort(Line line)
    {
        if (Connection(line) is { } co && Unsigned(line, 1, 1, 65535, out var port))
        {
            co.Port = (ushort)port;
        }
    }

    public void BindTo(Line line)
    {
        if (Connection(line) is not { } co)
        {
            return;
        }
        var address = Address(line[1].Text);
        if (address is null)
        {
            Invalid(line, 1, $"bindto: invalid address '{line[1].Text}'");
            return;
        }
        // The destination defaults to the real server, except for SMTP_CHECK, which decides at its end.
        var destination = co.Address ?? (_checker?.Kind == CheckerKind.Smtp ? null : CurrentRs?.Address);
        if (destination is not null && destination.AddressFamily != address.AddressFamily)
        {
            _d.Deviation(DiagnosticCodes.FamilyMismatch, line[1].Location, $"bindto {address} does not match the family of the destination {destination}", Ignoring);
            return;
        }
        co.BindTo = address;
    }

    public void BindPort(Line line)
    {
        if (Connection(line) is { } co && Unsigned(line, 1, 1, 65535, out var port))
        {
            co.BindPort = (ushort)port;
        }
    }

    public void BindInterface(Line line)
    {
        if (Connection(line) is not { } co)
        {
            return;
        }
        if (line[1].Text.Length > InterfaceNameMax - 1)
        {
            Invalid(line, 1, $"bind_if: interface name '{line[1].Text}' is longer than {InterfaceNameMax - 1} characters");
            return;
        }
        co.BindInterface = line[1].Text;
    }

    public void ConnectTimeout(Line line)
    {
        if (Connection(line) is { } co && Timer(line, 1, 1, ConnectTimeoutMax, out var t))
        {
            co.Timeout = t;
        }
    }

    public void ConnectFwmark(Line line)
    {
        if (Connection(line) is { } co && Unsigned(line, 1, 0, UIntMax, out var mark))
        {
            co.Fwmark = (uint)mark;
        }
    }

    // HTTP_GET and SSL_GET.
    public void HttpNbGetRetry(Line line)
    {
        if (Checker(line) is not { } c)
        {
            return;
        }
        _d.Warning(DiagnosticCodes.Deprecated, line.Location, "nb_get_retry is deprecated", "write retry (keepalived 2.2.7 reports \"nb_get_retry is deprecated - please use 'retry'\")");
        if (Unsigned(line, 1, 0, UIntMax, out var v))
        {
            c.Retry = (uint)v;
        }
    }

    public void HttpVirtualHost(Line line)
    {
        if (Checker(line) is { } c && Value(line, "a host name") is { } host)
        {
            c.VirtualHost = host;
        }
    }

    public void HttpProtocol(Line line)
    {
        if (Checker(line) is not { } c || Value(line, "1.0, 1.0C or 1.1") is not { } version)
        {
            return;
        }
        switch (version)
        {
            case "1.0":
                c.HttpProtocol = HttpProtocolVersion.Http10;
                break;
            case "1.1":
                c.HttpProtocol = HttpProtocolVersion.Http11;
                break;
            case "1.0C" or "1.0c":
                c.HttpProtocol = HttpProtocolVersion.Http10Close;
                break;
            default:
                Invalid(line, 1, $"http_protocol: unknown version '{version}' (1.0, 1.0C or 1.1)");
                break;
        }
    }

    public void HttpEnableSni(Line line)
    {
        if (Checker(line) is { } c && Bool(line, out var value))
        {
            c.EnableSni = value;
        }
    }

    public void HttpFastRecovery(Line line)
    {
        if (Checker(line) is { } c && Bool(line, out var value))
        {
            c.FastRecovery = value;
        }
    }

    public void UrlOpen(Line line)
    {
        var url = new UrlBuilder(line.Location);
        _checker?.Urls.Add(url);
        _url = url;
    }

    // url_check().
    public void UrlClose()
    {
        if (_url is not { } url)
        {
            return;
        }
        _url = null;
        if (url.Path is null)
        {
            _d.Deviation(DiagnosticCodes.Incomplete, url.Location, "url has no path", "keepalived drops the url");
            url.Dropped = true;
            return;
        }
        bool regexOptions = url.RegexOptions.Count > 0 || url.RegexNoMatch || url.RegexMinOffset != 0 || url.RegexMaxOffset is not null || url.StackStart is not null;
        if (url.Regex is null && regexOptions)
        {
            _d.Deviation(DiagnosticCodes.Incomplete, url.Location, "regex options without regex", "keepalived ignores them");
            url.RegexOptions.Clear();
            url.RegexNoMatch = false;
            url.RegexMinOffset = 0;
            url.RegexMaxOffset = null;
            url.StackStart = url.StackMax = null;
        }
        if (url.RegexMaxOffset is { } max && url.RegexMinOffset >= max + 1)
        {
            _d.Deviation(DiagnosticCodes.InvalidValue, url.Location, $"regex_min_offset {url.RegexMinOffset} is not below regex_max_offset {max}", "keepalived ignores both offsets");
            url.RegexMinOffset = 0;
            url.RegexMaxOffset = null;
        }
    }

    private UrlBuilder? Url(Line line)
    {
        if (_url is { } url)
        {
            Note(url, line, "url");
        }
        return _url;
    }

    public void UrlPath(Line line)
    {
        if (Url(line) is { } url)
        {
            url.Path = line[1].Text;
        }
    }

    public void UrlDigest(Line line)
    {
        if (_url is not { } url)
        {
            return;
        }
        var digest = line[1].Text;
        if (url.Digest is not null)
        {
            _d.Deviation(DiagnosticCodes.DuplicateSetting, line.Location, $"digest '{digest}' is a duplicate", "keepalived keeps the first digest and ignores this line");
            return;
        }
        if (digest.Length != 32)
        {
            Invalid(line, 1, $"digest '{digest}' has {digest.Length} characters; an MD5 digest has 32 hex digits");
            return;
        }
        if (digest.Any(ch => Values.HexValue(ch) < 0))
        {
            Invalid(line, 1, $"digest '{digest}' is not hexadecimal");
            return;
        }
        url.Digest = digest.ToLowerInvariant();
        Mark(url, line);
    }

    // status_code_handler(): "N" or "N-M", 100..599 (HTTP_STATUS_CODE_MIN/MAX); a bad one is skipped.
    public void UrlStatusCode(Line line)
    {
        if (Url(line) is not { } url)
        {
            return;
        }
        for (int i = 1; i < line.Count; i++)
        {
            var text = line[i].Text;
            var parts = text.Split('-', 2);
            if (Values.ParseUnsigned(parts[0], out var low) != Values.NumberError.None ||
                (parts.Length == 2 ? Values.ParseUnsigned(parts[1], out var high) : Values.ParseUnsigned(parts[0], out high)) != Values.NumberError.None)
            {
                Invalid(line, i, $"status_code: '{text}' is not a status code or a range N-M", "keepalived skips it");
                continue;
            }
            if (low < 100 || high > 599 || low > high)
            {
                _d.Deviation(DiagnosticCodes.OutOfRange, line[i].Location, $"status_code {text} is out of range 100..599", "keepalived skips it");
                continue;
            }
            url.StatusCodes.Add(new StatusCodeRange((int)low, (int)high));
        }
    }

    public void UrlVirtualHost(Line line)
    {
        if (Url(line) is { } url && Value(line, "a host name") is { } host)
        {
            url.VirtualHost = host;
        }
    }

    public void UrlRegex(Line line)
    {
        if (Url(line) is not { } url)
        {
            return;
        }
        var words = WordSplitter.SplitQuotedEscaped(line.Text);
        if (words is not { Length: 2 } w)
        {
            Invalid(line, 1, "regex needs exactly one pattern (quote it if it has spaces)", "keepalived logs \"regex missing or too many fields\" and ignores the line");
            return;
        }
        url.Regex = w[1];
    }

    public void UrlRegexNoMatch(Line line)
    {
        if (Url(line) is { } url)
        {
            url.RegexNoMatch = true;
        }
    }

    public void UrlRegexOptions(Line line)
    {
        if (Url(line) is not { } url)
        {
            return;
        }
        for (int i = 1; i < line.Count; i++)
        {
            if (RegexOptions.Contains(line[i].Text, StringComparer.Ordinal))
            {
                url.RegexOptions.Add(line[i].Text);
            }
            else
            {
                Invalid(line, i, $"regex_options: unknown option '{line[i].Text}'", "keepalived silently ignores it");
            }
        }
    }

    public void UrlRegexMinOffset(Line line)
    {
        if (Url(line) is { } url && RegexOffset(line) is { } offset)
        {
            url.RegexMinOffset = offset;
        }
    }

    public void UrlRegexMaxOffset(Line line)
    {
        if (Url(line) is { } url && RegexOffset(line) is { } offset)
        {
            url.RegexMaxOffset = offset;
        }
    }

    private ulong? RegexOffset(Line line)
    {
        if (line.Count != 2)
        {
            _d.Deviation(DiagnosticCodes.MissingArgument, line.EndLocation, $"{line.Keyword} needs one offset", Ignoring);
            return null;
        }
        if (Values.ParseUnsigned(line[1].Text, out var value) != Values.NumberError.None)
        {
            Invalid(line, 1, $"{line.Keyword}: '{line[1].Text}' is not a number");
            return null;
        }
        return value;
    }

    public void UrlRegexStack(Line line)
    {
        if (Url(line) is not { } url)
        {
            return;
        }
        if (line.Count != 3)
        {
            _d.Deviation(DiagnosticCodes.MissingArgument, line.EndLocation, "regex_stack needs a start and a maximum", Ignoring);
            return;
        }
        if (Values.ParseUnsigned(line[1].Text, out var start) != Values.NumberError.None || Values.ParseUnsigned(line[2].Text, out var max) != Values.NumberError.None)
        {
            Invalid(line, 1, "regex_stack: the start and maximum must be numbers");
            return;
        }
        if (start > max)
        {
            Invalid(line, 1, $"regex_stack: start {start} exceeds maximum {max}");
            return;
        }
        url.StackStart = start;
        url.StackMax = max;
    }

    // MISC_CHECK.
    public void MiscPath(Line line)
    {
        if (Checker(line) is { } c && Script(line, withUser: false) is { } script)
        {
            c.Script = script;
        }
    }

    public void MiscTimeout(Line line)
    {
        // UINT_MAX / TIMER_HZ seconds.
        if (Checker(line) is { } c && Unsigned(line, 1, 0, uint.MaxValue / 1_000_000, out var seconds))
        {
            c.MiscTimeout = (uint)seconds;
        }
    }

    public void MiscDynamic(Line line)
    {
        if (Checker(line) is { } c)
        {
            c.Dynamic = true;
        }
    }

    public void MiscUser(Line line)
    {
        if (Checker(line) is not { } c)
        {
            return;
        }
        if (line.Count < 2)
        {
            _d.Deviation(DiagnosticCodes.MissingArgument, line.EndLocation, "user needs a user name", Ignoring);
            return;
        }
        c.User = line[1].Text;
        c.Group = line.Count > 2 ? line[2].Text : null;
    }

    // SMTP_CHECK.
    public void SmtpHeloName(Line line)
    {
        if (Checker(line) is { } c && Value(line, "a name") is { } name)
        {
            c.HeloName = name;
        }
    }

    public void SmtpHostOpen(Line line)
    {
        _d.Warning(DiagnosticCodes.Deprecated, line.Location, "the SMTP_CHECK host block is deprecated", "define one SMTP_CHECK per host instead");
        _smtpHost = new ConnectionBuilder();
    }

    public void SmtpHostClose()
    {
        if (_smtpHost is { } host && _checker is { } checker)
        {
            checker.Hosts.Add(host);
        }
        _smtpHost = null;
    }

    // UDP_CHECK.
    public void UdpPayload(Line line)
    {
        if (Checker(line) is not { } c)
        {
            return;
        }
        if (line.Count < 2)
        {
            _d.Deviation(DiagnosticCodes.MissingArgument, line.EndLocation, "payload needs hex bytes", Ignoring);
            return;
        }
        if (Hex(line.Join(1), wildcards: false) is not { } bytes)
        {
            Invalid(line, 1, $"payload '{line.Join(1)}' is not a hex string");
            return;
        }
        c.Payload = bytes.Data;
    }

    public void UdpRequireReply(Line line)
    {
        if (Checker(line) is not { } c)
        {
            return;
        }
        c.RequireReply = true;
        if (line.Count < 2)
        {
            return;
        }
        if (Hex(line.Join(1), wildcards: true) is not { } bytes)
        {
            Invalid(line, 1, $"require_reply '{line.Join(1)}' is not a hex string (x for any nibble)", "keepalived requires a reply but checks no data");
            return;
        }
        c.ReplyData = bytes.Data;
        c.ReplyMask = bytes.Mask;
    }

    public void UdpMinReplyLength(Line line)
    {
        if (Checker(line) is { } c && Unsigned(line, 1, 0, ushort.MaxValue, out var v))
        {
            c.MinReplyLength = (ushort)v;
        }
    }

    public void UdpMaxReplyLength(Line line)
    {
        if (Checker(line) is { } c && Unsigned(line, 1, 0, ushort.MaxValue, out var v))
        {
            c.MaxReplyLength = (ushort)v;
        }
    }

    // read_hex_str(): pairs of hex digits, blanks allowed between bytes; a lone digit before a
    // blank is one byte; with wildcards, x/X matches any nibble (mask 0).
    internal static (ImmutableArray<byte> Data, ImmutableArray<byte>? Mask)? Hex(string text, bool wildcards)
    {
        var data = new List<byte>();
        var mask = new List<byte>();
        bool usesMask = false;
        int p = 0;
        while (true)
        {
            while (p < text.Length && text[p] is ' ' or '\t')
            {
                p++;
            }
            if (p >= text.Length)
            {
                break;
            }
            if (!Nibble(text[p++], wildcards, out var value, out var nibbleMask))
            {
                return null;
            }
            if (p < text.Length && text[p] != ' ')
            {
                if (!Nibble(text[p++], wildcards, out var low, out var lowMask))
                {
                    return null;
                }
                value = (value << 4) | low;
                nibbleMask = (nibbleMask << 4) | lowMask;
            }
            else
            {
                // A single digit is the whole byte: its mask covers the low nibble only, as keepalived's.
                nibbleMask |= 0xF0;
            }
            usesMask |= nibbleMask != 0xFF;
            data.Add((byte)value);
            mask.Add((byte)nibbleMask);
        }
        if (data.Count == 0)
        {
            return null;
        }
        return ([.. data], usesMask ? [.. mask] : null);

        static bool Nibble(char c, bool wildcards, out int value, out int mask)
        {
            mask = 0xF;
            value = Values.HexValue(c);
            if (value >= 0)
            {
                return true;
            }
            if (wildcards && c is 'x' or 'X')
            {
                value = 0;
                mask = 0;
                return true;
            }
            return false;
        }
    }

    // DNS_CHECK.
    public void DnsType(Line line)
    {
        if (Checker(line) is not { } c)
        {
            return;
        }
        var type = DnsTypes.FirstOrDefault(t => string.Equals(t, line[1].Text, StringComparison.OrdinalIgnoreCase));
        if (type is null)
        {
            Invalid(line, 1, $"type: unknown DNS query type '{line[1].Text}' (one of {string.Join(' ', DnsTypes)})");
            return;
        }
        c.DnsType = type;
    }

    public void DnsName(Line line)
    {
        if (_checker is not { } c)
        {
            return;
        }
        if (c.DnsName is not null)
        {
            _d.Deviation(DiagnosticCodes.DuplicateSetting, line.Location, "DNS_CHECK name is already set", "keepalived keeps the first one and ignores this line");
            return;
        }
        var name = line[1].Text;
        if ((name.StartsWith('.') && name.Length > 1) || name.Contains("..", StringComparison.Ordinal))
        {
            Invalid(line, 1, $"DNS_CHECK name '{name}' has an empty label");
            return;
        }
        c.DnsName = name;
        Mark(c, line);
    }

    // FILE_CHECK.
    public void FileTrackFile(Line line)
    {
        if (Checker(line) is not { } c)
        {
            return;
        }
        var name = line[1].Text;
        var file = TrackFiles.FirstOrDefault(t => t.Name == name);
        if (file is null)
        {
            _d.Deviation(DiagnosticCodes.UnknownReference, line[1].Location, $"track_file {name} is not defined",
                "keepalived looks it up while reading, so the track_file block must come before the virtual_server");
            return;
        }
        c.TrackFile = file;
    }

    public void FileWeight(Line line)
    {
        if (Checker(line) is not { } c)
        {
            return;
        }
        if (line.Count < 2)
        {
            _d.Deviation(DiagnosticCodes.MissingArgument, line.EndLocation, "FILE_CHECK weight needs a value", Ignoring);
            return;
        }
        if (!Signed(line, 1, -(long)IpvsWeightLimit, (long)IpvsWeightLimit, out var weight))
        {
            return;
        }
        bool reverse = false;
        if (line.Count >= 3)
        {
            switch (line[2].Text)
            {
                case "reverse":
                    reverse = true;
                    break;
                case "noreverse":
                    break;
                default:
                    Invalid(line, 2, $"FILE_CHECK weight: unknown option '{line[2].Text}' (reverse or noreverse)");
                    return;
            }
        }
        c.FileWeight = (int)weight;
        c.FileReverse = reverse;
    }

    // BFD_CHECK.
    public void BfdName(Line line)
    {
        if (_checker is not { } c)
        {
            return;
        }
        if (line.Count != 2)
        {
            _d.Deviation(DiagnosticCodes.MissingArgument, line.EndLocation, "BFD_CHECK name needs one name", "keepalived drops the checker");
            c.Dropped = true;
            return;
        }
        var name = line[1].Text;
        if (!BfdInstances.Contains(name))
        {
            _d.Deviation(DiagnosticCodes.UnknownReference, line[1].Location, $"BFD_CHECK: bfd_instance {name} is not configured (before this point)", "keepalived drops the checker");
            c.Dropped = true;
            return;
        }
        if (c.BfdName is not null)
        {
            _d.Deviation(DiagnosticCodes.DuplicateSetting, line.Location, $"BFD_CHECK name is already {c.BfdName}", Ignoring);
            return;
        }
        c.BfdName = name;
        Mark(c, line);
    }

    public void BfdAlpha(Line line)
    {
        if (Checker(line) is { } c && Bool(line, out var value))
        {
            c.Alpha = value;
        }
    }
}
