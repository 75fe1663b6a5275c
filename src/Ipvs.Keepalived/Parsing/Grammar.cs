using Ipvs.Keepalived.Syntax;

namespace Ipvs.Keepalived.Parsing;

/// <summary>A keyword of a block: how many words it takes, what it does, and the block it opens.</summary>
internal sealed class KeywordSpec(string name)
{
    public string Name { get; } = name;

    /// <summary>Fewer words is fatal: keepalived reads the missing slot and stops with "missing a parameter".</summary>
    public int MinArgs { get; init; }

    /// <summary>More words are ignored by keepalived; -1 when the handler reads any number.</summary>
    public int MaxArgs { get; init; } = -1;

    public Action<ParseSession, Line>? Handler { get; init; }

    /// <summary>The block it opens; null for a plain setting.</summary>
    public BlockSpec? Block { get; init; }

    /// <summary>keepalived's sub_close_handler: runs when the block's '}' (or the end of the file) is reached.</summary>
    public Action<ParseSession>? OnClose { get; init; }

    /// <summary>For a top-level block ipvs does not handle: why; the block is skipped as keepalived's checker process skips it.</summary>
    public string? NotHandled { get; init; }
}

/// <summary>The keywords valid inside one kind of block, in keepalived's order (the first match wins).</summary>
internal sealed class BlockSpec(string name)
{
    private readonly Dictionary<string, KeywordSpec> _byName = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    public List<KeywordSpec> Keywords { get; } = [];

    public KeywordSpec? Find(string word) => _byName.GetValueOrDefault(word);

    public BlockSpec Add(KeywordSpec keyword)
    {
        Keywords.Add(keyword);
        _byName.TryAdd(keyword.Name, keyword);
        return this;
    }
}

/// <summary>
/// The keyword tree keepalived 2.2.7 installs (Debian's build: LVS, VRRP, BFD, regex, SNMP, SO_MARK,
/// tunnel types), taken from <c>init_check_keywords()</c> (check_parser.c), the checkers'
/// <c>install_*_keyword()</c>, <c>init_global_keywords()</c> (global_parser.c) and
/// <c>add_track_file_keywords()</c> (track_file.c). VRRP and BFD blocks are installed as keepalived's
/// checker process installs them: inactive, so that they are skipped with balanced braces.
/// </summary>
internal static class Grammar
{
    public static BlockSpec Root { get; }

    /// <summary>Every block each keyword is valid in, to explain a misplaced keyword.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<BlockSpec>> Places { get; }

    /// <summary>Every keyword, for "did you mean" hints.</summary>
    public static IReadOnlyList<string> AllKeywords { get; }

    private static KeywordSpec K(string name, int min, int max, Action<ParseSession, Line>? handler) =>
        new(name) { MinArgs = min, MaxArgs = max, Handler = handler };

    static Grammar()
    {
        var checkerCommon = new List<KeywordSpec>
        {
            K("retry", 1, 1, (s, l) => s.CheckerRetry(l)),
            K("delay_before_retry", 1, 1, (s, l) => s.CheckerDelayBeforeRetry(l)),
            K("warmup", 1, 1, (s, l) => s.CheckerWarmup(l)),
            K("delay_loop", 1, 1, (s, l) => s.CheckerDelayLoop(l)),
            K("alpha", 0, 1, (s, l) => s.CheckerAlpha(l)),
            K("log_all_failures", 0, 1, (s, l) => s.CheckerLogAllFailures(l)),
        };
        List<KeywordSpec> Connection() =>
        [
            K("connect_ip", 1, 1, (s, l) => s.ConnectIp(l)),
            K("connect_port", 1, 1, (s, l) => s.ConnectPort(l)),
            K("bindto", 1, 1, (s, l) => s.BindTo(l)),
            K("bind_port", 1, 1, (s, l) => s.BindPort(l)),
            K("bind_if", 1, 1, (s, l) => s.BindInterface(l)),
            K("connect_timeout", 1, 1, (s, l) => s.ConnectTimeout(l)),
            K("fwmark", 1, 1, (s, l) => s.ConnectFwmark(l)),
        ];
        BlockSpec Checker(string name, bool connection, params KeywordSpec[] extra)
        {
            var block = new BlockSpec(name);
            if (connection)
            {
                Connection().ForEach(k => block.Add(k));
            }
            checkerCommon.ForEach(k => block.Add(k));
            foreach (var k in extra)
            {
                block.Add(k);
            }
            return block;
        }

        var url = new BlockSpec("url")
            .Add(K("path", 1, 1, (s, l) => s.UrlPath(l)))
            .Add(K("digest", 1, 1, (s, l) => s.UrlDigest(l)))
            .Add(K("status_code", 0, -1, (s, l) => s.UrlStatusCode(l)))
            .Add(K("virtualhost", 0, 1, (s, l) => s.UrlVirtualHost(l)))
            .Add(K("regex", 0, -1, (s, l) => s.UrlRegex(l)))
            .Add(K("regex_no_match", 0, 0, (s, l) => s.UrlRegexNoMatch(l)))
            .Add(K("regex_options", 0, -1, (s, l) => s.UrlRegexOptions(l)))
            .Add(K("regex_min_offset", 0, 1, (s, l) => s.UrlRegexMinOffset(l)))
            .Add(K("regex_max_offset", 0, 1, (s, l) => s.UrlRegexMaxOffset(l)))
            .Add(K("regex_stack", 0, 2, (s, l) => s.UrlRegexStack(l)));

        BlockSpec Http(string name) => Checker(name, true,
            K("nb_get_retry", 1, 1, (s, l) => s.HttpNbGetRetry(l)),
            K("virtualhost", 0, 1, (s, l) => s.HttpVirtualHost(l)),
            K("http_protocol", 0, 1, (s, l) => s.HttpProtocol(l)),
            K("enable_sni", 0, 1, (s, l) => s.HttpEnableSni(l)),
            K("fast_recovery", 0, 1, (s, l) => s.HttpFastRecovery(l)),
            new KeywordSpec("url") { MinArgs = 0, MaxArgs = 0, Handler = (s, l) => s.UrlOpen(l), Block = url, OnClose = s => s.UrlClose() });

        var smtpHost = new BlockSpec("host");
        Connection().ForEach(k => smtpHost.Add(k));
        checkerCommon.ForEach(k => smtpHost.Add(k));

        KeywordSpec CheckerKeyword(string name, CheckerKind kind, BlockSpec block) => new(name)
        {
            MinArgs = 0,
            MaxArgs = 0,
            Handler = (s, l) => s.CheckerOpen(l, kind),
            Block = block,
            OnClose = s => s.CheckerClose(),
        };

        var realServer = new BlockSpec("real_server")
            .Add(K("weight", 1, 1, (s, l) => s.RsWeight(l)))
            .Add(K("lvs_method", 1, -1, (s, l) => s.RsMethod(l)))
            .Add(K("uthreshold", 1, 1, (s, l) => s.RsUpperThreshold(l)))
            .Add(K("lthreshold", 1, 1, (s, l) => s.RsLowerThreshold(l)))
            .Add(K("inhibit_on_failure", 0, 1, (s, l) => s.RsInhibit(l)))
            .Add(K("notify_up", 0, -1, (s, l) => s.RsNotifyUp(l)))
            .Add(K("notify_down", 0, -1, (s, l) => s.RsNotifyDown(l)))
            .Add(K("alpha", 0, 1, (s, l) => s.RsAlpha(l)))
            .Add(K("retry", 1, 1, (s, l) => s.RsRetry(l)))
            .Add(K("delay_before_retry", 1, 1, (s, l) => s.RsDelayBeforeRetry(l)))
            .Add(K("warmup", 1, 1, (s, l) => s.RsWarmup(l)))
            .Add(K("connect_timeout", 1, 1, (s, l) => s.RsConnectTimeout(l)))
            .Add(K("delay_loop", 1, 1, (s, l) => s.RsDelayLoop(l)))
            .Add(K("smtp_alert", 0, 1, (s, l) => s.RsSmtpAlert(l)))
            .Add(K("virtualhost", 0, 1, (s, l) => s.RsVirtualHost(l)))
            .Add(K("snmp_name", 0, 1, (s, l) => s.RsSnmpName(l)))
            // install_checkers_keyword() order.
            .Add(CheckerKeyword("MISC_CHECK", CheckerKind.Misc, Checker("MISC_CHECK", false,
                K("misc_path", 0, -1, (s, l) => s.MiscPath(l)),
                K("misc_timeout", 1, 1, (s, l) => s.MiscTimeout(l)),
                K("misc_dynamic", 0, 0, (s, l) => s.MiscDynamic(l)),
                K("user", 0, 2, (s, l) => s.MiscUser(l)))))
            .Add(CheckerKeyword("SMTP_CHECK", CheckerKind.Smtp, Checker("SMTP_CHECK", true,
                K("helo_name", 0, 1, (s, l) => s.SmtpHeloName(l)),
                new KeywordSpec("host") { MinArgs = 0, MaxArgs = 0, Handler = (s, l) => s.SmtpHostOpen(l), Block = smtpHost, OnClose = s => s.SmtpHostClose() })))
            .Add(CheckerKeyword("TCP_CHECK", CheckerKind.Tcp, Checker("TCP_CHECK", true)))
            .Add(CheckerKeyword("PING_CHECK", CheckerKind.Ping, Checker("PING_CHECK", true)))
            .Add(CheckerKeyword("UDP_CHECK", CheckerKind.Udp, Checker("UDP_CHECK", true,
                K("payload", 0, -1, (s, l) => s.UdpPayload(l)),
                K("require_reply", 0, -1, (s, l) => s.UdpRequireReply(l)),
                K("min_reply_length", 1, 1, (s, l) => s.UdpMinReplyLength(l)),
                K("max_reply_length", 1, 1, (s, l) => s.UdpMaxReplyLength(l)))))
            .Add(CheckerKeyword("HTTP_GET", CheckerKind.Http, Http("HTTP_GET")))
            .Add(CheckerKeyword("SSL_GET", CheckerKind.Ssl, Http("SSL_GET")))
            .Add(CheckerKeyword("DNS_CHECK", CheckerKind.Dns, Checker("DNS_CHECK", true,
                K("type", 1, 1, (s, l) => s.DnsType(l)),
                K("name", 1, 1, (s, l) => s.DnsName(l)))))
            .Add(CheckerKeyword("FILE_CHECK", CheckerKind.File, new BlockSpec("FILE_CHECK")
                .Add(K("track_file", 1, 1, (s, l) => s.FileTrackFile(l)))
                .Add(K("weight", 0, 2, (s, l) => s.FileWeight(l)))))
            .Add(CheckerKeyword("BFD_CHECK", CheckerKind.Bfd, new BlockSpec("BFD_CHECK")
                .Add(K("name", 0, 1, (s, l) => s.BfdName(l)))
                .Add(K("alpha", 0, 1, (s, l) => s.BfdAlpha(l)))));

        var virtualServer = new BlockSpec("virtual_server")
            .Add(K("ip_family", 1, 1, (s, l) => s.VsIpFamily(l)))
            .Add(K("retry", 1, 1, (s, l) => s.VsRetry(l)))
            .Add(K("delay_before_retry", 1, 1, (s, l) => s.VsDelayBeforeRetry(l)))
            .Add(K("warmup", 1, 1, (s, l) => s.VsWarmup(l)))
            .Add(K("connect_timeout", 1, 1, (s, l) => s.VsConnectTimeout(l)))
            .Add(K("delay_loop", 1, 1, (s, l) => s.VsDelayLoop(l)))
            .Add(K("inhibit_on_failure", 0, 0, (s, l) => s.VsInhibit(l)))
            .Add(K("lb_algo", 1, 1, (s, l) => s.VsScheduler(l)))
            .Add(K("lvs_sched", 1, 1, (s, l) => s.VsScheduler(l)))
            .Add(K("hashed", 0, 0, (s, l) => s.VsFlag(l)))
            .Add(K("ops", 0, 0, (s, l) => s.VsFlag(l)))
            .Add(K("flag-1", 0, 0, (s, l) => s.VsFlag(l)))
            .Add(K("flag-2", 0, 0, (s, l) => s.VsFlag(l)))
            .Add(K("flag-3", 0, 0, (s, l) => s.VsFlag(l)))
            .Add(K("sh-port", 0, 0, (s, l) => s.VsFlag(l)))
            .Add(K("sh-fallback", 0, 0, (s, l) => s.VsFlag(l)))
            .Add(K("mh-port", 0, 0, (s, l) => s.VsFlag(l)))
            .Add(K("mh-fallback", 0, 0, (s, l) => s.VsFlag(l)))
            .Add(K("lb_kind", 1, -1, (s, l) => s.VsMethod(l)))
            .Add(K("lvs_method", 1, -1, (s, l) => s.VsMethod(l)))
            .Add(K("persistence_engine", 1, 1, (s, l) => s.VsPersistenceEngine(l)))
            .Add(K("persistence_timeout", 0, 1, (s, l) => s.VsPersistenceTimeout(l)))
            .Add(K("persistence_granularity", 1, 1, (s, l) => s.VsPersistenceGranularity(l)))
            .Add(K("protocol", 1, 1, (s, l) => s.VsProtocol(l)))
            .Add(K("ha_suspend", 0, 0, (s, l) => s.VsHaSuspend(l)))
            .Add(K("smtp_alert", 0, 1, (s, l) => s.VsSmtpAlert(l)))
            .Add(K("virtualhost", 0, 1, (s, l) => s.VsVirtualHost(l)))
            .Add(K("snmp_name", 0, 1, (s, l) => s.VsSnmpName(l)))
            .Add(K("alpha", 0, 0, (s, l) => s.VsAlpha(l)))
            .Add(K("omega", 0, 0, (s, l) => s.VsOmega(l)))
            .Add(K("quorum_up", 0, -1, (s, l) => s.VsQuorumUp(l)))
            .Add(K("quorum_down", 0, -1, (s, l) => s.VsQuorumDown(l)))
            .Add(K("quorum", 1, 1, (s, l) => s.VsQuorum(l)))
            .Add(K("hysteresis", 1, 1, (s, l) => s.VsHysteresis(l)))
            .Add(K("weight", 1, 1, (s, l) => s.VsWeight(l)))
            .Add(K("sorry_server", 1, 2, (s, l) => s.SorryServer(l)))
            .Add(K("sorry_server_inhibit", 0, 0, (s, l) => s.SorryServerInhibit(l)))
            .Add(K("sorry_server_lvs_method", 1, -1, (s, l) => s.SorryServerMethod(l)))
            .Add(new KeywordSpec("real_server")
            {
                MinArgs = 1,
                MaxArgs = 2,
                Handler = (s, l) => s.RealServerOpen(l),
                Block = realServer,
                OnClose = s => s.RealServerClose(),
            });

        var globalDefs = new BlockSpec("global_defs");
        foreach (var name in GlobalKeywords.All)
        {
            globalDefs.Add(GlobalKeywords.Spec(name));
        }

        var trackFile = new BlockSpec("track_file")
            .Add(K("file", 0, 1, (s, l) => s.TrackFileFile(l)))
            .Add(K("weight", 0, 2, (s, l) => s.TrackFileWeight(l)))
            .Add(K("init_file", 0, -1, (s, l) => s.TrackFileInit(l)));

        var ssl = new BlockSpec("SSL")
            .Add(K("password", 0, 1, (s, l) => s.SslFile(l)))
            .Add(K("ca", 0, 1, (s, l) => s.SslFile(l)))
            .Add(K("certificate", 0, 1, (s, l) => s.SslFile(l)))
            .Add(K("key", 0, 1, (s, l) => s.SslFile(l)));

        var root = new BlockSpec("top level");
        foreach (var name in GlobalKeywords.Root)
        {
            root.Add(K(name, name is "net_namespace" or "net_namespace_ipvs" or "instance" or "child_wait_time" ? 1 : 0, -1,
                (s, l) => s.RootGlobal(l)));
        }
        root.Add(new KeywordSpec("global_defs") { MaxArgs = 0, Handler = (s, l) => s.GlobalDefsOpen(l), Block = globalDefs });

        const string Vrrp = "VRRP";
        foreach (var (name, what) in new[]
        {
            ("track_group", Vrrp), ("static_ipaddress", "static addresses"), ("static_routes", "static routes"),
            ("static_rules", "static rules"), ("vrrp_sync_group", Vrrp), ("garp_group", Vrrp),
            ("linkbeat_interfaces", Vrrp), ("vrrp_instance", Vrrp), ("vrrp_script", Vrrp),
            ("vrrp_track_process", Vrrp), ("interface_up_down_delays", Vrrp), ("bfd_instance", "BFD"),
        })
        {
            root.Add(new KeywordSpec(name) { NotHandled = what, Handler = (s, l) => s.NotHandledBlock(l, what) });
        }
        root.Add(new KeywordSpec("SSL") { MaxArgs = 0, Handler = (s, l) => s.SslOpen(l), Block = ssl });
        root.Add(K("virtual_server_group", 1, -1, (s, l) => s.VirtualServerGroup(l)));
        root.Add(new KeywordSpec("virtual_server")
        {
            MinArgs = 1,
            MaxArgs = 2,
            Handler = (s, l) => s.VirtualServerOpen(l),
            Block = virtualServer,
            OnClose = s => s.VirtualServerClose(),
        });
        root.Add(new KeywordSpec("track_file") { MinArgs = 1, MaxArgs = 1, Handler = (s, l) => s.TrackFileOpen(l), Block = trackFile, OnClose = s => s.TrackFileClose() });
        root.Add(new KeywordSpec("vrrp_track_file") { MinArgs = 1, MaxArgs = 1, Handler = (s, l) => s.TrackFileOpen(l), Block = trackFile, OnClose = s => s.TrackFileClose() });
        Root = root;

        var places = new Dictionary<string, List<BlockSpec>>(StringComparer.Ordinal);
        var seen = new HashSet<BlockSpec>();
        void Walk(BlockSpec block)
        {
            if (!seen.Add(block))
            {
                return;
            }
            foreach (var keyword in block.Keywords)
            {
                if (!places.TryGetValue(keyword.Name, out var list))
                {
                    places[keyword.Name] = list = [];
                }
                if (!list.Contains(block))
                {
                    list.Add(block);
                }
                if (keyword.Block is { } child)
                {
                    Walk(child);
                }
            }
        }
        Walk(root);
        Places = places.ToDictionary(p => p.Key, p => (IReadOnlyList<BlockSpec>)p.Value, StringComparer.Ordinal);
        AllKeywords = [.. places.Keys.Order(StringComparer.Ordinal)];
    }
}
