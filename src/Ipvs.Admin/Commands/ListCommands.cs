using Ipvs.Admin.Formatting;
using Ipvs.Admin.Native;
using Ipvs.Admin.Options;
using Ipvs.Model;

namespace Ipvs.Admin.Commands;

/// <summary>list_all(), list_service(), list_timeout(), list_daemon() and -c.</summary>
internal static class ListCommands
{
    /// <summary>-L and -S as ipvsadm dispatches them.</summary>
    public static void Run(KernelSession session, Terminal t, CommandEntry ce)
    {
        if (ce.Command == Command.Save)
        {
            ListAll(session, t, ce.Format | ListFormat.Rule);
        }
        else if (ce.Has(Opt.Connection))
        {
            ConnectionListing.List(t, ce.Format);
        }
        else if (ce.Has(Opt.Service))
        {
            ListService(session, t, ce.Service, ce.Format);
        }
        else if (ce.Has(Opt.Timeout))
        {
            ListTimeout(session, t);
        }
        else if (ce.Has(Opt.Daemon))
        {
            ListDaemon(session, t);
        }
        else
        {
            ListAll(session, t, ce.Format);
        }
    }

    public static void ListAll(KernelSession session, Terminal t, ListFormat format)
    {
        if ((format & ListFormat.Rule) == 0)
        {
            t.Out(ServiceListing.VersionLine(session.Info.Version, session.Info.ConnectionTableSize));
        }
        // As ipvsadm does: the services (one dump), sorted, then each one's real servers read,
        // sorted and printed before the next service's are read. Nothing of a real server
        // outlives its service's lines, so a big table's 100,000 real servers are not all held at
        // once (some 30 MB of fresh pages, dear in the lab): the young generation's memory serves
        // them over and over. As with ipvsadm, the service list is not read a second time to
        // check it (a service the kernel repeats is dropped, though), and a service deleted
        // before its real servers are read lists none.
        IReadOnlyList<VirtualServiceInfo> services;
        try
        {
            services = session.Client.DumpServicesAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is Ipvs.Netlink.NetlinkException)
        {
            throw new AdminExit(1, KernelErrors.Message(e) + "\n");
        }
        // Sorted by small keys, and printed through one reused row: a row per service would be
        // some 2 MB more of fresh pages.
        var row = new ServiceRow();
        var order = new ServiceSortKey[services.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = ServiceSortKey.Of(row.Load(services[i]), i);
        }
        if ((format & ListFormat.NoSort) == 0)
        {
            TableSorter.Sort(order, ServiceSortKey.Compare);
        }
        ServiceListing.PrintTitle(t, format);
        var rows = new List<DestRow>();
        foreach (var key in order)
        {
            var info = services[key.Index];
            IReadOnlyList<DestinationInfo> dests;
            try
            {
                dests = session.Client.DumpDestinationsAsync(info.Key).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is Ipvs.Netlink.NetlinkException)
            {
                throw new AdminExit(1, KernelErrors.Message(e) + "\n");
            }
            // Real servers become rows in rows reused from service to service.
            var current = new DestRow[dests.Count];
            for (int i = 0; i < current.Length; i++)
            {
                if (i == rows.Count)
                {
                    rows.Add(new DestRow());
                }
                current[i] = rows[i].Load(dests[i]);
            }
            ServiceListing.PrintServiceEntry(t, row.Load(info), current, format);
        }
    }

    public static void ListService(KernelSession session, Terminal t, ServiceSpec spec, ListFormat format)
    {
        var key = ModelMapping.Key(spec);
        VirtualServiceInfo info;
        IReadOnlyList<DestinationInfo> dests;
        try
        {
            info = session.Client.GetServiceAsync(key).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is Ipvs.Netlink.NetlinkException)
        {
            throw new AdminExit(1, KernelErrors.Message(e) + "\n");
        }
        ServiceListing.PrintTitle(t, format);
        try
        {
            dests = session.Client.GetDestinationsAsync(info.Key).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is Ipvs.Netlink.NetlinkException)
        {
            throw new AdminExit(1, KernelErrors.Message(e) + "\n");
        }
        ServiceListing.PrintServiceEntry(t, ServiceRow.From(info), dests.Select(DestRow.From).ToArray(), format);
    }

    public static void ListTimeout(KernelSession session, Terminal t)
    {
        Timeouts u;
        try
        {
            u = session.Client.GetTimeoutsAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is Ipvs.Netlink.NetlinkException)
        {
            throw new AdminExit(1, "");
        }
        t.Out($"Timeout (tcp tcpfin udp): {Seconds(u.Tcp)} {Seconds(u.TcpFin)} {Seconds(u.Udp)}\n");
    }

    private static string Seconds(TimeSpan s) => CFormat.N(unchecked((int)(long)s.TotalSeconds));

    public static void ListDaemon(KernelSession session, Terminal t)
    {
        IReadOnlyList<SyncDaemon> daemons;
        try
        {
            daemons = session.Client.GetSyncDaemonsAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is Ipvs.Netlink.NetlinkException)
        {
            throw new AdminExit(1, "");
        }
        // libipvs keeps at most two (the second and later dump entries share slot 1).
        var slots = new SyncDaemon?[2];
        foreach (var d in daemons)
        {
            slots[slots[0] is null || slots[0]!.State == SyncDaemonState.None ? 0 : 1] = d;
        }
        foreach (var d in slots)
        {
            if (d is null)
            {
                continue;
            }
            string type;
            if (((uint)d.State & Ip.StateMaster) != 0)
            {
                type = "master";
            }
            else if (((uint)d.State & Ip.StateBackup) != 0)
            {
                type = "backup";
            }
            else
            {
                continue;
            }
            string line = $"{type} sync daemon (mcast={Bytes.FromUtf8(d.Interface)}, syncid={CFormat.N(unchecked((int)d.SyncId))}";
            if (d.MaxLength != 0)
            {
                line += $", maxlen={CFormat.N(d.MaxLength)}";
            }
            if (d.MulticastGroup is { } g)
            {
                var b = new byte[16];
                g.TryWriteBytes(b, out int n);
                line += ", group=" + NetDb.InetNtop(n == 16 ? NetDb.AF_INET6 : NetDb.AF_INET, b);
            }
            if (d.MulticastPort != 0)
            {
                line += $", port={CFormat.N(d.MulticastPort)}";
            }
            if (d.MulticastTtl != 0)
            {
                line += $", ttl={CFormat.N(d.MulticastTtl)}";
            }
            t.Out(line + ")\n");
        }
    }
}
