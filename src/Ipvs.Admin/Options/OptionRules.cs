namespace Ipvs.Admin.Options;

/// <summary>
/// The checks process_options() makes after parsing: the command/option table, the service
/// and real-server rules, and the tunnel-type table. They run in ipvsadm's order, so the
/// first failing rule gives ipvsadm's message.
/// </summary>
internal static class OptionRules
{
    /// <summary>cmdnames[].</summary>
    public static readonly string[] CommandNames =
    [
        "add-service", "edit-service", "delete-service", "flush", "list", "add-server",
        "delete-server", "edit-server", "set", "start-daemon", "stop-daemon", "restore",
        "save", "zero",
    ];

    // commands_v_options: one row per command, one column per option ('+' compulsory,
    // 'x' illegal, '1' exclusive, ' ' optional). Columns: -n -c svc -s -p -M -r fwd -w -x
    // -y -mc tot dmn -st -rt thr -pc srt sid -ex ops -pe -b grp port ttl size tinf type
    // tprt nocs csum remc.
    internal static readonly string[] Table =
    [
        /* ADD     */ "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx",
        /* EDIT    */ "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx",
        /* DEL     */ "xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        /* FLUSH   */ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        /* LIST    */ " 11xxxxxxxxx11       xxxxxxx xxxxx",
        /* ADDSRV  */ "xx+xxx+    xxxxxxxxxxxxxxxxxx     ",
        /* DELSRV  */ "xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxx",
        /* EDITSRV */ "xx+xxx+    xxxxxxxxxxxxxxxxxx     ",
        /* TIMEOUT */ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        /* STARTD  */ "xxxxxxxxxxx xxxxxxx xxxx    xxxxxx",
        /* STOPD   */ "xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxx",
        /* RESTORE */ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        /* SAVE    */ " xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        /* ZERO    */ "xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    ];

    private static readonly string[] TunnelNames = ["ipip", "gue", "gre"];
    private static readonly int[] TunnelOptions = [Opt.TunPort, Opt.TunNoCsum, Opt.TunCsum, Opt.TunRemCsum];

    // tunnel_types_v_options: columns tun-port, tun-nocsum, tun-csum, tun-remcsum.
    private static readonly string[] TunnelTable = ["xxxx", "+111", "x11x"];

    /// <summary>Everything process_options() checks before it acts; also fills in the defaults.</summary>
    public static void Validate(CommandEntry ce)
    {
        GenericCheck(ce.Command, ce.Options);

        var svc = ce.Service;
        if (ce.Command is Command.Add or Command.Edit)
        {
            if (svc.Fwmark == 0 && svc.Port == 0 && (svc.Flags & Ip.SvcPersistent) == 0)
            {
                throw AdminExit.Fail(2, "Zero port specified for non-persistent service");
            }
            if ((svc.Flags & Ip.SvcOnePacket) != 0 && svc.Fwmark == 0 && svc.Protocol != Ip.IPPROTO_UDP)
            {
                throw AdminExit.Fail(2, "One-Packet Scheduling is only for UDP virtual services");
            }
            if (svc.SchedName.Length == 0)
            {
                svc.SchedName = Ip.DefaultScheduler;
            }
        }

        if (ce.Command == Command.StartDaemon && ce.Daemon.McastIfn.Length == 0)
        {
            ce.Daemon.McastIfn = Ip.DefaultMcastInterface;
        }

        uint fwd = ce.Dest.ConnFlags & Ip.ConnFwdMask;
        if (ce.Command is Command.AddDest or Command.EditDest)
        {
            if (svc.Fwmark == 0 && (fwd == Ip.ConnTunnel || fwd == Ip.ConnDRoute))
            {
                ce.Dest.Port = svc.Port;
            }
            if (ce.Dest.Af != svc.Af && fwd != Ip.ConnTunnel)
            {
                throw AdminExit.Fail(2, "Different address family is allowed only for tunneling servers");
            }
            ulong tunnel = Opt.Bit(Opt.TunType) | Opt.Bit(Opt.TunPort) | Opt.Bit(Opt.TunNoCsum)
                | Opt.Bit(Opt.TunCsum) | Opt.Bit(Opt.TunRemCsum);
            if ((ce.Options & tunnel) != 0 && fwd != Ip.ConnTunnel)
            {
                throw AdminExit.Fail(2, "Tunnel options conflict with forward method");
            }
            TunnelCheck(ce.Dest.TunType, ce.Options);
        }

        if (ce.Command == Command.List)
        {
            bool connTimeoutDaemon = ce.Has(Opt.Connection) || ce.Has(Opt.Timeout) || ce.Has(Opt.Daemon);
            bool statsRateThresholds = ce.Has(Opt.Stats) || ce.Has(Opt.Rate) || ce.Has(Opt.Thresholds);
            bool timeoutDaemon = ce.Has(Opt.Timeout) || ce.Has(Opt.Daemon);
            if ((connTimeoutDaemon && statsRateThresholds) || (timeoutDaemon && ce.Has(Opt.PersistentConn)))
            {
                throw AdminExit.Fail(2, "options conflicts in the list command");
            }
        }
    }

    /// <summary>generic_opt_check().</summary>
    public static void GenericCheck(Command command, ulong options)
    {
        int i = (int)command - 1;
        if (i < 0 || i >= Table.Length)
        {
            return;
        }
        string row = Table[i];
        int last = 0;
        int count = 0;
        for (int j = 0; j < Opt.Count; j++)
        {
            if ((options & Opt.Bit(j)) == 0)
            {
                if (row[j] == '+')
                {
                    throw AdminExit.Fail(2, $"You need to supply the '{Opt.Names[j]}' option for the '{CommandNames[i]}' command");
                }
            }
            else
            {
                if (row[j] == 'x')
                {
                    throw AdminExit.Fail(2, $"Illegal '{Opt.Names[j]}' option with the '{CommandNames[i]}' command");
                }
                if (row[j] == '1')
                {
                    count++;
                    if (count == 1)
                    {
                        last = j;
                        continue;
                    }
                    throw AdminExit.Fail(2, $"The option '{Opt.Names[j]}' conflicts with the '{Opt.Names[last]}' option in the '{CommandNames[i]}' command");
                }
            }
        }
    }

    /// <summary>tunnel_opt_check().</summary>
    private static void TunnelCheck(int tunType, ulong options)
    {
        string row = TunnelTable[tunType];
        int last = 0;
        int count = 0;
        for (int j = 0; j < TunnelOptions.Length; j++)
        {
            int k = TunnelOptions[j];
            if ((options & Opt.Bit(k)) == 0)
            {
                if (row[j] == '+')
                {
                    throw AdminExit.Fail(2, $"You need to supply the '{Opt.Names[k]}' option for the '{TunnelNames[tunType]}' tunnel type");
                }
            }
            else
            {
                if (row[j] == 'x')
                {
                    throw AdminExit.Fail(2, $"Illegal '{Opt.Names[k]}' option with the '{TunnelNames[tunType]}' tunnel type");
                }
                if (row[j] == '1')
                {
                    count++;
                    if (count == 1)
                    {
                        last = k;
                        continue;
                    }
                    throw AdminExit.Fail(2, $"The option '{Opt.Names[k]}' conflicts with the '{Opt.Names[last]}' option in the '{TunnelNames[tunType]}' tunnel type");
                }
            }
        }
    }
}
