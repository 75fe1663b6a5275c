using Ipvs.Keepalived.Syntax;

namespace Ipvs.Keepalived.Parsing;

// The model being built, and value readers that report with keepalived's consequence.
internal sealed partial class ParseSession
{
    // Limits from keepalived's headers.
    internal const ulong UIntMax = uint.MaxValue;
    internal const ulong IpvsWeightLimit = int.MaxValue;                 // IPVS_WEIGHT_LIMIT (ip_vs.h)
    internal const ulong LvsMaxTimeout = 86400 * 31;                     // LVS_MAX_TIMEOUT (global_data.h)
    internal const uint PersistentTimeoutDefault = 6 * 60;               // IPVS_SVC_PERSISTENT_TIMEOUT (libipvs.h)
    internal const ulong ConnectTimeoutMax = uint.MaxValue;              // read_timer(..., 1, UINT_MAX) in microseconds
    internal const int InterfaceNameMax = 16;                            // IFNAMSIZ
    internal const string Ignoring = "keepalived ignores this line";

    public GlobalBuilder Global { get; } = new();
    public List<GroupBuilder> Groups { get; } = [];
    public List<VirtualServerBuilder> VirtualServers { get; } = [];
    public List<TrackFileBuilder> TrackFiles { get; } = [];
    public SslBuilder? Ssl { get; private set; }
    public List<NotHandledBlock> NotHandledBlocks { get; } = [];
    public HashSet<string> BfdInstances { get; } = new(StringComparer.Ordinal);

    private VirtualServerBuilder? CurrentVs => VirtualServers.Count == 0 ? null : VirtualServers[^1];

    private RealServerBuilder? CurrentRs => CurrentVs is { RealServers.Count: > 0 } vs ? vs.RealServers[^1] : null;

    private CheckerBuilder? _checker;
    private UrlBuilder? _url;
    private TrackFileBuilder? _trackFile;
    private ConnectionBuilder? _smtpHost;

    /// <summary>Notes a setting; a second one in the same block gets a note saying which value keepalived keeps.</summary>
    private void Note(NodeBuilder node, Line line, string owner, bool keepalivedKeepsFirst = false)
    {
        if (node.Seen.TryGetValue(line.Keyword, out var first))
        {
            if (keepalivedKeepsFirst)
            {
                _d.Deviation(DiagnosticCodes.DuplicateSetting, line.Location,
                    $"{line.Keyword} is already set for {owner} (at {first.ToShortString()})",
                    "keepalived keeps the first one and ignores this line");
            }
            else
            {
                _d.Warning(DiagnosticCodes.DuplicateSetting, line.Location,
                    $"{line.Keyword} is set again for {owner} (first at {first.ToShortString()}); keepalived uses this later value ('{line.Join(1)}')");
                node.Written[line.Keyword] = line.Location;
            }
            return;
        }
        node.Seen[line.Keyword] = line.Location;
        node.Written[line.Keyword] = line.Location;
    }

    /// <summary>Records where a setting with its own duplicate handling was written.</summary>
    private static void Mark(NodeBuilder node, Line line) => node.Written[line.Keyword] = line.Location;

    private bool HasSeen(NodeBuilder node, Line line) => node.Seen.ContainsKey(line.Keyword);

    private void Invalid(Line line, int index, string message, string? consequence = Ignoring) =>
        _d.Deviation(DiagnosticCodes.InvalidValue, index < line.Count ? line[index].Location : line.EndLocation, message, consequence);

    private void OutOfRange(Line line, int index, string range, string? consequence = Ignoring, string? what = null) =>
        _d.Deviation(DiagnosticCodes.OutOfRange, line[index].Location,
            $"{what ?? line.Keyword} {line[index].Text} is out of range {range}", consequence);

    private bool Unsigned(Line line, int index, ulong min, ulong max, out ulong value, string consequence = Ignoring, string? what = null)
    {
        var text = line[index].Text;
        switch (Values.ParseUnsigned(text, out value))
        {
            case Values.NumberError.None when value >= min && value <= max:
                return true;
            case Values.NumberError.None or Values.NumberError.TooLarge or Values.NumberError.Negative:
                OutOfRange(line, index, $"{min}..{max}", consequence, what);
                return false;
            default:
                Invalid(line, index, $"{what ?? line.Keyword}: '{text}' is not a number", consequence);
                return false;
        }
    }

    private bool Signed(Line line, int index, long min, long max, out long value, string consequence = Ignoring)
    {
        var text = line[index].Text;
        switch (Values.ParseSigned(text, out value))
        {
            case Values.NumberError.None when value >= min && value <= max:
                return true;
            case Values.NumberError.None or Values.NumberError.TooLarge:
                OutOfRange(line, index, $"{min}..{max}", consequence);
                return false;
            default:
                Invalid(line, index, $"{line.Keyword}: '{text}' is not a number", consequence);
                return false;
        }
    }

    // read_timer(): seconds with up to six decimals; min and max in microseconds (max 0: no limit).
    private bool Timer(Line line, int index, ulong minMicroseconds, ulong maxMicroseconds, out TimeSpan value, string consequence = Ignoring)
    {
        value = default;
        if (maxMicroseconds == 0)
        {
            maxMicroseconds = Values.MaxTimerMicroseconds;
        }
        var text = line[index].Text;
        var range = maxMicroseconds == Values.MaxTimerMicroseconds
            ? $"(at least {Values.FormatTimer(minMicroseconds)} seconds)"
            : $"{Values.FormatTimer(minMicroseconds)}..{Values.FormatTimer(maxMicroseconds)} seconds";
        switch (Values.ParseTimer(text, out var microseconds, out var tooManyDecimals))
        {
            case Values.NumberError.None when microseconds >= minMicroseconds && microseconds <= maxMicroseconds:
                if (tooManyDecimals)
                {
                    Invalid(line, index, $"{line.Keyword} {text} has more than 6 decimal places",
                        $"keepalived rounds it to {Values.FormatTimer(microseconds)}");
                }
                value = Values.Microseconds(microseconds);
                return true;
            case Values.NumberError.None or Values.NumberError.TooLarge or Values.NumberError.Negative:
                OutOfRange(line, index, range, consequence);
                return false;
            default:
                Invalid(line, index, $"{line.Keyword}: '{text}' is not a number of seconds", consequence);
                return false;
        }
    }

    // check_true_false() with keepalived's "no value means true".
    private bool Bool(Line line, out bool value)
    {
        value = true;
        if (line.Count < 2)
        {
            return true;
        }
        if (Values.ParseBool(line[1].Text) is { } parsed)
        {
            value = parsed;
            return true;
        }
        Invalid(line, 1, $"{line.Keyword}: '{line[1].Text}' is not a boolean (true/on/yes or false/off/no)");
        return false;
    }

    private string? Value(Line line, string missing)
    {
        if (line.Count < 2)
        {
            _d.Deviation(DiagnosticCodes.MissingArgument, line.EndLocation, $"{line.Keyword} needs a value ({missing})", Ignoring);
            return null;
        }
        return line[1].Text;
    }

    /// <summary>An address with an optional port, as alloc_rs()/alloc_vs()/alloc_ssvr() read them.</summary>
    private bool Server(Line line, int index, string what, out IPAddress address, out ushort port)
    {
        address = IPAddress.None;
        port = 0;
        var parsed = Values.ParseAddress(line[index].Text, out var suffix);
        if (parsed is null)
        {
            Invalid(line, index, $"invalid {what} address '{line[index].Text}'", $"keepalived skips the {what}");
            return false;
        }
        if (suffix is not null)
        {
            Invalid(line, index, $"{what} address '{line[index].Text}' has a range or mask '{suffix}'",
                $"keepalived silently drops '{suffix}' and uses {parsed}; only virtual_server_group entries take ranges");
        }
        address = parsed;
        if (line.Count > index + 1)
        {
            var text = line[index + 1].Text;
            if (!Values.IsZeroPort(text))
            {
                if (!Unsigned(line, index + 1, 1, 65535, out var value, $"keepalived skips the {what}", $"{line.Keyword} port"))
                {
                    return false;
                }
                port = (ushort)value;
            }
        }
        return true;
    }

    private static IPAddress? Address(string text) => Values.ParseAddress(text, out _);

    /// <summary>
    /// notify_script_init(): the line re-read with quotes and escapes; the second word is the
    /// command line (split again into the program and its arguments), then an optional user and group.
    /// misc_path takes no user (MISC_CHECK has its own <c>user</c> keyword).
    /// </summary>
    private NotifyScript? Script(Line line, bool withUser = true)
    {
        var words = WordSplitter.SplitQuotedEscaped(line.Text);
        if (words is null)
        {
            Invalid(line, 0, $"{line.Keyword}: unterminated quote or trailing backslash in '{line.Text}'", "keepalived ignores the script");
            return null;
        }
        if (words.Value.Length < 2 || WordSplitter.SplitQuotedEscaped(words.Value[1]) is not { IsEmpty: false } arguments)
        {
            _d.Deviation(DiagnosticCodes.MissingArgument, line.EndLocation, $"{line.Keyword} needs a script", "keepalived ignores the line");
            return null;
        }
        int allowed = withUser ? 4 : 2;
        if (words.Value.Length > allowed)
        {
            _d.Deviation(DiagnosticCodes.ExtraArgument, line.Count > 2 ? line[2].Location : line.Location,
                $"{line.Keyword} takes {(withUser ? "a script, a user and a group" : "one script")}; '{string.Join(' ', words.Value.Skip(allowed))}' is extra",
                "keepalived ignores the extra words; quote the script together with its arguments");
        }
        string? user = withUser && words.Value.Length > 2 ? words.Value[2] : null;
        string? group = withUser && words.Value.Length > 3 ? words.Value[3] : null;
        return new NotifyScript(arguments, user, group, line.Location);
    }

    /// <summary>svr_forwarding_handler(): NAT, DR, or TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum].</summary>
    private LvsMethod? Method(Line line, string server, LvsMethod? previous)
    {
        var kind = line[1].Text;
        ForwardingMethod method;
        switch (kind)
        {
            case "NAT":
                method = ForwardingMethod.Masquerade;
                break;
            case "DR":
                method = ForwardingMethod.DirectRoute;
                break;
            case "TUN":
                method = ForwardingMethod.Tunnel;
                break;
            default:
                Invalid(line, 1, $"{line.Keyword}: unknown routing method '{kind}' for the {server} server (NAT, DR or TUN; upper case)");
                return null;
        }
        // keepalived sets the method before reading the tunnel options; when an option is wrong
        // it keeps the method and the previous tunnel settings.
        var fallback = new LvsMethod(method, previous?.TunnelType ?? TunnelType.IpIp, previous?.TunnelPort ?? 0, previous?.TunnelFlags ?? TunnelFlags.NoChecksum);
        var type = TunnelType.IpIp;
        ulong port = 0;
        var flags = TunnelFlags.NoChecksum;
        for (int i = 2; i < line.Count; i++)
        {
            switch (line[i].Text)
            {
                case "type" when i + 1 >= line.Count:
                    _d.Deviation(DiagnosticCodes.MissingArgument, line.EndLocation, $"{line.Keyword}: missing tunnel type for the {server} server", "keepalived ignores the tunnel options");
                    return fallback;
                case "type":
                    i++;
                    switch (line[i].Text)
                    {
                        case "ipip":
                            type = TunnelType.IpIp;
                            break;
                        case "gue":
                            type = TunnelType.Gue;
                            break;
                        case "gre":
                            type = TunnelType.Gre;
                            break;
                        default:
                            Invalid(line, i, $"{line.Keyword}: unknown tunnel type '{line[i].Text}' (ipip, gue or gre)", "keepalived ignores the tunnel options");
                            return fallback;
                    }
                    break;
                case "port" when i + 1 >= line.Count:
                    _d.Deviation(DiagnosticCodes.MissingArgument, line.EndLocation, $"{line.Keyword}: missing port for the {server} server's gue tunnel", "keepalived ignores the tunnel options");
                    return fallback;
                case "port":
                    i++;
                    if (!Unsigned(line, i, 1, 65535, out port, "keepalived ignores the tunnel options"))
                    {
                        return fallback;
                    }
                    break;
                case "nocsum":
                    flags = TunnelFlags.NoChecksum;
                    break;
                case "csum":
                    flags = TunnelFlags.Checksum;
                    break;
                case "remcsum":
                    flags = TunnelFlags.RemoteChecksum;
                    break;
                default:
                    Invalid(line, i, $"{line.Keyword}: invalid tunnel option '{line[i].Text}' for the {server} server", "keepalived ignores the tunnel options");
                    return fallback;
            }
        }
        if ((type == TunnelType.Gue) != (port != 0))
        {
            _d.Deviation(DiagnosticCodes.InvalidValue, line.Location,
                $"{line.Keyword}: a gue tunnel needs a port, and only a gue tunnel can have one",
                "keepalived reports \"gue tunnels require port, otherwise cannot have port\" and ignores the tunnel options");
            return fallback;
        }
        if (type == TunnelType.IpIp && flags != TunnelFlags.NoChecksum)
        {
            _d.Deviation(DiagnosticCodes.InvalidValue, line.Location, $"{line.Keyword}: ipip tunnels have no checksum option", "keepalived ignores the tunnel options");
            return fallback;
        }
        if (type == TunnelType.Gre && flags == TunnelFlags.RemoteChecksum)
        {
            _d.Deviation(DiagnosticCodes.InvalidValue, line.Location, $"{line.Keyword}: gre tunnels have no remote checksum option", "keepalived ignores the tunnel options");
            return fallback;
        }
        if (method != ForwardingMethod.Tunnel && line.Count > 2)
        {
            _d.Deviation(DiagnosticCodes.ExtraArgument, line[2].Location,
                $"{line.Keyword} {kind}: tunnel options only apply to TUN",
                "keepalived accepts them and they have no effect");
        }
        return new LvsMethod(method, type, (ushort)port, flags);
    }
}
