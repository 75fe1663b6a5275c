using System.Globalization;
using Ipvs.Cli.Formats;
using Ipvs.Model;

namespace Ipvs.Cli.Output;

/// <summary>What `ipvs list` shows besides the settings.</summary>
internal sealed record ListColumns(bool Stats, bool Rates, bool Exact);

/// <summary>
/// The default `ipvs list` table: one line per service, its destinations indented under it,
/// settings in words (masq, route, persistent 300s) rather than ipvsadm's abbreviations.
/// </summary>
internal static class ListView
{
    public static string Render(IReadOnlyList<ServiceEntry> table, ListColumns show)
    {
        var columns = new List<TextColumn>
        {
            new("SERVICE"), new("SCHEDULER"), new("PERSISTENCE"), new("DESTINATION"), new("FORWARD"),
            new("WEIGHT", true), new("ACTIVE", true), new("INACTIVE", true),
        };
        if (show.Stats)
        {
            columns.AddRange([new("CONNS", true), new("INPKTS", true), new("OUTPKTS", true), new("INBYTES", true), new("OUTBYTES", true)]);
        }
        if (show.Rates)
        {
            columns.AddRange([new("CPS", true), new("INPPS", true), new("OUTPPS", true), new("INBPS", true), new("OUTBPS", true)]);
        }
        var t = new TextTable([.. columns]);
        foreach (var e in TableOrder.Sort(table))
        {
            var s = e.Info.Service;
            var row = new List<string>
            {
                Service(s.Key), Scheduler(s), Persistence(s), e.Destinations.Count == 0 ? "-" : "", "", "",
                Number(e.Destinations.Sum(d => (long)d.ActiveConnections), true), Number(e.Destinations.Sum(d => (long)d.InactiveConnections), true),
            };
            AddCounters(row, e.Info.Stats, show);
            t.Add([.. row]);
            foreach (var d in TableOrder.Sort(e.Destinations))
            {
                var dr = new List<string>
                {
                    "", "", "", "  " + Endpoint(d.Destination), Forward(d.Destination),
                    Number(d.Destination.Weight, true), Number(d.ActiveConnections, true), Number(d.InactiveConnections, true),
                };
                AddCounters(dr, d.Stats, show);
                t.Add([.. dr]);
            }
        }
        return t.Render();
    }

    public static string Service(ServiceKey k) => k.IsFirewallMark
        ? (k.Family == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "fwmark6 " : "fwmark ") + k.FirewallMark.ToString(CultureInfo.InvariantCulture)
        : Names.Protocol(k.Protocol) + " " + Names.Endpoint(k.Address!, k.Port);

    public static string Endpoint(Destination d) => Names.Endpoint(d.Address, d.Port);

    public static string Scheduler(VirtualService s)
    {
        var words = new List<string> { s.Scheduler.Name };
        words.AddRange(Names.SchedulerFlags(s));
        if ((s.Flags & ServiceFlags.OnePacket) != 0)
        {
            words.Add("ops");
        }
        return string.Join(' ', words);
    }

    public static string Persistence(VirtualService s)
    {
        if (!s.IsPersistent)
        {
            return "";
        }
        var text = s.PersistenceTimeout.ToString(CultureInfo.InvariantCulture) + "s";
        if (s.Netmask != Netmask.Full(s.Key.Family))
        {
            text += " mask " + s.Netmask;
        }
        if (s.PersistenceEngine is { } pe)
        {
            text += " pe " + pe;
        }
        return text;
    }

    public static string Forward(Destination d)
    {
        var text = Names.Forward(d.Forwarding);
        if (d.Forwarding == ForwardingMethod.Tunnel && (d.TunnelType != TunnelType.IpIp || d.TunnelFlags != TunnelFlags.NoChecksum))
        {
            text += "/" + Names.Tunnel(d.TunnelType);
            if (d.TunnelType == TunnelType.Gue)
            {
                text += ":" + d.TunnelPort.ToString(CultureInfo.InvariantCulture);
            }
            if (d.TunnelFlags != TunnelFlags.NoChecksum)
            {
                text += "," + Names.Checksum(d.TunnelFlags);
            }
        }
        return text;
    }

    private static void AddCounters(List<string> row, IpvsStats s, ListColumns show)
    {
        bool exact = show.Exact;
        if (show.Stats)
        {
            row.AddRange([Number(s.Connections, exact), Number(s.InPackets, exact), Number(s.OutPackets, exact), Number(s.InBytes, exact), Number(s.OutBytes, exact)]);
        }
        if (show.Rates)
        {
            row.AddRange([Number(s.ConnectionRate, exact), Number(s.InPacketRate, exact), Number(s.OutPacketRate, exact), Number(s.InByteRate, exact), Number(s.OutByteRate, exact)]);
        }
    }

    public static string Number(long n, bool exact) => n < 0 ? n.ToString(CultureInfo.InvariantCulture) : Number((ulong)n, exact);

    /// <summary>Exact below 100,000; otherwise three significant digits and K, M, G, T (powers of 1000).</summary>
    public static string Number(ulong n, bool exact)
    {
        if (exact || n < 100_000)
        {
            return n.ToString(CultureInfo.InvariantCulture);
        }
        string[] units = ["K", "M", "G", "T", "P", "E"];
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.Length - 1)
        {
            v /= 1000;
            u++;
        }
        return (v >= 100 ? v.ToString("0", CultureInfo.InvariantCulture) : v.ToString("0.#", CultureInfo.InvariantCulture)) + units[u];
    }
}
