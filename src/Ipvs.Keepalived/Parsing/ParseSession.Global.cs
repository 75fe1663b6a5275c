using Ipvs.Keepalived.Syntax;

namespace Ipvs.Keepalived.Parsing;

// global_defs and the other top-level blocks (global_parser.c, track_file.c, check_parser.c SSL).
internal sealed partial class ParseSession
{
    private void RecordGlobal(Line line) =>
        Global.Settings.Add(new GlobalSetting(line.Keyword, [.. line.Words.Skip(1).Select(w => w.Text)], line.Location));

    public void GlobalDefsOpen(Line line) => Global.Location ??= line.Location;

    public void RootGlobal(Line line)
    {
        RecordGlobal(line);
        switch (line.Keyword)
        {
            case "net_namespace":
                if (Value(line, "a network namespace name") is { } ns)
                {
                    Global.NetNamespace = ns;
                }
                break;
            case "net_namespace_ipvs":
                Global.NetNamespaceIpvs = line.Count > 1 ? line[1].Text : "";
                break;
            case "instance":
                if (Value(line, "an instance name") is { } instance)
                {
                    Global.Instance = instance;
                }
                break;
        }
    }

    public void GlobalOther(Line line) => RecordGlobal(line);

    public void GlobalRouterId(Line line)
    {
        RecordGlobal(line);
        if (Value(line, "a router id") is { } id)
        {
            Global.RouterId = id;
        }
    }

    // lvs_timeouts(): "tcp N", "tcpfin N", "udp N", each 0..LVS_MAX_TIMEOUT.
    public void GlobalLvsTimeouts(Line line)
    {
        RecordGlobal(line);
        if (line.Count < 3)
        {
            _d.Deviation(DiagnosticCodes.MissingArgument, line.EndLocation, "lvs_timeouts needs at least one option: tcp N, tcpfin N or udp N", Ignoring);
            return;
        }
        Global.TimeoutsAt = line.Location;
        for (int i = 1; i < line.Count; i++)
        {
            var option = line[i].Text;
            if (option is not ("tcp" or "tcpfin" or "udp"))
            {
                Invalid(line, i, $"lvs_timeouts: unknown option '{option}' (tcp, tcpfin or udp)", "keepalived ignores the option");
                continue;
            }
            if (i == line.Count - 1)
            {
                _d.Deviation(DiagnosticCodes.MissingArgument, line.EndLocation, $"lvs_timeouts: no value for {option}", "keepalived ignores the option");
                continue;
            }
            i++;
            if (Unsigned(line, i, 0, LvsMaxTimeout, out var value, "keepalived ignores the option"))
            {
                switch (option)
                {
                    case "tcp":
                        Global.TcpTimeout = (uint)value;
                        break;
                    case "tcpfin":
                        Global.TcpFinTimeout = (uint)value;
                        break;
                    default:
                        Global.UdpTimeout = (uint)value;
                        break;
                }
            }
        }
    }

    // lvs_syncd_handler().
    public void GlobalLvsSyncDaemon(Line line)
    {
        RecordGlobal(line);
        if (Global.SyncDaemon is { } existing)
        {
            _d.Deviation(DiagnosticCodes.DuplicateSetting, line.Location,
                $"lvs_sync_daemon is already set (at {existing.Location.ToShortString()})", "keepalived keeps the first one and ignores this line");
            return;
        }
        if (line.Count < 2)
        {
            _d.Deviation(DiagnosticCodes.MissingArgument, line.EndLocation, "lvs_sync_daemon needs an interface", Ignoring);
            return;
        }
        if (line[1].Text.Length >= InterfaceNameMax)
        {
            Invalid(line, 1, $"lvs_sync_daemon: interface name '{line[1].Text}' is longer than {InterfaceNameMax - 1} characters");
            return;
        }
        string? instance = null;
        uint? syncId = null, maxLength = null, port = null, ttl = null;
        IPAddress? group = null;
        for (int i = 2; i < line.Count; i++)
        {
            var option = line[i].Text;
            bool hasValue = i + 1 < line.Count;
            switch (option)
            {
                case "inst":
                    if (hasValue)
                    {
                        instance = line[++i].Text;
                    }
                    continue;
                case "id" or "maxlen" or "port" or "ttl" when !hasValue:
                    _d.Deviation(DiagnosticCodes.MissingArgument, line.EndLocation, $"lvs_sync_daemon: no value for {option}", "keepalived ignores the option");
                    continue;
                case "id":
                    if (Unsigned(line, ++i, 0, 255, out var id, "keepalived uses the VRRP instance's VRID"))
                    {
                        syncId = (uint)id;
                    }
                    continue;
                case "maxlen":
                    if (Unsigned(line, ++i, 1, 65535 - 20 - 8, out var max, "keepalived ignores the option"))
                    {
                        maxLength = (uint)max;
                    }
                    continue;
                case "port":
                    if (Unsigned(line, ++i, 1, 65535, out var p, "keepalived ignores the option"))
                    {
                        port = (uint)p;
                    }
                    continue;
                case "ttl":
                    if (Unsigned(line, ++i, 1, 255, out var t, "keepalived ignores the option"))
                    {
                        ttl = (uint)t;
                    }
                    continue;
                case "group" when !hasValue:
                    _d.Deviation(DiagnosticCodes.MissingArgument, line.EndLocation, "lvs_sync_daemon: no value for group", "keepalived ignores the option");
                    continue;
                case "group":
                    i++;
                    var address = Address(line[i].Text);
                    if (address is null)
                    {
                        Invalid(line, i, $"lvs_sync_daemon: invalid group '{line[i].Text}'", "keepalived ignores the option");
                    }
                    else if (!IsMulticast(address))
                    {
                        Invalid(line, i, $"lvs_sync_daemon: group {address} is not a multicast address", "keepalived ignores the option");
                    }
                    else
                    {
                        group = address;
                    }
                    continue;
            }
            // The old form "lvs_sync_daemon IF INSTANCE [SYNCID]".
            if (i == 2)
            {
                instance = option;
                continue;
            }
            if (i == 3 && Unsigned(line, 3, 0, 255, out var legacy, "keepalived uses the VRRP instance's VRID"))
            {
                _d.Warning(DiagnosticCodes.Deprecated, line[3].Location, "lvs_sync_daemon: write the sync id as 'id N'", "keepalived: Please use keyword \"id\" before lvs_sync_daemon SYNCID");
                syncId = (uint)legacy;
                continue;
            }
            if (i != 3)
            {
                Invalid(line, i, $"lvs_sync_daemon: unknown option '{option}'", "keepalived ignores the option");
            }
        }
        Global.SyncDaemon = new LvsSyncDaemon(line[1].Text, instance, syncId, maxLength, port, ttl, group, line.Location);
    }

    private static bool IsMulticast(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6
        ? address.IsIPv6Multicast
        : (address.GetAddressBytes()[0] & 0xF0) == 0xE0;

    public void GlobalLvsFlush(Line line)
    {
        RecordGlobal(line);
        Global.LvsFlush = true;
    }

    public void GlobalLvsFlushOnStop(Line line)
    {
        RecordGlobal(line);
        if (line.Keyword == "lvs_flush_onstop")
        {
            _d.Warning(DiagnosticCodes.Deprecated, line.Location, "lvs_flush_onstop is deprecated", "write lvs_flush_on_stop");
        }
        if (line.Count == 1)
        {
            Global.FlushOnStop = LvsFlushOnStop.Full;
        }
        else if (line[1].Text == "VS")
        {
            Global.FlushOnStop = LvsFlushOnStop.VirtualServers;
        }
        else
        {
            Invalid(line, 1, $"{line.Keyword}: unknown type '{line[1].Text}' (nothing, or VS)");
        }
    }

    public void GlobalNotificationEmail(Line line)
    {
        RecordGlobal(line);
        var values = ReadValueBlock(line, "notification_email");
        foreach (var value in values)
        {
            Global.Emails.AddRange(value.Words.Select(w => w.Text));
        }
        if (values.Count == 0)
        {
            _d.Warning(DiagnosticCodes.Incomplete, line.Location, "empty notification_email block");
        }
    }

    public void GlobalEmailFrom(Line line)
    {
        RecordGlobal(line);
        if (Value(line, "an address") is { } from)
        {
            Global.EmailFrom = from;
        }
    }

    public void GlobalSmtpServer(Line line)
    {
        RecordGlobal(line);
        Global.SmtpServer = [.. line.Words.Skip(1).Select(w => w.Text)];
    }

    public void GlobalSmtpAlert(Line line)
    {
        RecordGlobal(line);
        if (Bool(line, out var value))
        {
            if (line.Keyword == "smtp_alert")
            {
                Global.SmtpAlert = value;
            }
            else
            {
                Global.SmtpAlertChecker = value;
            }
        }
    }

    public void GlobalScriptUser(Line line)
    {
        RecordGlobal(line);
        if (Value(line, "a user name") is { } user)
        {
            Global.ScriptUser = user;
            Global.ScriptGroup = line.Count > 2 ? line[2].Text : null;
        }
    }

    public void GlobalScriptSecurity(Line line)
    {
        RecordGlobal(line);
        Global.ScriptSecurity = true;
    }

    public void GlobalCheckerLogAllFailures(Line line)
    {
        RecordGlobal(line);
        if (Bool(line, out var value))
        {
            Global.CheckerLogAllFailures = value;
        }
    }

    /// <summary>A VRRP/BFD/static-route block: skipped as keepalived's checker process skips it, and reported.</summary>
    public void NotHandledBlock(Line line, string what)
    {
        var arguments = line.Words.Skip(1).Select(w => w.Text).ToImmutableArray();
        NotHandledBlocks.Add(new NotHandledBlock(line.Keyword, arguments, line.Location));
        if (line.Keyword == "bfd_instance" && arguments.Length > 0)
        {
            BfdInstances.Add(arguments[0]);
        }
        _d.Warning(DiagnosticCodes.NotHandled, line.Location,
            $"{line.Join()} is not handled by ipvs; keep keepalived for {what}",
            "ipvs only takes over keepalived's LVS part (virtual servers and their checkers)");
    }

    // track_file NAME { file PATH; weight N [reverse]; init_file [VALUE] [overwrite] }
    public void TrackFileOpen(Line line)
    {
        if (line.Keyword == "vrrp_track_file")
        {
            _d.Warning(DiagnosticCodes.Deprecated, line.Location, "vrrp_track_file is deprecated", "write track_file");
        }
        _trackFile = new TrackFileBuilder(line[1].Text, line.Location);
    }

    public void TrackFileFile(Line line)
    {
        if (_trackFile is not { } tf)
        {
            return;
        }
        if (Value(line, "a file name") is not { } path)
        {
            return;
        }
        if (tf.FilePath is not null)
        {
            _d.Deviation(DiagnosticCodes.DuplicateSetting, line.Location, $"track_file {tf.Name}: file is already set", "keepalived keeps the first one and ignores this line");
            return;
        }
        tf.FilePath = path;
    }

    public void TrackFileWeight(Line line)
    {
        if (_trackFile is not { } tf)
        {
            return;
        }
        if (line.Count < 2)
        {
            _d.Deviation(DiagnosticCodes.MissingArgument, line.EndLocation, $"track_file {tf.Name}: weight needs a value", Ignoring);
            return;
        }
        // keepalived's check is "weight != 1", so a repeated "weight 1" passes.
        if (tf.Weight != 1)
        {
            _d.Deviation(DiagnosticCodes.DuplicateSetting, line.Location, $"track_file {tf.Name}: weight is already set", "keepalived keeps the first one and ignores this line");
            return;
        }
        tf.Weight = Signed(line, 1, -254, 254, out var weight, "keepalived uses 1") ? (int)weight : 1;
        if (line.Count >= 3)
        {
            if (line[2].Text == "reverse")
            {
                tf.Reverse = true;
            }
            else
            {
                Invalid(line, 2, $"track_file {tf.Name}: unknown weight option '{line[2].Text}' (reverse)", "keepalived ignores the option");
            }
        }
    }

    public void TrackFileInit(Line line)
    {
        if (_trackFile is not { } tf)
        {
            return;
        }
        int value = 0;
        bool overwrite = false;
        for (int i = 1; i < line.Count; i++)
        {
            var word = line[i].Text;
            if (word.Length > 0 && (char.IsAsciiDigit(word[0]) || word[0] == '-'))
            {
                if (Signed(line, i, int.MinValue, int.MaxValue, out var v, "keepalived writes 0"))
                {
                    if (v is < -254 or > 254)
                    {
                        OutOfRange(line, i, "-254..254", "keepalived writes it, but no weight can use it");
                    }
                    value = (int)v;
                }
            }
            else if (word == "overwrite")
            {
                overwrite = true;
            }
            else
            {
                Invalid(line, i, $"track_file {tf.Name}: unknown init_file option '{word}' (a number, overwrite)", "keepalived ignores the option");
            }
        }
        tf.Init = new TrackFileInit(value, overwrite);
    }

    public void TrackFileClose()
    {
        if (_trackFile is not { } tf)
        {
            return;
        }
        _trackFile = null;
        if (tf.FilePath is null)
        {
            _d.Deviation(DiagnosticCodes.Incomplete, tf.Location, $"track_file {tf.Name} has no file", "keepalived ignores the track_file");
            return;
        }
        if (TrackFiles.FirstOrDefault(t => t.Name == tf.Name) is { } first)
        {
            _d.Deviation(DiagnosticCodes.Duplicate, tf.Location, $"track_file {tf.Name} is already defined at {first.Location.ToShortString()}",
                "keepalived's FILE_CHECK finds the first one");
        }
        TrackFiles.Add(tf);
    }

    // SSL { password; ca; certificate; key }
    public void SslOpen(Line line)
    {
        if (Ssl is { } existing)
        {
            _d.Deviation(DiagnosticCodes.Duplicate, line.Location, $"SSL is already specified at {existing.Location.ToShortString()}", "keepalived replaces the first one");
        }
        Ssl = new SslBuilder(line.Location);
    }

    public void SslFile(Line line)
    {
        if (Ssl is not { } ssl)
        {
            return;
        }
        if (Value(line, "a value") is not { } value)
        {
            return;
        }
        if (HasSeen(ssl, line))
        {
            _d.Deviation(DiagnosticCodes.DuplicateSetting, line.Location, $"SSL {line.Keyword} is already specified", "keepalived replaces it with this one");
        }
        ssl.Seen.TryAdd(line.Keyword, line.Location);
        switch (line.Keyword)
        {
            case "password":
                ssl.Password = value;
                break;
            case "ca":
                ssl.CaFile = value;
                break;
            case "certificate":
                ssl.CertificateFile = value;
                break;
            default:
                ssl.KeyFile = value;
                break;
        }
    }
}
