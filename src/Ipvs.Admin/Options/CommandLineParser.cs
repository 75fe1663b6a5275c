using Ipvs.Admin.Native;

namespace Ipvs.Admin.Options;

/// <summary>
/// parse_options(): reads one command line into a <see cref="CommandEntry"/>, failing exactly
/// where and how ipvsadm fails (the first option must be the command; each later option is
/// checked as it is met; then --set's values, stray arguments and -b).
/// </summary>
internal static class CommandLineParser
{
    public static CommandEntry Parse(IReadOnlyList<string> argv)
    {
        string program = argv.Count > 0 ? argv[0] : "ipvsadm";
        var ce = new CommandEntry(program);
        string schedFlagsArg = "";

        var context = new PoptContext(argv, OptionTable.All, o => o.Value switch
        {
            OptionTable.TagAtomic => ce.Command == Command.Restore,
            OptionTable.TagHelpIpvs => ce.Command == Command.None,
            _ => true,
        });

        int c = context.GetNextOpt();
        if (c < 0)
        {
            throw AdminExit.TryHelp(program);
        }
        switch (c)
        {
            case 'A': ce.Command = Command.Add; break;
            case 'E': ce.Command = Command.Edit; break;
            case 'D': ce.Command = Command.Delete; break;
            case 'a': ce.Command = Command.AddDest; break;
            case 'e': ce.Command = Command.EditDest; break;
            case 'd': ce.Command = Command.DeleteDest; break;
            case 'C': ce.Command = Command.Flush; break;
            case 'L':
            case 'l': ce.Command = Command.List; break;
            case 'Z': ce.Command = Command.Zero; break;
            case OptionTable.TagSet: ce.Command = Command.Timeout; break;
            case 'R': ce.Command = Command.Restore; break;
            case 'S': ce.Command = Command.Save; break;
            case OptionTable.TagStartDaemon:
                ce.Command = Command.StartDaemon;
                ce.Daemon.State = DaemonState(context.OptArg!, "illegal start-daemon parameter specified");
                break;
            case OptionTable.TagStopDaemon:
                ce.Command = Command.StopDaemon;
                ce.Daemon.State = DaemonState(context.OptArg!, "illegal start_daemon specified");
                break;
            case 'h':
                ce.Command = Command.Help;
                return ce;
            case 'v':
                ce.Command = Command.Version;
                return ce;
            case OptionTable.TagHelpIpvs:
                ce.Command = Command.HelpIpvs;
                return ce;
            default:
                throw AdminExit.TryHelp(program);
        }

        while ((c = context.GetNextOpt()) >= 0)
        {
            string? optarg = context.OptArg;
            switch (c)
            {
                case 't':
                case 'u':
                case OptionTable.TagSctpService:
                {
                    SetOption(ce, Opt.Service);
                    ce.Service.Protocol = c switch
                    {
                        't' => Ip.IPPROTO_TCP,
                        'u' => Ip.IPPROTO_UDP,
                        _ => Ip.IPPROTO_SCTP,
                    };
                    int parse = ValueParsers.ParseService(optarg!, ce.Service);
                    if ((parse & ValueParsers.ServiceAddr) == 0)
                    {
                        throw AdminExit.Fail(2, "illegal virtual server address[:port] specified");
                    }
                    break;
                }
                case 'f':
                    SetOption(ce, Opt.Service);
                    ce.Service.Af = Ip.AF_INET;
                    ce.Service.Protocol = Ip.IPPROTO_TCP;
                    ce.Service.Fwmark = ValueParsers.ParseFwmark(optarg!);
                    break;
                case 's':
                    SetOption(ce, Opt.Scheduler);
                    ce.Service.SchedName = ValueParsers.Truncate(optarg!, 15);
                    break;
                case 'p':
                    SetOption(ce, Opt.Persistent);
                    ce.Service.Flags |= Ip.SvcPersistent;
                    ce.Service.Timeout = (uint)ValueParsers.ParseTimeout(optarg, 1, Ip.MaxTimeout);
                    break;
                case 'M':
                    SetOption(ce, Opt.Netmask);
                    if (ce.Service.Af != Ip.AF_INET6)
                    {
                        if (!ValueParsers.ParseNetmask(optarg!, out uint mask))
                        {
                            throw AdminExit.Fail(2, "illegal virtual server persistent mask specified");
                        }
                        ce.Service.Netmask = mask;
                    }
                    else
                    {
                        ce.Service.Netmask = unchecked((uint)ValueParsers.Atoi(optarg!));
                        if (ce.Service.Netmask < 1 || ce.Service.Netmask > 128)
                        {
                            throw AdminExit.Fail(2, "illegal ipv6 netmask specified");
                        }
                    }
                    break;
                case 'r':
                {
                    SetOption(ce, Opt.Server);
                    var t = ce.Service.Clone();
                    int parse = ValueParsers.ParseService(optarg!, t);
                    ce.Dest.Af = t.Af;
                    ce.Dest.Addr = t.Addr;
                    ce.Dest.Port = t.Port;
                    if ((parse & ValueParsers.ServiceAddr) == 0)
                    {
                        throw AdminExit.Fail(2, "illegal real server address[:port] specified");
                    }
                    if (parse == ValueParsers.ServiceAddr)
                    {
                        ce.Dest.Port = ce.Service.Port;
                    }
                    break;
                }
                case 'i':
                    SetOption(ce, Opt.Forward);
                    ce.Dest.ConnFlags = Ip.ConnTunnel;
                    break;
                case 'g':
                    SetOption(ce, Opt.Forward);
                    ce.Dest.ConnFlags = Ip.ConnDRoute;
                    break;
                case 'm':
                    SetOption(ce, Opt.Forward);
                    ce.Dest.ConnFlags = Ip.ConnMasq;
                    break;
                case 'w':
                    SetOption(ce, Opt.Weight);
                    // Debian's ipvsadm takes weights up to INT_MAX (upstream: 65535).
                    ce.Dest.Weight = ValueParsers.StringToNumber(optarg!, 0, int.MaxValue);
                    if (ce.Dest.Weight == -1)
                    {
                        throw AdminExit.Fail(2, "illegal weight specified");
                    }
                    break;
                case 'x':
                    SetOption(ce, Opt.UThreshold);
                    ce.Dest.UThreshold = ValueParsers.StringToNumber(optarg!, 0, int.MaxValue);
                    if (ce.Dest.UThreshold == -1)
                    {
                        throw AdminExit.Fail(2, "illegal u_threshold specified");
                    }
                    break;
                case 'y':
                    SetOption(ce, Opt.LThreshold);
                    ce.Dest.LThreshold = ValueParsers.StringToNumber(optarg!, 0, int.MaxValue);
                    if (ce.Dest.LThreshold == -1)
                    {
                        throw AdminExit.Fail(2, "illegal l_threshold specified");
                    }
                    break;
                case 'c':
                    SetOption(ce, Opt.Connection);
                    break;
                case 'n':
                    SetOption(ce, Opt.Numeric);
                    ce.Format |= ListFormat.Numeric;
                    break;
                case OptionTable.TagMcastInterface:
                    SetOption(ce, Opt.Mcast);
                    ce.Daemon.McastIfn = ValueParsers.Truncate(optarg!, 15);
                    break;
                case 'I':
                    SetOption(ce, Opt.SyncId);
                    ce.Daemon.SyncId = ValueParsers.StringToNumber(optarg!, 0, 255);
                    if (ce.Daemon.SyncId == -1)
                    {
                        throw AdminExit.Fail(2, "illegal syncid specified");
                    }
                    break;
                case OptionTable.TagTimeout:
                    SetOption(ce, Opt.Timeout);
                    break;
                case OptionTable.TagDaemon:
                    SetOption(ce, Opt.Daemon);
                    break;
                case OptionTable.TagStats:
                    SetOption(ce, Opt.Stats);
                    ce.Format |= ListFormat.Stats;
                    break;
                case OptionTable.TagRate:
                    SetOption(ce, Opt.Rate);
                    ce.Format |= ListFormat.Rate;
                    break;
                case OptionTable.TagThresholds:
                    SetOption(ce, Opt.Thresholds);
                    ce.Format |= ListFormat.Thresholds;
                    break;
                case OptionTable.TagPersistentConn:
                    SetOption(ce, Opt.PersistentConn);
                    ce.Format |= ListFormat.PersistentConn;
                    break;
                case OptionTable.TagNoSort:
                    SetOption(ce, Opt.NoSort);
                    ce.Format |= ListFormat.NoSort;
                    break;
                case OptionTable.TagSort:
                    break;
                case 'X':
                    SetOption(ce, Opt.Exact);
                    ce.Format |= ListFormat.Exact;
                    break;
                case '6':
                    if (ce.Service.Fwmark != 0)
                    {
                        ce.Service.Af = Ip.AF_INET6;
                        ce.Service.Netmask = 128;
                    }
                    else
                    {
                        throw AdminExit.Fail(2, "-6 used before -f\n");
                    }
                    break;
                case 'o':
                    SetOption(ce, Opt.OnePacket);
                    ce.Service.Flags |= Ip.SvcOnePacket;
                    break;
                case OptionTable.TagPersistenceEngine:
                    SetOption(ce, Opt.PersistenceEngine);
                    ce.Service.PeName = ValueParsers.Truncate(optarg!, 16);
                    break;
                case 'b':
                    SetOption(ce, Opt.SchedFlags);
                    schedFlagsArg = ValueParsers.Truncate(optarg!, 127);
                    break;
                case OptionTable.TagMcastGroup:
                    SetOption(ce, Opt.McastGroup);
                    McastGroup(ce.Daemon, optarg!);
                    break;
                case OptionTable.TagMcastPort:
                {
                    SetOption(ce, Opt.McastPort);
                    int parse = ValueParsers.StringToNumber(optarg!, 1, 65535);
                    if (parse == -1)
                    {
                        throw AdminExit.Fail(2, "illegal mcast-port specified");
                    }
                    ce.Daemon.McastPort = (ushort)parse;
                    break;
                }
                case OptionTable.TagMcastTtl:
                {
                    SetOption(ce, Opt.McastTtl);
                    int parse = ValueParsers.StringToNumber(optarg!, 1, 255);
                    if (parse == -1)
                    {
                        throw AdminExit.Fail(2, "illegal mcast-ttl specified");
                    }
                    ce.Daemon.McastTtl = (byte)parse;
                    break;
                }
                case OptionTable.TagSyncMaxlen:
                {
                    SetOption(ce, Opt.SyncMaxlen);
                    int parse = ValueParsers.StringToNumber(optarg!, 1, 65535 - 20 - 8);
                    if (parse == -1)
                    {
                        throw AdminExit.Fail(2, "illegal sync-maxlen specified");
                    }
                    ce.Daemon.SyncMaxlen = (ushort)parse;
                    break;
                }
                case OptionTable.TagTunInfo:
                    SetOption(ce, Opt.TunInfo);
                    ce.Format |= ListFormat.TunInfo;
                    break;
                case OptionTable.TagTunType:
                {
                    SetOption(ce, Opt.TunType);
                    int parse = ValueParsers.ParseTunType(optarg!);
                    if (parse == -1)
                    {
                        throw AdminExit.Fail(2, "illegal tunnel type specified");
                    }
                    ce.Dest.TunType = parse;
                    break;
                }
                case OptionTable.TagTunPort:
                {
                    SetOption(ce, Opt.TunPort);
                    int parse = ValueParsers.StringToNumber(optarg!, 1, 65535);
                    if (parse == -1)
                    {
                        throw AdminExit.Fail(2, "illegal tunnel port specified");
                    }
                    ce.Dest.TunPort = (ushort)parse;
                    break;
                }
                case OptionTable.TagTunNoCsum:
                    SetOption(ce, Opt.TunNoCsum);
                    break;
                case OptionTable.TagTunCsum:
                    SetOption(ce, Opt.TunCsum);
                    ce.Dest.TunFlags |= 1;
                    break;
                case OptionTable.TagTunRemCsum:
                    SetOption(ce, Opt.TunRemCsum);
                    ce.Dest.TunFlags |= 2;
                    break;
                case OptionTable.TagAtomic:
                    ce.Atomic = true;
                    break;
                default:
                    throw AdminExit.Fail(2, $"invalid option `{context.BadOption}'");
            }
        }

        if (c < -1)
        {
            throw new AdminExit(255, $"{context.BadOption}: {PoptContext.ErrorText(c)}\n");
        }

        if (ce.Command == Command.Timeout)
        {
            string? a0 = context.GetArg();
            string? a1 = a0 is null ? null : context.GetArg();
            string? a2 = a1 is null ? null : context.GetArg();
            if (a0 is null || a1 is null || a2 is null)
            {
                throw AdminExit.Fail(2, "--set option requires 3 timeout values");
            }
            ce.Timeouts[0] = ValueParsers.ParseTimeout(a0, 0, Ip.MaxTimeout);
            ce.Timeouts[1] = ValueParsers.ParseTimeout(a1, 0, Ip.MaxTimeout);
            ce.Timeouts[2] = ValueParsers.ParseTimeout(a2, 0, Ip.MaxTimeout);
        }

        string? extra = context.GetArg();
        if (extra is not null)
        {
            throw AdminExit.Fail(2, $"unexpected argument {extra}");
        }

        if (schedFlagsArg.Length > 0)
        {
            ce.Service.Flags &= ~(Ip.SvcSched1 | Ip.SvcSched2 | Ip.SvcSched3);
            ce.Service.Flags |= ValueParsers.ParseSchedFlags(ce.Service.SchedName, schedFlagsArg);
        }
        return ce;
    }

    private static uint DaemonState(string arg, string error) => arg switch
    {
        "master" => Ip.StateMaster,
        "backup" => Ip.StateBackup,
        _ => throw AdminExit.Fail(2, error),
    };

    private static void SetOption(CommandEntry ce, int opt)
    {
        ulong bit = Opt.Bit(opt);
        if ((ce.Options & bit) != 0)
        {
            throw AdminExit.Fail(2, $"multiple '{Opt.Names[opt]}' options specified");
        }
        ce.Options |= bit;
    }

    private static void McastGroup(DaemonSpec d, string arg)
    {
        if (arg.Contains(':', StringComparison.Ordinal))
        {
            Span<byte> a = stackalloc byte[16];
            if (!NetDb.InetPton(NetDb.AF_INET6, arg, a) || a[0] != 0xFF)
            {
                throw AdminExit.Fail(2, $"invalid IPv6 mcast-group `{arg}'");
            }
            a.CopyTo(d.McastGroup);
            d.McastAf = Ip.AF_INET6;
        }
        else
        {
            Span<byte> a = stackalloc byte[4];
            if (!NetDb.InetPton(NetDb.AF_INET, arg, a) || (a[0] & 0xF0) != 0xE0)
            {
                throw AdminExit.Fail(2, $"invalid IPv4 mcast-group `{arg}'");
            }
            Array.Clear(d.McastGroup);
            a.CopyTo(d.McastGroup);
            d.McastAf = Ip.AF_INET;
        }
    }
}
