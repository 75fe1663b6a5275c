using System.Globalization;
using Ipvs.Cli.Formats;
using Ipvs.Model;

namespace Ipvs.Cli.Output;

/// <summary>What `ipvs top` sorts by.</summary>
internal enum TopSort
{
    Cps,
    Active,
    Inactive,
    Weight,
    InPps,
    OutPps,
    InBps,
    OutBps,
    Name,
}

/// <summary>Per-second rates of one service or destination over the last interval.</summary>
internal readonly record struct Rates(double Cps, double InPps, double OutPps, double InBps, double OutBps)
{
    public static Rates FromKernel(IpvsStats s) => new(s.ConnectionRate, s.InPacketRate, s.OutPacketRate, s.InByteRate, s.OutByteRate);

    public static Rates Between(IpvsStats before, IpvsStats after, double seconds) => seconds <= 0 ? default : new(
        Delta(before.Connections, after.Connections) / seconds,
        Delta(before.InPackets, after.InPackets) / seconds,
        Delta(before.OutPackets, after.OutPackets) / seconds,
        Delta(before.InBytes, after.InBytes) / seconds,
        Delta(before.OutBytes, after.OutBytes) / seconds);

    // Counters go down only when zeroed (ipvsadm -Z); count from zero then.
    private static double Delta(ulong before, ulong after) => after >= before ? after - before : after;
}

/// <summary>
/// One frame of `ipvs top`: rates from the difference of two readings of the counters (the
/// kernel's own estimate lags by seconds; the first frame uses it, having nothing to compare).
/// </summary>
internal static class TopView
{
    public static string Render(IReadOnlyList<ServiceEntry> table, IReadOnlyList<ServiceEntry>? previous, double seconds, TopSort sort, bool reverse, string title)
    {
        var before = previous is null ? null : Index(previous);
        var t = new TextTable(
            new TextColumn("SERVICE / DESTINATION"), new TextColumn("SCHED/FWD"), new TextColumn("WEIGHT", true),
            new TextColumn("ACTIVE", true), new TextColumn("INACTIVE", true), new TextColumn("CPS", true),
            new TextColumn("INPPS", true), new TextColumn("OUTPPS", true), new TextColumn("INBPS", true), new TextColumn("OUTBPS", true));
        var services = table.Select(e =>
        {
            var rates = before is not null && before.TryGetValue((e.Key, null), out var s0) ? Rates.Between(s0, e.Info.Stats, seconds) : Rates.FromKernel(e.Info.Stats);
            var dests = e.Destinations.Select(d =>
            {
                var r = before is not null && before.TryGetValue((e.Key, d.Key), out var d0) ? Rates.Between(d0, d.Stats, seconds) : Rates.FromKernel(d.Stats);
                return (Info: d, Rates: r);
            }).ToList();
            return (Entry: e, Rates: rates, Dests: dests);
        }).ToList();

        var ordered = Order(services, s => Key(sort, s.Rates, s.Dests.Sum(d => (double)d.Info.ActiveConnections), s.Dests.Sum(d => (double)d.Info.InactiveConnections), s.Dests.Sum(d => (double)d.Info.Destination.Weight)),
            s => s.Entry.Key, TableOrder.ServiceKeyComparer.Instance, sort, reverse);
        int destCount = 0;
        foreach (var s in ordered)
        {
            var v = s.Entry.Info.Service;
            t.Add(ListView.Service(v.Key), ListView.Scheduler(v), "",
                Count(s.Dests.Sum(d => (long)d.Info.ActiveConnections)), Count(s.Dests.Sum(d => (long)d.Info.InactiveConnections)),
                Rate(s.Rates.Cps), Rate(s.Rates.InPps), Rate(s.Rates.OutPps), Rate(s.Rates.InBps), Rate(s.Rates.OutBps));
            var dests = Order(s.Dests, d => Key(sort, d.Rates, d.Info.ActiveConnections, d.Info.InactiveConnections, d.Info.Destination.Weight),
                d => d.Info.Destination.Address, TableOrder.AddressComparer.Instance, sort, reverse);
            foreach (var d in dests)
            {
                destCount++;
                t.Add("  " + ListView.Endpoint(d.Info.Destination), ListView.Forward(d.Info.Destination), Count(d.Info.Destination.Weight),
                    Count(d.Info.ActiveConnections), Count(d.Info.InactiveConnections),
                    Rate(d.Rates.Cps), Rate(d.Rates.InPps), Rate(d.Rates.OutPps), Rate(d.Rates.InBps), Rate(d.Rates.OutBps));
            }
        }
        string head = $"{title} - {table.Count} service(s), {destCount} destination(s) - sorted by {Describe(sort)}{(reverse ? " (reversed)" : "")}\n";
        return head + (table.Count == 0 ? "No virtual services.\n" : t.Render());
    }

    public static string Describe(TopSort s) => s.ToString().ToLowerInvariant();

    private static Dictionary<(ServiceKey, DestinationKey?), IpvsStats> Index(IReadOnlyList<ServiceEntry> table)
    {
        var map = new Dictionary<(ServiceKey, DestinationKey?), IpvsStats>();
        foreach (var e in table)
        {
            map[(e.Key, null)] = e.Info.Stats;
            foreach (var d in e.Destinations)
            {
                map[(e.Key, d.Key)] = d.Stats;
            }
        }
        return map;
    }

    private static double Key(TopSort sort, Rates r, double active, double inactive, double weight) => sort switch
    {
        TopSort.Cps => r.Cps,
        TopSort.Active => active,
        TopSort.Inactive => inactive,
        TopSort.Weight => weight,
        TopSort.InPps => r.InPps,
        TopSort.OutPps => r.OutPps,
        TopSort.InBps => r.InBps,
        TopSort.OutBps => r.OutBps,
        _ => 0,
    };

    // Busiest first (as top does); by name in table order; ties by name so rows do not jump.
    private static List<T> Order<T, TName>(IEnumerable<T> items, Func<T, double> value, Func<T, TName> name, IComparer<TName> byName, TopSort sort, bool reverse)
    {
        var sorted = sort == TopSort.Name
            ? items.OrderBy(name, byName)
            : items.OrderByDescending(value).ThenBy(name, byName);
        var list = sorted.ToList();
        if (reverse)
        {
            list.Reverse();
        }
        return list;
    }

    private static string Count(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Rate(double v) => v < 100_000 ? Math.Round(v).ToString(CultureInfo.InvariantCulture) : ListView.Number((ulong)v, exact: false);
}
