using System.Globalization;
using System.Numerics;
using Ipvs.Keepalived.Syntax;

namespace Ipvs.Keepalived.Parsing;

// virtual_server_group and virtual_server (check_parser.c, alloc_vs()/alloc_vsg_entry() in check_data.c).
internal sealed partial class ParseSession
{
    // lvs_schedulers[] in check_parser.c.
    internal static readonly string[] Schedulers = ["rr", "wrr", "lc", "wlc", "lblc", "sh", "mh", "dh", "fo", "ovf", "lblcr", "sed", "nq", "twos"];

    public void VirtualServerGroup(Line line)
    {
        var group = new GroupBuilder(line[1].Text, line.Location);
        if (line.Count > 2)
        {
            _d.Deviation(DiagnosticCodes.ExtraArgument, line[2].Location,
                $"virtual_server_group takes one name; '{line.Join(2)}' is extra", "keepalived reports \"Block has extra parameters\" and ignores them");
        }
        foreach (var entry in ReadValueBlock(line, $"virtual_server_group {group.Name}"))
        {
            GroupEntry(group, entry);
        }
        if (group.Entries.Count == 0)
        {
            _d.Deviation(DiagnosticCodes.Incomplete, line.Location, $"virtual_server_group {group.Name} has no entries", "keepalived removes the group");
            return;
        }
        if (group.HasIPv4 && group.HasIPv6 && group.FwmarkWithoutFamily)
        {
            _d.Deviation(DiagnosticCodes.FamilyMismatch, line.Location,
                $"virtual_server_group {group.Name} has IPv4 and IPv6 addresses and a fwmark without family",
                "give the fwmark a family (fwmark N inet|inet6); keepalived removes the group");
            return;
        }
        if (Groups.FirstOrDefault(g => g.Name == group.Name) is { } first)
        {
            _d.Deviation(DiagnosticCodes.Duplicate, line.Location, $"virtual_server_group {group.Name} is already defined at {first.Location.ToShortString()}",
                "keepalived uses the first one");
        }
        Groups.Add(group);
    }

    private void GroupEntry(GroupBuilder group, Line line)
    {
        var first = line.Keyword;
        if (first == "fwmark")
        {
            if (line.Count < 2)
            {
                _d.Fatal(DiagnosticCodes.MissingArgument, line.EndLocation, "fwmark needs a value", "keepalived stops reading the configuration here");
                return;
            }
            if (!Unsigned(line, 1, 0, UIntMax, out var mark, "keepalived ignores the entry"))
            {
                return;
            }
            AddressFamily? family = null;
            if (line.Count > 2)
            {
                switch (line[2].Text)
                {
                    case "inet":
                        family = AddressFamily.InterNetwork;
                        group.HasIPv4 = true;
                        break;
                    case "inet6":
                        family = AddressFamily.InterNetworkV6;
                        group.HasIPv6 = true;
                        break;
                    default:
                        Invalid(line, 2, $"virtual_server_group {group.Name}: fwmark {mark}: unknown family '{line[2].Text}' (inet or inet6)", "keepalived ignores the entry");
                        return;
                }
                if (line.Count > 3)
                {
                    _d.Deviation(DiagnosticCodes.ExtraArgument, line[3].Location, $"fwmark entry: '{line.Join(3)}' is extra", "keepalived ignores the extra words");
                }
            }
            else
            {
                group.FwmarkWithoutFamily = true;
            }
            group.Entries.Add(new VirtualServerGroupFwmark((uint)mark, family, line.Location));
            return;
        }

        ushort port = 0;
        if (line.Count >= 2 && !Values.IsZeroPort(line[1].Text))
        {
            if (!Unsigned(line, 1, 1, 65535, out var p, "keepalived skips the entry"))
            {
                return;
            }
            port = (ushort)p;
        }
        if (line.Count > 2)
        {
            _d.Deviation(DiagnosticCodes.ExtraArgument, line[2].Location, $"virtual_server_group entry: '{line.Join(2)}' is extra", "keepalived ignores the extra words");
        }
        var start = Values.ParseAddress(first, out _);
        if (start is null)
        {
            Invalid(line, 0, $"virtual_server_group {group.Name}: invalid address '{first}'", "keepalived skips the entry");
            return;
        }
        bool v6 = start.AddressFamily == AddressFamily.InterNetworkV6;
        int bits = v6 ? 128 : 32;
        var startValue = ToNumber(start);
        BigInteger endValue = startValue;
        int slash = first.IndexOf('/', StringComparison.Ordinal);
        int dash = first.IndexOf('-', StringComparison.Ordinal);
        if (slash >= 0)
        {
            // ADDRESS/LEN: the whole block; the host bits must be zero.
            var lengthText = first[(slash + 1)..];
            if (!int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length == 0 || length > bits)
            {
                Invalid(line, 0, $"virtual_server_group {group.Name}: invalid netmask in '{first}' (1..{bits})", "keepalived skips the entry");
                return;
            }
            var hostMask = (BigInteger.One << (bits - length)) - 1;
            if ((startValue & hostMask) != 0)
            {
                Invalid(line, 0, $"virtual_server_group {group.Name}: '{first}' has host bits set", "keepalived skips the entry; write the network address");
                return;
            }
            endValue = startValue | hostMask;
        }
        else if (dash >= 0 && (v6 ? first[(dash + 1)..].Contains(':', StringComparison.Ordinal) : first[(dash + 1)..].Contains('.', StringComparison.Ordinal)))
        {
            // FIRST-LAST with two full addresses.
            var end = Values.ParseAddress(first[(dash + 1)..], out _);
            if (end is null)
            {
                Invalid(line, 0, $"virtual_server_group {group.Name}: invalid range end in '{first}'", "keepalived skips the entry");
                return;
            }
            if (end.AddressFamily != start.AddressFamily)
            {
                Invalid(line, 0, $"virtual_server_group {group.Name}: the range '{first}' mixes address families", "keepalived skips the entry");
                return;
            }
            endValue = ToNumber(end);
            if (endValue < startValue)
            {
                Invalid(line, 0, $"virtual_server_group {group.Name}: the range '{first}' ends before it starts", "keepalived skips the entry");
                return;
            }
        }
        else if (dash >= 0)
        {
            // FIRST-N: N replaces the last byte (IPv4, decimal) or the last 16-bit group (IPv6, hexadecimal).
            var text = first[(dash + 1)..];
            var style = v6 ? NumberStyles.AllowHexSpecifier : NumberStyles.None;
            if (!ulong.TryParse(text, style, CultureInfo.InvariantCulture, out var last))
            {
                Invalid(line, 0, $"virtual_server_group {group.Name}: range end '{text}' in '{first}' is not a {(v6 ? "hexadecimal" : "decimal")} number", "keepalived skips the entry");
                return;
            }
            ulong limit = v6 ? 0xFFFFUL : 255UL;
            if (last > limit)
            {
                _d.Deviation(DiagnosticCodes.OutOfRange, line[0].Location,
                    $"virtual_server_group {group.Name}: range end '{text}' in '{first}' is out of range 0..{(v6 ? "ffff" : "255")}", "keepalived skips the entry");
                return;
            }
            var lowMask = v6 ? (BigInteger)0xFFFF : 0xFF;
            var low = startValue & lowMask;
            if (low >= last)
            {
                Invalid(line, 0, $"virtual_server_group {group.Name}: range '{first}' does not end after its start", "keepalived skips the entry");
                return;
            }
            endValue = (startValue & ~lowMask) | last;
        }
        if (v6)
        {
            group.HasIPv6 = true;
        }
        else
        {
            group.HasIPv4 = true;
        }
        group.Entries.Add(new VirtualServerGroupRange(start, FromNumber(endValue, v6), port, line.Location));
    }

    private static BigInteger ToNumber(IPAddress address) => new(address.GetAddressBytes(), isUnsigned: true, isBigEndian: true);

    private static IPAddress FromNumber(BigInteger value, bool v6)
    {
        var bytes = new byte[v6 ? 16 : 4];
        var raw = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        raw.CopyTo(bytes, bytes.Length - raw.Length);
        return new IPAddress(bytes);
    }

    // vs_handler() and alloc_vs(): "ADDRESS [PORT]", "fwmark N" or "group NAME".
    public void VirtualServerOpen(Line line)
    {
        var first = line[1].Text;
        VirtualServerId id;
        AddressFamily? family = null;
        if (first is "group" or "fwmark")
        {
            if (line.Count < 3)
            {
                _d.Fatal(DiagnosticCodes.MissingArgument, line.EndLocation, $"virtual_server {first} needs a {(first == "group" ? "name" : "mark")}",
                    "keepalived cannot read this virtual server");
                SkipBlock();
                return;
            }
            if (first == "group")
            {
                id = new VirtualServerGroupId(line[2].Text);
            }
            else
            {
                if (!Unsigned(line, 2, 0, UIntMax, out var mark, "keepalived skips the virtual server"))
                {
                    SkipBlock();
                    return;
                }
                id = new VirtualServerFwmark((uint)mark);
            }
        }
        else
        {
            if (!Server(line, 1, "virtual server", out var address, out var port))
            {
                SkipBlock();
                return;
            }
            id = new VirtualServerAddress(address, port);
            family = address.AddressFamily;
        }
        VirtualServers.Add(new VirtualServerBuilder(id, line.Location, line) { Family = family });
    }

    // vs_end_handler(): the sorry server's family, and a family for a fwmark service whose servers are all tunnelled.
    public void VirtualServerClose()
    {
        if (CurrentVs is not { } vs)
        {
            return;
        }
        if (vs.Sorry is { } sorry && EffectiveMethod(sorry.Method, vs)?.Method != ForwardingMethod.Tunnel)
        {
            if (vs.Family is null)
            {
                vs.Family = sorry.Address.AddressFamily;
            }
            else if (vs.Family != sorry.Address.AddressFamily)
            {
                _d.Deviation(DiagnosticCodes.FamilyMismatch, sorry.Location,
                    $"sorry_server {sorry.Address} is {Values.Family(sorry.Address.AddressFamily)} but {vs.Describe()} is {Values.Family(vs.Family.Value)}",
                    "keepalived skips the sorry server");
                vs.Sorry = null;
            }
        }
        if (vs.Family is null && vs.Id is not VirtualServerGroupId)
        {
            // Only fwmark services get here: every real and sorry server is tunnelled. One family
            // among them is the service's; a mixture (or none) defaults to IPv4.
            var families = vs.RealServers.Select(r => r.Address.AddressFamily).ToList();
            if (vs.Sorry is { } s)
            {
                families.Insert(0, s.Address.AddressFamily);
            }
            vs.Family = families.Distinct().Count() == 1 ? families[0] : AddressFamily.InterNetwork;
        }
    }

    private static LvsMethod? EffectiveMethod(LvsMethod? own, VirtualServerBuilder vs) => own ?? vs.Method;

    private VirtualServerBuilder? Vs(Line line)
    {
        if (CurrentVs is { } vs)
        {
            Note(vs, line, vs.Describe());
        }
        return CurrentVs;
    }

    public void VsIpFamily(Line line)
    {
        if (Vs(line) is not { } vs)
        {
            return;
        }
        AddressFamily family;
        switch (line[1].Text)
        {
            case "inet":
                family = AddressFamily.InterNetwork;
                break;
            case "inet6":
                family = AddressFamily.InterNetworkV6;
                break;
            default:
                Invalid(line, 1, $"ip_family: unknown address family '{line[1].Text}' (inet or inet6)");
                return;
        }
        if (vs.Family is { } known && known != family)
        {
            _d.Deviation(DiagnosticCodes.FamilyMismatch, line[1].Location,
                $"ip_family {line[1].Text} conflicts with {vs.Describe()}, which is {Values.Family(known)}", Ignoring);
            return;
        }
        vs.Family = family;
    }

    public void VsRetry(Line line)
    {
        if (Vs(line) is { } vs && Unsigned(line, 1, 1, UIntMax, out var v))
        {
            vs.Retry = (uint)v;
        }
    }

    public void VsDelayBeforeRetry(Line line)
    {
        if (Vs(line) is { } vs && Timer(line, 1, 0, 0, out var t))
        {
            vs.DelayBeforeRetry = t;
        }
    }

    public void VsWarmup(Line line)
    {
        if (Vs(line) is { } vs && Timer(line, 1, 0, 0, out var t))
        {
            vs.Warmup = t;
        }
    }

    public void VsConnectTimeout(Line line)
    {
        if (Vs(line) is { } vs && Timer(line, 1, 1, ConnectTimeoutMax, out var t))
        {
            vs.ConnectTimeout = t;
        }
    }

    public void VsDelayLoop(Line line)
    {
        if (Vs(line) is { } vs && Timer(line, 1, 1, 0, out var t))
        {
            vs.DelayLoop = t;
        }
    }

    public void VsInhibit(Line line)
    {
        if (Vs(line) is { } vs)
        {
            vs.Inhibit = true;
        }
    }

    public void VsScheduler(Line line)
    {
        if (Vs(line) is not { } vs)
        {
            return;
        }
        var name = line[1].Text;
        if (!Schedulers.Contains(name, StringComparer.Ordinal))
        {
            Invalid(line, 1, $"{line.Keyword}: unknown scheduler '{name}' (one of {string.Join(' ', Schedulers)})",
                vs.Scheduler is null ? "keepalived ignores it and uses wlc" : $"keepalived ignores it and keeps {vs.Scheduler}");
            return;
        }
        vs.Scheduler = name;
    }

    // lbflags_handler(): sh-* and mh-* only count when lb_algo sh/mh came before them.
    public void VsFlag(Line line)
    {
        if (Vs(line) is not { } vs)
        {
            return;
        }
        var flag = line.Keyword;
        switch (flag)
        {
            case "ops":
                vs.Flags |= ServiceFlags.OnePacket;
                return;
            case "flag-1":
                vs.Flags |= ServiceFlags.SchedulerFlag1;
                return;
            case "flag-2":
                vs.Flags |= ServiceFlags.SchedulerFlag2;
                return;
            case "flag-3":
                vs.Flags |= ServiceFlags.SchedulerFlag3;
                return;
        }
        var family = flag.StartsWith("sh-", StringComparison.Ordinal) ? "sh" : flag.StartsWith("mh-", StringComparison.Ordinal) ? "mh" : null;
        if (vs.Scheduler == family && family is not null)
        {
            vs.Flags |= flag.EndsWith("-port", StringComparison.Ordinal) ? ServiceFlags.SchedulerFlag2 : ServiceFlags.SchedulerFlag1;
            return;
        }
        if (flag == "hashed")
        {
            if (vs.Scheduler is "sh" or "mh")
            {
                _d.Warning(DiagnosticCodes.InvalidValue, line.Location, "hashed has no effect", "keepalived accepts it and does nothing");
            }
            else
            {
                _d.Deviation(DiagnosticCodes.InvalidValue, line.Location, "hashed has no effect", "keepalived reports \"hashed only applies to sh scheduler - ignoring\"");
            }
            return;
        }
        var hint = vs.Scheduler is "sh" or "mh"
            ? $"keepalived silently ignores {flag} with the {vs.Scheduler} scheduler"
            : $"keepalived ignores it; if the scheduler is {family}, write 'lb_algo {family}' before {flag}";
        _d.Deviation(DiagnosticCodes.InvalidValue, line.Location,
            $"{flag} only applies to the {family} scheduler, and the scheduler here is {(vs.Scheduler is null ? "not set yet" : vs.Scheduler)}", hint);
    }

    public void VsMethod(Line line)
    {
        if (Vs(line) is { } vs && Method(line, "virtual", vs.Method) is { } method)
        {
            vs.Method = method;
        }
    }

    public void VsPersistenceEngine(Line line)
    {
        if (Vs(line) is not { } vs)
        {
            return;
        }
        var name = line[1].Text;
        // IP_VS_PENAME_MAXLEN is 16 with the terminating NUL.
        if (name.Length > 15)
        {
            Invalid(line, 1, $"persistence_engine '{name}' is longer than 15 characters", $"keepalived truncates it to '{name[..15]}'");
            name = name[..15];
        }
        vs.PersistenceEngine = name;
    }

    public void VsPersistenceTimeout(Line line)
    {
        if (Vs(line) is not { } vs)
        {
            return;
        }
        if (line.Count < 2)
        {
            vs.PersistenceTimeout = PersistentTimeoutDefault;
            return;
        }
        if (Unsigned(line, 1, 1, LvsMaxTimeout, out var t))
        {
            vs.PersistenceTimeout = (uint)t;
        }
    }

    // pgr_handler(): a dotted mask for IPv4, a prefix length 1..128 for IPv6; the family, when not
    // known yet, is guessed from a '.' in the value.
    public void VsPersistenceGranularity(Line line)
    {
        if (Vs(line) is not { } vs)
        {
            return;
        }
        var text = line[1].Text;
        var family = vs.Family ?? (text.Contains('.', StringComparison.Ordinal) ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6);
        if (family == AddressFamily.InterNetworkV6)
        {
            if (!Unsigned(line, 1, 1, 128, out var prefix))
            {
                return;
            }
            vs.Granularity = Netmask.FromPrefixLength((int)prefix, AddressFamily.InterNetworkV6);
        }
        else
        {
            var mask = Values.ParseIPv4(text);
            if (mask is null)
            {
                Invalid(line, 1, $"persistence_granularity '{text}' is not a dotted IPv4 netmask such as 255.255.255.0",
                    int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _)
                        ? $"keepalived (getaddrinfo) would read '{text}' as the address 0.0.0.{text}, not as a prefix length"
                        : Ignoring);
                return;
            }
            vs.Granularity = Netmask.FromIPv4Mask(mask);
        }
        vs.Family ??= family;
        if (vs.PersistenceTimeout == 0)
        {
            vs.PersistenceTimeout = PersistentTimeoutDefault;
        }
    }

    public void VsProtocol(Line line)
    {
        if (Vs(line) is not { } vs)
        {
            return;
        }
        var text = line[1].Text;
        IpvsProtocol? protocol = text.ToUpperInvariant() switch
        {
            "TCP" => IpvsProtocol.Tcp,
            "UDP" => IpvsProtocol.Udp,
            "SCTP" => IpvsProtocol.Sctp,
            _ => null,
        };
        if (protocol is null)
        {
            Invalid(line, 1, $"protocol: unknown protocol '{text}' (TCP, UDP or SCTP)");
            return;
        }
        vs.Protocol = protocol;
        vs.ProtocolAt = line.Location;
    }

    public void VsHaSuspend(Line line)
    {
        if (Vs(line) is { } vs)
        {
            vs.HaSuspend = true;
        }
    }

    public void VsSmtpAlert(Line line)
    {
        if (Vs(line) is { } vs && Bool(line, out var value))
        {
            vs.SmtpAlert = value;
        }
    }

    public void VsVirtualHost(Line line)
    {
        if (Vs(line) is { } vs && Value(line, "a host name") is { } host)
        {
            vs.VirtualHost = host;
        }
    }

    public void VsSnmpName(Line line)
    {
        if (Vs(line) is { } vs && Value(line, "a name") is { } name)
        {
            vs.SnmpName = name;
        }
    }

    public void VsAlpha(Line line)
    {
        if (Vs(line) is { } vs)
        {
            vs.Alpha = true;
        }
    }

    public void VsOmega(Line line)
    {
        if (Vs(line) is { } vs)
        {
            vs.Omega = true;
        }
    }

    public void VsQuorumUp(Line line) => QuorumScript(line, up: true);

    public void VsQuorumDown(Line line) => QuorumScript(line, up: false);

    private void QuorumScript(Line line, bool up)
    {
        if (CurrentVs is not { } vs)
        {
            return;
        }
        if ((up ? vs.QuorumUp : vs.QuorumDown) is { } existing)
        {
            _d.Deviation(DiagnosticCodes.DuplicateSetting, line.Location,
                $"{line.Keyword} is already set for {vs.Describe()} (at {existing.Location.ToShortString()})", "keepalived keeps the first one and ignores this line");
            return;
        }
        var script = Script(line);
        Mark(vs, line);
        if (up)
        {
            vs.QuorumUp = script;
        }
        else
        {
            vs.QuorumDown = script;
        }
    }

    public void VsQuorum(Line line)
    {
        if (Vs(line) is not { } vs)
        {
            return;
        }
        vs.Quorum = Unsigned(line, 1, 1, UIntMax, out var q, "keepalived sets the quorum to 1") ? (uint)q : 1;
        vs.QuorumAt = line.Location;
    }

    public void VsHysteresis(Line line)
    {
        if (Vs(line) is { } vs && Unsigned(line, 1, 0, UIntMax, out var h))
        {
            vs.Hysteresis = (uint)h;
            vs.HysteresisAt = line.Location;
        }
    }

    public void VsWeight(Line line)
    {
        if (Vs(line) is { } vs && Unsigned(line, 1, 1, IpvsWeightLimit, out var w))
        {
            vs.Weight = (uint)w;
        }
    }

    public void SorryServer(Line line)
    {
        if (Vs(line) is not { } vs)
        {
            return;
        }
        if (!Server(line, 1, "sorry server", out var address, out var port))
        {
            return;
        }
        // alloc_ssvr() copies the virtual server's method as it is at this line.
        vs.Sorry = new SorryServerBuilder(address, port, vs.Method, line.Location);
    }

    public void SorryServerInhibit(Line line)
    {
        if (CurrentVs is not { } vs)
        {
            return;
        }
        if (vs.Sorry is null)
        {
            _d.Deviation(DiagnosticCodes.Incomplete, line.Location, "sorry_server_inhibit before or without sorry_server", "keepalived ignores it; write it after sorry_server");
            return;
        }
        vs.Sorry.Inhibit = true;
        Mark(vs, line);
    }

    public void SorryServerMethod(Line line)
    {
        if (CurrentVs is not { } vs)
        {
            return;
        }
        if (vs.Sorry is null)
        {
            _d.Deviation(DiagnosticCodes.Incomplete, line.Location, "sorry_server_lvs_method before or without sorry_server", "keepalived ignores it; write it after sorry_server");
            return;
        }
        if (Method(line, "sorry", vs.Sorry.Method) is { } method)
        {
            vs.Sorry.Method = method;
            Mark(vs, line);
        }
    }
}
