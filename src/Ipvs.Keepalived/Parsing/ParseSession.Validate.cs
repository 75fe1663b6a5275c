namespace Ipvs.Keepalived.Parsing;

// After the last line: link_vsg_to_vs() (ipwrapper.c) and validate_check_config() (check_data.c),
// which resolve the defaults, then the immutable result.
internal sealed partial class ParseSession
{
    public KeepalivedConfig Build()
    {
        var groups = new Dictionary<string, GroupBuilder>(StringComparer.Ordinal);
        foreach (var g in Groups)
        {
            // The first definition wins, as ipvs_get_group_by_name() finds it first.
            groups.TryAdd(g.Name, g);
        }
        var servers = new List<VirtualServer>();
        foreach (var vs in VirtualServers)
        {
            if (vs.Id is VirtualServerGroupId gid && !LinkGroup(vs, gid, groups))
            {
                continue;
            }
            if (Validate(vs, vs.Id is VirtualServerGroupId g2 ? groups[g2.Name] : null) is { } built)
            {
                if (servers.FirstOrDefault(s => s.Id == built.Id && s.Protocol == built.Protocol && s.Family == built.Family) is { } twin)
                {
                    _d.Deviation(DiagnosticCodes.Duplicate, built.Location,
                        $"{vs.Describe()} is already defined at {twin.Location.ToShortString()} with the same protocol",
                        "IPVS refuses the second one (\"Service already exists\")");
                    continue;
                }
                servers.Add(built);
            }
        }
        WarnScriptSecurity(servers);
        return new KeepalivedConfig(
            BuildGlobal(),
            [.. servers],
            [.. Groups.Select(g => new VirtualServerGroup(g.Name, [.. g.Entries], g.Location))],
            [.. TrackFiles.Select(t => new TrackFile(t.Name, t.FilePath!, t.Weight, t.Reverse, t.Init, t.Location))],
            Ssl is { } ssl ? new SslSettings(ssl.Password, ssl.CaFile, ssl.CertificateFile, ssl.KeyFile, ssl.Location) : null,
            [.. NotHandledBlocks],
            [.. _reader.Files])
        {
            Mode = _d.Mode,
        };
    }

    // keepalived refuses to start scripts quietly as root: without enable_script_security it reports
    // "SECURITY VIOLATION - check scripts are being executed but script_security not enabled".
    private void WarnScriptSecurity(List<VirtualServer> servers)
    {
        if (Global.ScriptSecurity)
        {
            return;
        }
        var first = servers.SelectMany(vs => new[] { vs.QuorumUp, vs.QuorumDown }
                .Concat(vs.RealServers.SelectMany(rs => new[] { rs.NotifyUp, rs.NotifyDown }
                    .Concat(rs.Checkers.OfType<MiscChecker>().Select(m => m.Script)))))
            .FirstOrDefault(script => script is not null);
        if (first is not null)
        {
            _d.Warning(DiagnosticCodes.Incomplete, first.Location,
                "scripts are configured but global_defs has no enable_script_security",
                "keepalived 2.2.7 reports a SECURITY VIOLATION (keepalived -t exits 6); add enable_script_security and script_user");
        }
    }

    private GlobalDefinitions BuildGlobal() => new()
    {
        Location = Global.Location,
        RouterId = Global.RouterId,
        LvsTimeouts = Global.TimeoutsAt is { } at ? new LvsTimeouts(Global.TcpTimeout, Global.TcpFinTimeout, Global.UdpTimeout, at) : null,
        LvsSyncDaemon = Global.SyncDaemon,
        LvsFlush = Global.LvsFlush,
        LvsFlushOnStop = Global.FlushOnStop,
        NotificationEmails = [.. Global.Emails],
        NotificationEmailFrom = Global.EmailFrom,
        SmtpServer = Global.SmtpServer,
        SmtpAlert = Global.SmtpAlert,
        SmtpAlertChecker = Global.SmtpAlertChecker,
        ScriptUser = Global.ScriptUser,
        ScriptGroup = Global.ScriptGroup,
        EnableScriptSecurity = Global.ScriptSecurity,
        CheckerLogAllFailures = Global.CheckerLogAllFailures,
        NetNamespace = Global.NetNamespace,
        NetNamespaceIpvs = Global.NetNamespaceIpvs,
        Instance = Global.Instance,
        Settings = [.. Global.Settings],
    };

    // link_vsg_to_vs(): the group must exist and its family fit the virtual server's.
    private bool LinkGroup(VirtualServerBuilder vs, VirtualServerGroupId id, Dictionary<string, GroupBuilder> groups)
    {
        if (!groups.TryGetValue(id.Name, out var group))
        {
            _d.Deviation(DiagnosticCodes.UnknownReference, vs.Line[2].Location,
                $"virtual_server_group {id.Name} is not defined",
                "keepalived ignores this virtual server");
            return false;
        }
        AddressFamily? groupFamily = group.HasIPv4 == group.HasIPv6 ? null : group.HasIPv4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        if ((group.HasIPv4 && group.HasIPv6 && vs.Family is not null) ||
            (group.HasIPv4 && vs.Family == AddressFamily.InterNetworkV6) ||
            (group.HasIPv6 && vs.Family == AddressFamily.InterNetwork))
        {
            _d.Deviation(DiagnosticCodes.FamilyMismatch, vs.Location,
                $"the address family of virtual_server_group {id.Name} does not match {vs.Describe()} ({Values.Family(vs.Family!.Value)} real servers)",
                "keepalived ignores this virtual server");
            return false;
        }
        if (groupFamily is not null)
        {
            vs.Family ??= groupFamily;
        }
        else if (vs.Family is null && group.FwmarkWithoutFamily)
        {
            _d.Warning(DiagnosticCodes.Defaulted, vs.Location,
                $"the address family of {vs.Describe()} cannot be determined; keepalived uses IPv4",
                "give the group's fwmark a family (inet or inet6), or set ip_family");
            vs.Family = AddressFamily.InterNetwork;
        }
        return true;
    }

    private VirtualServer? Validate(VirtualServerBuilder vs, GroupBuilder? group)
    {
        var name = vs.Describe();
        if (vs.RealServers.Count == 0)
        {
            _d.Deviation(DiagnosticCodes.Incomplete, vs.Location, $"{name} has no real servers", "keepalived ignores the virtual server");
            return null;
        }
        bool fwmark = vs.Id is VirtualServerFwmark;
        var ranges = group?.Entries.OfType<VirtualServerGroupRange>().ToList() ?? [];
        bool groupFwmarks = group?.Entries.OfType<VirtualServerGroupFwmark>().Any() ?? false;
        if (vs.HaSuspend && (fwmark || groupFwmarks))
        {
            _d.Deviation(DiagnosticCodes.Adjusted, vs.Location, $"{name}: ha_suspend cannot be used with fwmarks", "keepalived clears ha_suspend");
            vs.HaSuspend = false;
        }
        ushort vsPort = vs.Id is VirtualServerAddress address ? address.Port : (ushort)0;
        bool addressBased = group is null ? !fwmark : ranges.Count > 0;
        if (addressBased)
        {
            if (vs.Protocol is null)
            {
                // keepalived 2.2.7 reports "no protocol set - defaulting to UDP". Strict mode refuses
                // to guess: UDP surprises most readers (and ipvsadm's default is TCP).
                _d.Deviation(DiagnosticCodes.Defaulted, vs.Location, $"{name} has no protocol",
                    "keepalived 2.2.7 then uses UDP; write protocol TCP (or UDP, SCTP)");
                vs.Protocol = IpvsProtocol.Udp;
            }
            if ((vs.Flags & ServiceFlags.OnePacket) != 0 && vs.Protocol != IpvsProtocol.Udp)
            {
                _d.Deviation(DiagnosticCodes.Adjusted, vs.Location, $"{name}: ops (one-packet scheduling) needs protocol UDP", "keepalived clears ops");
                vs.Flags &= ~ServiceFlags.OnePacket;
            }
            if (vs.PersistenceTimeout == 0 && group is null && vsPort == 0)
            {
                _d.Deviation(DiagnosticCodes.Adjusted, vs.Location, $"{name} has no port, which only a persistent service may have",
                    $"keepalived makes it persistent ({PersistentTimeoutDefault} s); give a port or a persistence_timeout");
                vs.PersistenceTimeout = PersistentTimeoutDefault;
            }
        }
        if (vs.PersistenceTimeout == 0 && group is not null && ranges.Any(r => r.Port == 0))
        {
            _d.Deviation(DiagnosticCodes.Adjusted, vs.Location, $"{name}: group {group.Name} has an address without a port, which only a persistent service may have",
                $"keepalived makes it persistent ({PersistentTimeoutDefault} s); give ports or a persistence_timeout");
            vs.PersistenceTimeout = PersistentTimeoutDefault;
        }
        if (vs.Protocol is not null && ((group is not null && ranges.Count == 0 && groupFwmarks) || (group is null && fwmark)))
        {
            _d.Warning(DiagnosticCodes.Adjusted, vs.ProtocolAt ?? vs.Location, $"{name}: protocol is ignored for a fwmark service", "keepalived ignores it; remove it");
            vs.Protocol = null;
        }
        if (vs.Scheduler is null)
        {
            _d.Warning(DiagnosticCodes.Defaulted, vs.Location, $"{name} has no lb_algo; keepalived uses wlc", "write lb_algo (or lvs_sched) to say which scheduler");
            vs.Scheduler = "wlc";
        }
        bool smtpAlert = vs.SmtpAlert ?? Global.SmtpAlertChecker ?? Global.SmtpAlert ?? false;

        LvsMethod VsMethod()
        {
            if (vs.Method is null)
            {
                _d.Warning(DiagnosticCodes.Defaulted, vs.Location, $"{name} has no lb_kind; keepalived uses NAT", "write lb_kind (or lvs_method) NAT, DR or TUN");
                vs.Method = LvsMethod.Nat;
            }
            return vs.Method;
        }

        var kept = new List<(RealServerBuilder Builder, RealServer Server)>();
        ulong weightSum = 0;
        foreach (var rs in vs.RealServers)
        {
            if (kept.FirstOrDefault(k => k.Builder.Address.Equals(rs.Address) && k.Builder.WrittenPort == rs.WrittenPort) is { Builder: { } twin })
            {
                _d.Deviation(DiagnosticCodes.DuplicateRealServer, rs.Location,
                    $"{rs.Describe()} is duplicated in {name} (first at {twin.Location.ToShortString()})",
                    "keepalived removes the second one");
                continue;
            }
            var method = rs.OwnOrInheritedMethod ?? VsMethod();
            var server = new RealServer
            {
                Address = rs.Address,
                Port = rs.WrittenPort,
                WrittenPort = rs.WrittenPort,
                Weight = rs.Weight ?? vs.Weight,
                Method = method,
                UpperThreshold = rs.UpperThreshold,
                LowerThreshold = rs.LowerThreshold,
                InhibitOnFailure = rs.Inhibit ?? vs.Inhibit,
                Alpha = rs.Alpha ?? vs.Alpha,
                Retry = rs.Retry ?? vs.Retry,
                ConnectTimeout = rs.ConnectTimeout ?? vs.ConnectTimeout,
                DelayLoop = rs.DelayLoop ?? vs.DelayLoop,
                Warmup = rs.Warmup ?? vs.Warmup,
                DelayBeforeRetry = rs.DelayBeforeRetry ?? vs.DelayBeforeRetry,
                NotifyUp = rs.NotifyUp,
                NotifyDown = rs.NotifyDown,
                VirtualHost = rs.VirtualHost ?? vs.VirtualHost,
                SmtpAlert = rs.SmtpAlert ?? Global.SmtpAlertChecker ?? Global.SmtpAlert ?? true,
                SnmpName = rs.SnmpName,
                Location = rs.Location,
                SettingLocations = rs.WrittenLocations(),
            };
            weightSum += server.Weight;
            kept.Add((rs, server));
        }

        SorryServer? sorry = null;
        if (vs.Sorry is { } s)
        {
            bool inhibit = s.Inhibit;
            if (kept.FirstOrDefault(k => k.Builder.Address.Equals(s.Address) && k.Builder.WrittenPort == s.Port) is { Server: { } same } && same.InhibitOnFailure != inhibit)
            {
                _d.Deviation(DiagnosticCodes.Adjusted, s.Location,
                    $"sorry_server {s.Address} is also a real server of {name}, with a different inhibit_on_failure",
                    $"keepalived {(same.InhibitOnFailure ? "sets" : "clears")} sorry_server_inhibit to match the real server");
                inhibit = same.InhibitOnFailure;
            }
            sorry = new SorryServer(s.Address, s.Port, s.Method ?? VsMethod(), inhibit, s.Location);
        }

        uint quorum = vs.Quorum;
        if (quorum > weightSum)
        {
            _d.Warning(DiagnosticCodes.Adjusted, vs.QuorumAt ?? vs.Location,
                $"{name}: quorum {quorum} exceeds the total weight of its real servers ({weightSum}); keepalived lowers it to {weightSum}");
            quorum = (uint)weightSum;
        }
        uint hysteresis = vs.Hysteresis;
        if (hysteresis >= quorum)
        {
            // keepalived computes quorum - 1 in unsigned arithmetic.
            uint lowered = unchecked(quorum - 1);
            var message = $"{name}: hysteresis {hysteresis} is not below the quorum {quorum}; keepalived sets it to {lowered}";
            if (vs.HysteresisAt is { } at)
            {
                _d.Deviation(DiagnosticCodes.Adjusted, at, message, "use a hysteresis below the quorum");
            }
            else
            {
                _d.Warning(DiagnosticCodes.Adjusted, vs.Location, message, "the real servers' weights add up to 0");
            }
            hysteresis = lowered;
        }

        var realServers = new List<RealServer>();
        foreach (var (builder, server) in kept)
        {
            var port = ResolvePort(vs, group, builder.Location, $"{builder.Describe()}", server.Method, server.WrittenPort, vsPort, fwmark, ranges, groupFwmarks);
            realServers.Add(server with { Port = port, Checkers = [.. BuildCheckers(builder, server)] });
        }
        if (sorry is not null)
        {
            sorry = sorry with { Port = ResolvePort(vs, group, sorry.Location, $"sorry_server {sorry.Address}", sorry.Method, sorry.Port, vsPort, fwmark, ranges, groupFwmarks, sorryServer: true) };
        }
        for (int i = 0; i < realServers.Count; i++)
        {
            var twin = realServers.Take(i).FirstOrDefault(r => r.Address.Equals(realServers[i].Address) && r.Port == realServers[i].Port);
            if (twin is not null)
            {
                _d.Deviation(DiagnosticCodes.DuplicateRealServer, realServers[i].Location,
                    $"real_server {realServers[i].Address} port {realServers[i].Port} in {name} is the same server as the one at {twin.Location.ToShortString()} once ports are resolved",
                    "IPVS refuses the second one (\"Destination already exists\")");
            }
        }

        var granularity = vs.Granularity ?? Netmask.Full(vs.Family ?? AddressFamily.InterNetwork);
        return new VirtualServer
        {
            Id = vs.Id,
            Family = vs.Family,
            Scheduler = vs.Scheduler,
            Flags = vs.Flags,
            Method = vs.Method ?? LvsMethod.Nat,
            Protocol = vs.Protocol,
            PersistenceTimeout = vs.PersistenceTimeout,
            PersistenceGranularity = granularity,
            PersistenceEngine = vs.PersistenceEngine,
            Quorum = quorum,
            Hysteresis = hysteresis,
            QuorumUp = vs.QuorumUp,
            QuorumDown = vs.QuorumDown,
            Alpha = vs.Alpha,
            Omega = vs.Omega,
            HaSuspend = vs.HaSuspend,
            InhibitOnFailure = vs.Inhibit,
            DelayLoop = vs.DelayLoop,
            ConnectTimeout = vs.ConnectTimeout,
            Retry = vs.Retry,
            DelayBeforeRetry = vs.DelayBeforeRetry,
            Warmup = vs.Warmup,
            Weight = vs.Weight,
            VirtualHost = vs.VirtualHost,
            SmtpAlert = smtpAlert,
            SnmpName = vs.SnmpName,
            SorryServer = sorry,
            RealServers = [.. realServers],
            Location = vs.Location,
            SettingLocations = vs.WrittenLocations(),
        };
    }

    // The port checks at the end of validate_check_config(): NAT takes the virtual server's port
    // when none is written; DR/TUN must use the virtual server's port (reset with a warning), and
    // no port at all for a fwmark service. A NAT sorry server is not filled in: that loop covers the
    // real servers only, so a NAT sorry_server without a port goes to the kernel with port 0.
    private ushort ResolvePort(VirtualServerBuilder vs, GroupBuilder? group, SourceLocation at, string what, LvsMethod method, ushort port, ushort vsPort,
        bool fwmark, List<VirtualServerGroupRange> ranges, bool groupFwmarks, bool sorryServer = false)
    {
        bool nat = method.Method == ForwardingMethod.Masquerade;
        if (group is not null)
        {
            if (nat || port == 0)
            {
                return port;
            }
            if (groupFwmarks)
            {
                _d.Warning(DiagnosticCodes.Adjusted, at, $"{what} has a port, which a fwmark service ignores ({vs.Describe()})", "remove the port");
            }
            foreach (var range in ranges.Where(r => r.Port != port))
            {
                _d.Deviation(DiagnosticCodes.Adjusted, at,
                    $"{what} uses port {port}, but group {group.Name} has {range.First}{(range.Last.Equals(range.First) ? "" : $"-{range.Last}")} port {range.Port}; with {method} the ports must match",
                    "keepalived reports the mismatch; use the same port, or NAT");
            }
            return port;
        }
        if (nat)
        {
            return !fwmark && port == 0 && !sorryServer ? vsPort : port;
        }
        if (fwmark)
        {
            if (port != 0)
            {
                _d.Warning(DiagnosticCodes.Adjusted, at, $"{what} has port {port}, which a fwmark service with {method} ignores; keepalived clears it", "remove the port");
            }
            return 0;
        }
        if (port == 0)
        {
            return vsPort;
        }
        if (port != vsPort)
        {
            _d.Warning(DiagnosticCodes.Adjusted, at, $"{what} port {port} differs from {vs.Describe()}; with {method} keepalived resets it to {vsPort}",
                "with DR and TUN the real server listens on the virtual server's port; use NAT to change ports");
            return vsPort;
        }
        return port;
    }

    private IEnumerable<HealthChecker> BuildCheckers(RealServerBuilder rs, RealServer server)
    {
        foreach (var c in rs.Checkers)
        {
            if (c.Dropped)
            {
                continue;
            }
            if (BuildChecker(c, rs, server) is { } checker)
            {
                yield return checker with { SettingLocations = c.WrittenLocations() };
            }
        }
    }

    private HealthChecker? BuildChecker(CheckerBuilder c, RealServerBuilder rs, RealServer server)
    {
        switch (c.Kind)
        {
            case CheckerKind.File:
                var file = c.TrackFile!;
                return new FileChecker
                {
                    Location = c.Location,
                    TrackFile = file.Name,
                    FilePath = file.FilePath!,
                    Weight = c.FileWeight ?? file.Weight,
                    Reverse = c.FileWeight is null ? file.Reverse : c.FileReverse,
                };
            case CheckerKind.Bfd:
                return new BfdChecker { Location = c.Location, Name = c.BfdName!, Alpha = c.Alpha ?? server.Alpha };
        }

        var delayLoop = c.DelayLoop ?? server.DelayLoop;
        uint defaultRetry = c.Kind switch
        {
            CheckerKind.Misc => 0,
            CheckerKind.Dns => 3,
            _ => 1,
        };
        var defaultDelayBeforeRetry = c.Kind switch
        {
            CheckerKind.Http or CheckerKind.Ssl => TimeSpan.FromSeconds(3),
            CheckerKind.Dns => delayLoop,
            _ => TimeSpan.FromSeconds(1),
        };
        var timing = new CheckerTiming(
            c.Retry ?? server.Retry ?? defaultRetry,
            c.DelayBeforeRetry ?? server.DelayBeforeRetry ?? defaultDelayBeforeRetry,
            c.Warmup ?? server.Warmup ?? delayLoop,
            delayLoop,
            c.Alpha ?? server.Alpha,
            c.LogAllFailures ?? Global.CheckerLogAllFailures);

        if (c.Kind == CheckerKind.Misc)
        {
            var script = c.Script!;
            return new MiscChecker
            {
                Location = c.Location,
                Timing = timing,
                Script = script with { User = c.User, Group = c.Group },
                Timeout = TimeSpan.FromSeconds(c.MiscTimeout),
                Dynamic = c.Dynamic,
            };
        }

        var connection = Connection(c.Connection!, c, rs, server);
        switch (c.Kind)
        {
            case CheckerKind.Http or CheckerKind.Ssl:
                return new HttpChecker
                {
                    Location = c.Location,
                    Timing = timing,
                    Connection = connection,
                    Ssl = c.Kind == CheckerKind.Ssl,
                    Urls = [.. c.Urls.Where(u => !u.Dropped).Select(Url)],
                    VirtualHost = c.VirtualHost ?? server.VirtualHost,
                    Protocol = c.HttpProtocol,
                    EnableSni = c.EnableSni,
                    FastRecovery = c.FastRecovery,
                };
            case CheckerKind.Tcp:
                return new TcpChecker { Location = c.Location, Timing = timing, Connection = connection };
            case CheckerKind.Ping:
                return new PingChecker { Location = c.Location, Timing = timing, Connection = connection };
            case CheckerKind.Smtp:
                return new SmtpChecker
                {
                    Location = c.Location,
                    Timing = timing,
                    Connection = connection,
                    HeloName = c.HeloName ?? "smtpchecker.keepalived.org",
                    Hosts = [.. c.Hosts.Select(h => Connection(h, c, rs, server))],
                };
            case CheckerKind.Dns:
                return new DnsChecker { Location = c.Location, Timing = timing, Connection = connection, QueryType = c.DnsType, Name = c.DnsName ?? "" };
            default:
                return new UdpChecker
                {
                    Location = c.Location,
                    Timing = timing,
                    Connection = connection,
                    Payload = c.Payload,
                    RequireReply = c.RequireReply,
                    ReplyData = c.ReplyData,
                    ReplyMask = c.ReplyMask,
                    MinReplyLength = c.MinReplyLength,
                    MaxReplyLength = c.MaxReplyLength,
                };
        }
    }

    private CheckerConnection Connection(ConnectionBuilder co, CheckerBuilder c, RealServerBuilder rs, RealServer server)
    {
        // queue_checker() copies the real server's address as written: its port is filled in later
        // by validate_check_config(), too late for the checker.
        var port = co.Port ?? rs.WrittenPort;
        if (port == 0 && c.Kind != CheckerKind.Ping)
        {
            _d.Deviation(DiagnosticCodes.Incomplete, c.Location,
                $"{c.Keyword} of {rs.Describe()} connects to port 0: the real server has no port and the checker no connect_port",
                "keepalived copies the real server's port before filling it in; add connect_port or a port on the real_server line");
        }
        return new CheckerConnection(co.Address ?? rs.Address, port, co.BindTo, co.BindPort, co.BindInterface, co.Timeout ?? server.ConnectTimeout, co.Fwmark);
    }

    private static HttpUrl Url(UrlBuilder u)
    {
        var regex = u.Regex is null
            ? null
            : new HttpRegex(u.Regex, u.RegexNoMatch, [.. u.RegexOptions], u.RegexMinOffset, u.RegexMaxOffset, u.StackStart, u.StackMax);
        // url_check(): no status_code means 200-299 (HTTP_DEFAULT_STATUS_CODE_MIN/MAX).
        ImmutableArray<StatusCodeRange> codes = u.StatusCodes.Count == 0 ? [new StatusCodeRange(200, 299)] : [.. u.StatusCodes];
        return new HttpUrl(u.Path!, u.Digest, codes, u.VirtualHost, regex, u.Location);
    }
}
