namespace Ipvs.AdminTests.Generator;

/// <summary>One generated command line (without argv[0]) and, for -R, its input.</summary>
/// <param name="Args">The arguments.</param>
/// <param name="Stdin">What -R reads, or null.</param>
/// <param name="ReadOnly">The command cannot change the table (a listing, -h, -v).</param>
/// <param name="Kind">What the generator meant to produce.</param>
internal sealed record GeneratedCommand(string[] Args, string? Stdin, bool ReadOnly, string Kind)
{
    public override string ToString() =>
        "ipvsadm " + Sh.QuoteAll(Args) + (Stdin is null ? "" : " <<'EOF'\n" + Stdin + "EOF");
}

/// <summary>
/// A seeded generator of ipvsadm command lines, valid and invalid: services (IPv4, IPv6,
/// firewall marks; every scheduler; flags, persistence, netmasks, persistence engine),
/// real servers (every forwarding method, tunnel types and options, weights, thresholds),
/// edits, deletes, zero, clear, timeouts, sync daemons, listings in every format, -S, -R
/// scripts, help, and garbage. Options are rendered in all the spellings popt accepts (short,
/// long, attached, "=", clustered) and sometimes mangled.
/// </summary>
internal sealed class CommandGenerator(int seed)
{
    private readonly Random _r = new(seed);

    // Real servers added lately, as (service, "addr:port" with the port the kernel keeps), so
    // that edits and deletes often find what they name.
    private readonly List<(ServiceId Service, string Dest)> _added = [];

    // Services probably in the table (added by a generated valid -A, not deleted since), so
    // that commands on services often name one that exists.
    private readonly List<ServiceId> _believed = [];

    private readonly (int Weight, string Kind)[] _kinds =
    [
        (18, "add-service"), (7, "edit-service"), (5, "delete-service"), (22, "add-server"), (8, "edit-server"),
        (6, "delete-server"), (3, "zero"), (1, "clear"), (3, "set"), (3, "start-daemon"), (2, "stop-daemon"),
        (12, "list"), (3, "save"), (3, "restore"), (1, "help"), (5, "garbage"),
    ];

    public GeneratedCommand Next()
    {
        int total = _kinds.Sum(k => k.Weight);
        int pick = _r.Next(total);
        string kind = _kinds[^1].Kind;
        foreach (var (w, k) in _kinds)
        {
            if (pick < w)
            {
                kind = k;
                break;
            }
            pick -= w;
        }
        return kind switch
        {
            "add-service" => Cmd(kind, ServiceCommand('A', valid: Chance(0.85))),
            "edit-service" => Cmd(kind, ServiceCommand('E', valid: Chance(0.85))),
            "delete-service" => Cmd(kind, DeleteService()),
            "add-server" => Cmd(kind, ServerCommand('a', valid: Chance(0.85))),
            "edit-server" => Cmd(kind, ServerCommand('e', valid: Chance(0.85))),
            "delete-server" => Cmd(kind, DeleteServer()),
            "zero" => Cmd(kind, Zero()),
            "clear" => Clear(),
            "set" => Cmd(kind, SetTimeouts()),
            "start-daemon" => Cmd(kind, StartDaemon()),
            "stop-daemon" => Cmd(kind, StopDaemon()),
            "list" => Cmd(kind, ListCommand(), readOnly: true),
            "save" => Cmd(kind, Save(), readOnly: true),
            "restore" => RestoreScript(),
            "help" => Cmd(kind, Help(), readOnly: true),
            _ => Garbage(),
        };
    }

    // ------------------------------------------------------------------ options and rendering

    /// <summary>An option before rendering: short letter and/or long name, and its value.</summary>
    private sealed record Opt(char Short, string? Long, string? Value, bool HasValue);

    private static Opt O(char s, string? l) => new(s, l, null, false);

    private static Opt O(char s, string? l, string? value) => new(s, l, value, true);

    private static Opt L(string l) => new('\0', l, null, false);

    private static Opt L(string l, string value) => new('\0', l, value, true);

    private static Opt Raw(string token) => new('\0', null, token, false);

    private bool Chance(double p) => _r.NextDouble() < p;

    private T Pick<T>(IReadOnlyList<T> items) => items[_r.Next(items.Count)];

    private GeneratedCommand Cmd(string kind, List<Opt> opts, bool readOnly = false)
    {
        if (Chance(0.07))
        {
            Mangle(opts);
        }
        return new GeneratedCommand(Render(opts), null, readOnly, kind);
    }

    private string[] Render(List<Opt> opts)
    {
        var tokens = new List<(string Text, bool ShortFlag)>();
        foreach (var o in opts)
        {
            if (o.Short == '\0' && o.Long is null)
            {
                tokens.Add((o.Value!, false));
                continue;
            }
            bool useShort = o.Short != '\0' && (o.Long is null || Chance(0.75));
            if (!o.HasValue)
            {
                // -p takes an optional argument: it must not be clustered as a flag.
                tokens.Add(useShort ? ($"-{o.Short}", o.Short != 'p') : ($"--{o.Long}", false));
                continue;
            }
            string v = o.Value!;
            if (o.Value is null)
            {
                tokens.Add(useShort ? ($"-{o.Short}", false) : ($"--{o.Long}", false));
                continue;
            }
            if (useShort)
            {
                double style = _r.NextDouble();
                if (style < 0.65 || v.Length == 0)
                {
                    tokens.Add(($"-{o.Short}", false));
                    tokens.Add((v, false));
                }
                else if (style < 0.9)
                {
                    tokens.Add(($"-{o.Short}{v}", false));
                }
                else
                {
                    tokens.Add(($"-{o.Short}={v}", false));
                }
            }
            else if (Chance(0.7))
            {
                tokens.Add(($"--{o.Long}", false));
                tokens.Add((v, false));
            }
            else
            {
                tokens.Add(($"--{o.Long}={v}", false));
            }
        }
        // Cluster a short flag with the short option after it: "-A" "-t" -> "-At".
        var result = new List<string>();
        for (int i = 0; i < tokens.Count; i++)
        {
            var (text, flag) = tokens[i];
            while (flag && i + 1 < tokens.Count && IsShortOption(tokens[i + 1].Text) && Chance(0.3))
            {
                text += tokens[i + 1].Text[1..];
                flag = tokens[i + 1].ShortFlag;
                i++;
            }
            result.Add(text);
        }
        return [.. result];
    }

    private static bool IsShortOption(string t) => t.Length >= 2 && t[0] == '-' && t[1] != '-';

    // Occasionally break a command: drop, duplicate, move or add something.
    private void Mangle(List<Opt> opts)
    {
        int what = _r.Next(6);
        if (opts.Count > 1 && what == 0)
        {
            opts.RemoveAt(1 + _r.Next(opts.Count - 1));
        }
        else if (opts.Count > 1 && what == 1)
        {
            opts.Add(opts[1 + _r.Next(opts.Count - 1)]);
        }
        else if (opts.Count > 2 && what == 2)
        {
            var o = opts[0];
            opts.RemoveAt(0);
            opts.Insert(1 + _r.Next(opts.Count - 1), o);
        }
        else if (what == 3)
        {
            opts.Add(Raw(Pick(Pools.Garbage)));
        }
        else if (what == 4)
        {
            opts.Add(Pick<Opt>([O('n', "numeric"), L("stats"), O('w', "weight", "3"), O('s', "scheduler", "rr"), O('p', "persistent"), O('6', "ipv6"), L("tun-info"), O('r', "real-server", "10.1.0.1"), O('m', "masquerading"), L("syncid", "1")]));
        }
        else
        {
            opts.Add(Raw("extra"));
        }
    }

    // ------------------------------------------------------------------ services and servers

    private ServiceId AnyService() => _believed.Count > 0 && Chance(0.7) ? Pick(_believed) : Pick(Pools.Services);

    private Opt ServiceOpt(ServiceId s, bool valid = true)
    {
        if (!valid && Chance(0.5))
        {
            return Pick<Opt>([O('t', "tcp-service", Pick(Pools.BadAddresses)), O('u', "udp-service", Pick(Pools.BadAddresses)),
                O('f', "fwmark-service", Pick(["0", "-1", "x", "4294967296", " 5", "5 ", "+5", ""]))]);
        }
        if (s.Proto == "f")
        {
            return O('f', "fwmark-service", s.Mark);
        }
        string value = ServiceText(s);
        return s.Proto switch
        {
            "t" => O('t', "tcp-service", value),
            "u" => O('u', "udp-service", value),
            _ => L("sctp-service", value),
        };
    }

    private string ServiceText(ServiceId s)
    {
        if (s.V6)
        {
            return $"[{s.Addr}]:{s.Port}";
        }
        if (s.Port == 0)
        {
            return Chance(0.5) ? s.Addr : $"{s.Addr}:0";
        }
        string host = Pools.Names.TryGetValue(s.Addr, out var n) && Chance(0.15) ? n : s.Addr;
        string port = s.Port.ToString();
        if (s.Proto == "t" && s.Port == 80 && Chance(0.2))
        {
            port = "http";
        }
        else if (s.Proto == "u" && s.Port == 53 && Chance(0.2))
        {
            port = "domain";
        }
        return $"{host}:{port}";
    }

    private List<Opt> Service(ServiceId s, bool valid)
    {
        var list = new List<Opt> { ServiceOpt(s, valid) };
        if (s.Proto == "f" && s.V6)
        {
            list.Add(O('6', "ipv6"));
        }
        return list;
    }

    private List<Opt> ServiceCommand(char cmd, bool valid)
    {
        var s = cmd == 'A' ? Pick(Pools.Services) : AnyService();
        if (cmd == 'A' && valid && !_believed.Contains(s))
        {
            _believed.Add(s);
        }
        var opts = new List<Opt> { O(cmd, cmd == 'A' ? "add-service" : "edit-service") };
        opts.AddRange(Service(s, valid || Chance(0.5)));
        string sched = "";
        if (Chance(0.8))
        {
            sched = !valid && Chance(0.4) ? Pick(Pools.OddSchedulers) : Pick(Pools.Schedulers);
            opts.Add(O('s', "scheduler", sched));
        }
        bool persistent = s.Port == 0 && s.Proto != "f" ? valid || Chance(0.5) : Chance(0.35);
        if (persistent)
        {
            opts.Add(Chance(0.3) ? O('p', "persistent") : O('p', "persistent",
                !valid && Chance(0.3) ? Pick(["0", "2678401", "abc", "", "-5"]) : Pick(["1", "60", "300", "3600", "2678400"])));
            if (Chance(0.4))
            {
                opts.Add(O('M', "netmask", s.V6
                    ? (!valid && Chance(0.4) ? Pick(["0", "129", "abc", "255.255.255.0"]) : Pick(["64", "128", "48", "1"]))
                    : (!valid && Chance(0.3) ? Pick(["foo.invalid", "24", "localhost"]) : Pick(["255.255.255.0", "255.255.0.0", "0.0.0.0", "255.255.255.255", "255.0.255.0"]))));
            }
            if (Chance(0.15))
            {
                opts.Add(L("pe", valid ? "sip" : Pick(["sip", "bogus", "", "0123456789abcdef"])));
            }
        }
        else if (!valid && Chance(0.2))
        {
            opts.Add(O('M', "netmask", "255.255.255.0"));
        }
        if (Chance(0.15) && (s.Proto is "u" or "f" || !valid))
        {
            opts.Add(O('o', "ops"));
        }
        if (Chance(0.2))
        {
            string flags = sched switch
            {
                "sh" => Pick(["sh-fallback", "sh-port", "sh-fallback,sh-port", "flag-3"]),
                "mh" => Pick(["mh-fallback", "mh-port", "mh-port,mh-fallback"]),
                _ => Pick(["flag-1", "flag-2", "flag-1,flag-3", "flag-1,flag-2,flag-3"]),
            };
            if (!valid && Chance(0.5))
            {
                flags = Pick(["sh-port", "mh-fallback", "bogus", "flag-1,,flag-2", "", "flag-4", ","]);
            }
            opts.Add(O('b', "sched-flags", flags));
        }
        Shuffle(opts, 1);
        return opts;
    }

    private List<Opt> DeleteService()
    {
        var s = AnyService();
        _believed.Remove(s);
        _added.RemoveAll(a => a.Service == s);
        var opts = new List<Opt> { O('D', "delete-service") };
        opts.AddRange(Service(s, Chance(0.9)));
        return opts;
    }

    private string ServerText(ServiceId s, bool otherFamily, bool valid)
    {
        if (!valid && Chance(0.5))
        {
            return Pick(Pools.BadAddresses);
        }
        bool v6 = s.V6 ^ otherFamily;
        string addr = v6 ? Pick(Pools.DestV6) : Pick(Pools.DestV4);
        int port = Pick(Pools.DestPorts);
        bool withPort = Chance(0.6);
        if (v6)
        {
            return withPort ? $"[{addr}]:{port}" : (Chance(0.9) ? addr : $"[{addr}]");
        }
        string host = Pools.Names.TryGetValue(addr, out var n) && Chance(0.1) ? n : addr;
        return withPort ? $"{host}:{port}" : host;
    }

    private List<Opt> ServerCommand(char cmd, bool valid)
    {
        var s = AnyService();
        var opts = new List<Opt> { O(cmd, cmd == 'a' ? "add-server" : "edit-server") };
        opts.AddRange(Service(s, valid || Chance(0.5)));
        char fwd = Pick(['g', 'm', 'i', ' ']);
        bool otherFamily = fwd == 'i' ? Chance(0.3) : !valid && Chance(0.15);
        if (cmd == 'e' && _added.Count > 0 && Chance(0.75))
        {
            var (svc, dest) = Pick(_added);
            s = svc;
            opts = [O(cmd, "edit-server"), .. Service(s, true), O('r', "real-server", dest)];
            otherFamily = false;
        }
        else if (valid || Chance(0.8))
        {
            string dest = ServerText(s, otherFamily, valid);
            opts.Add(O('r', "real-server", dest));
            if (cmd == 'a' && valid)
            {
                Remember(s, dest, fwd);
            }
        }
        switch (fwd)
        {
            case 'g': opts.Add(O('g', "gatewaying")); break;
            case 'm': opts.Add(O('m', "masquerading")); break;
            case 'i': opts.Add(O('i', "ipip")); break;
        }
        if (Chance(0.6))
        {
            opts.Add(O('w', "weight", !valid && Chance(0.3) ? Pick(["-1", "abc", "2147483648", "", "1.5"]) : Pick(["0", "1", "3", "100", "65535", "65536", "2147483647"])));
        }
        if (Chance(0.25))
        {
            int u = Pick([0, 5, 100, 2147483647]);
            int l = valid ? (u == 0 ? 0 : _r.Next(0, u)) : Pick([0, 10, 200]);
            opts.Add(O('x', "u-threshold", !valid && Chance(0.2) ? "-1" : u.ToString()));
            opts.Add(O('y', "l-threshold", l.ToString()));
        }
        if (fwd == 'i' || (!valid && Chance(0.3)))
        {
            opts.AddRange(TunnelOptions(valid));
        }
        Shuffle(opts, 1);
        return opts;
    }

    private List<Opt> TunnelOptions(bool valid)
    {
        var list = new List<Opt>();
        string type = Pick(["", "ipip", "gue", "gre"]);
        if (type.Length > 0)
        {
            list.Add(L("tun-type", !valid && Chance(0.2) ? "bogus" : type));
        }
        if (type == "gue" ? valid || Chance(0.7) : !valid && Chance(0.3))
        {
            list.Add(L("tun-port", !valid && Chance(0.2) ? Pick(["0", "65536", "x"]) : Pick(["6080", "5555", "1", "65535"])));
        }
        string[] flags = type switch
        {
            "gue" => ["tun-nocsum", "tun-csum", "tun-remcsum"],
            "gre" => ["tun-nocsum", "tun-csum"],
            _ => [],
        };
        if (flags.Length > 0 && Chance(0.6))
        {
            list.Add(L(Pick(flags)));
        }
        if (!valid && Chance(0.3))
        {
            list.Add(L(Pick(["tun-nocsum", "tun-csum", "tun-remcsum"])));
        }
        return list;
    }

    private List<Opt> DeleteServer()
    {
        var opts = new List<Opt> { O('d', "delete-server") };
        if (_added.Count > 0 && Chance(0.75))
        {
            var (svc, dest) = Pick(_added);
            opts.AddRange(Service(svc, true));
            opts.Add(O('r', "real-server", dest));
            return opts;
        }
        var s = AnyService();
        opts.AddRange(Service(s, Chance(0.9)));
        opts.Add(O('r', "real-server", ServerText(s, Chance(0.1), Chance(0.9))));
        return opts;
    }

    // Keeps "addr:port" as the kernel will hold it: direct routing and tunnels take the
    // service's port (except for firewall marks), a missing port is the service's.
    private void Remember(ServiceId s, string dest, char fwd)
    {
        string addr = dest;
        string? port = null;
        if (dest.StartsWith('['))
        {
            int close = dest.IndexOf(']');
            if (close < 0)
            {
                return;
            }
            addr = dest[..(close + 1)];
            port = close + 2 < dest.Length ? dest[(close + 2)..] : null;
        }
        else if (dest.Contains(':'))
        {
            addr = dest[..dest.LastIndexOf(':')];
            port = dest[(dest.LastIndexOf(':') + 1)..];
        }
        else if (dest.Count(c => c == ':') > 1)
        {
            return;
        }
        if (!addr.StartsWith('[') && addr.Contains(':'))
        {
            addr = "[" + addr + "]";
        }
        bool forced = s.Proto != "f" && fwd != 'm';
        string effective = forced || port is null ? s.Port.ToString() : port;
        _added.Add((s, $"{addr}:{effective}"));
        if (_added.Count > 30)
        {
            _added.RemoveAt(0);
        }
    }

    private GeneratedCommand Clear()
    {
        _believed.Clear();
        _added.Clear();
        return Cmd("clear", [O('C', "clear")]);
    }

    private List<Opt> Zero()
    {
        var opts = new List<Opt> { O('Z', "zero") };
        if (Chance(0.5))
        {
            opts.AddRange(Service(AnyService(), Chance(0.9)));
        }
        else if (Chance(0.1))
        {
            opts.Add(O('t', "tcp-service", "0.0.0.0:0"));
        }
        return opts;
    }

    private List<Opt> SetTimeouts()
    {
        string[] values = Chance(0.7) ? ["0", "1", "10", "900", "120", "300", "2678400", "60"] : ["0", "1", "2678401", "-1", "x", "60", ""];
        var opts = new List<Opt> { L("set") };
        int n = Chance(0.9) ? 3 : _r.Next(0, 5);
        for (int i = 0; i < n; i++)
        {
            opts.Add(Raw(Pick(values)));
        }
        return opts;
    }

    private List<Opt> StartDaemon()
    {
        var opts = new List<Opt> { L("start-daemon", Chance(0.95) ? Pick(["master", "backup"]) : Pick(["Master", "both", ""])) };
        if (Chance(0.7))
        {
            opts.Add(L("mcast-interface", Chance(0.9) ? "eth0" : Pick(["lo", "nosuchif0", ""])));
        }
        if (Chance(0.4))
        {
            opts.Add(L("syncid", Pick(["0", "1", "42", "255", "256", "-1"])));
        }
        if (Chance(0.3))
        {
            opts.Add(L("sync-maxlen", Pick(["1000", "1500", "1400", "65507", "65508", "0"])));
        }
        if (Chance(0.3))
        {
            opts.Add(L("mcast-group", Pick(["239.1.2.3", "224.0.0.81", "ff02::1:2", "10.0.0.1", "::1", "239.1"])));
        }
        if (Chance(0.3))
        {
            opts.Add(L("mcast-port", Pick(["8848", "9000", "0", "65536"])));
        }
        if (Chance(0.3))
        {
            opts.Add(L("mcast-ttl", Pick(["1", "2", "255", "0"])));
        }
        Shuffle(opts, 1);
        return opts;
    }

    private List<Opt> StopDaemon()
    {
        var opts = new List<Opt> { L("stop-daemon", Chance(0.95) ? Pick(["master", "backup"]) : "bogus") };
        if (Chance(0.2))
        {
            opts.Add(L("syncid", Pick(["1", "300"])));
        }
        if (Chance(0.05))
        {
            opts.Add(L("mcast-interface", "eth0"));
        }
        return opts;
    }

    // ------------------------------------------------------------------ listings

    private List<Opt> ListCommand()
    {
        var opts = new List<Opt> { Pick<Opt>([O('L', "list"), O('l', "list")]) };
        if (Chance(0.75))
        {
            opts.Add(O('n', "numeric"));
        }
        Opt[] extras =
        [
            L("stats"), L("rate"), O('X', "exact"), L("thresholds"), L("persistent-conn"), L("tun-info"),
            L("nosort"), L("sort"), O('c', "connection"), L("timeout"), L("daemon"),
        ];
        int n = _r.Next(0, 3);
        for (int i = 0; i < n; i++)
        {
            opts.Add(Pick(extras));
        }
        if (Chance(0.2))
        {
            opts.AddRange(Service(AnyService(), Chance(0.9)));
        }
        Shuffle(opts, 1);
        return opts;
    }

    private List<Opt> Save()
    {
        var opts = new List<Opt> { O('S', "save") };
        if (Chance(0.6))
        {
            opts.Add(O('n', "numeric"));
        }
        if (Chance(0.05))
        {
            opts.Add(L("stats"));
        }
        return opts;
    }

    private List<Opt> Help() => [Pick<Opt>([O('h', "help"), O('v', "version")])];

    private GeneratedCommand Garbage()
    {
        var tokens = new List<string>();
        int n = _r.Next(1, 4);
        for (int i = 0; i < n; i++)
        {
            tokens.AddRange(Pick(Pools.Garbage).Split(' '));
        }
        if (Chance(0.3))
        {
            tokens.Insert(0, Pick(["-L", "-A", "-a", "-Z", "-C", "-S"]));
        }
        return new GeneratedCommand([.. tokens], null, false, "garbage");
    }

    // A -R script of lines that pass ipvsadm's own checks (so that the two -R, which differ
    // on purpose for bad lines, are comparable), with listings among the changes.
    private GeneratedCommand RestoreScript()
    {
        var sb = new StringBuilder();
        int n = _r.Next(1, 7);
        for (int i = 0; i < n; i++)
        {
            var s = Pick(Pools.Services.Where(x => x.Proto != "f").ToArray());
            string svc = $"{(s.Proto == "sctp" ? "--sctp-service" : "-" + s.Proto)} {(s.V6 ? $"[{s.Addr}]:{s.Port}" : $"{s.Addr}:{s.Port}")}";
            string line = _r.Next(7) switch
            {
                0 => $"-A {svc} -s {Pick(Pools.Schedulers)}{(s.Port == 0 || Chance(0.3) ? " -p 120" : "")}",
                1 => $"-E {svc} -s {Pick(Pools.Schedulers)}{(s.Port == 0 || Chance(0.3) ? " -p 60" : "")}",
                2 => $"-D {svc}",
                3 => $"-a {svc} -r {(s.V6 ? "[" + Pick(Pools.DestV6) + "]" : Pick(Pools.DestV4))}:{Pick(Pools.DestPorts)} {Pick(["-g", "-m", "-i"])} -w {_r.Next(0, 10)}",
                4 => $"-e {svc} -r {(s.V6 ? "[" + Pick(Pools.DestV6) + "]" : Pick(Pools.DestV4))}:{Pick(Pools.DestPorts)} -m -w {_r.Next(0, 10)}",
                5 => $"-d {svc} -r {(s.V6 ? "[" + Pick(Pools.DestV6) + "]" : Pick(Pools.DestV4))}:{Pick(Pools.DestPorts)}",
                _ => Pick(["-L -n -t 10.0.0.1:80", "-L --timeout", "-L --daemon", "-Z", "--set 0 0 0"]),
            };
            if (Chance(0.1))
            {
                line = "ipvsadm " + line;
            }
            sb.Append(line).Append('\n');
        }
        return new GeneratedCommand(["-R"], sb.ToString(), false, "restore");
    }

    private void Shuffle(List<Opt> opts, int from)
    {
        if (!Chance(0.3))
        {
            return;
        }
        for (int i = opts.Count - 1; i > from; i--)
        {
            int j = _r.Next(from, i + 1);
            (opts[i], opts[j]) = (opts[j], opts[i]);
        }
    }
}
