using Ipvs;

namespace Ipvs.AdminTests.Infrastructure;

/// <summary>
/// Reads a namespace's whole IPVS state through the library, in the kernel's own order: the
/// services and their real servers (settings, connection counts, counters), timeouts, sync
/// daemons. Every listing the tests compare is a function of exactly this, so two equal
/// snapshots mean equal listings.
/// </summary>
internal sealed class StateProbe : IDisposable
{
    private readonly IpvsClient _client;

    public StateProbe(string netns) => _client = IpvsClient.Open(new IpvsClientOptions { NetworkNamespace = netns });

    /// <summary>The state as lines, in kernel order.</summary>
    public string[] Snapshot()
    {
        var lines = new List<string>();
        foreach (var e in _client.GetTableAsync().GetAwaiter().GetResult())
        {
            lines.Add(e.Info.ToString());
            foreach (var d in e.Destinations)
            {
                lines.Add("  " + e.Key + " " + d);
            }
        }
        lines.Add(_client.GetTimeoutsAsync().GetAwaiter().GetResult().ToString());
        foreach (var d in _client.GetSyncDaemonsAsync().GetAwaiter().GetResult())
        {
            lines.Add(d.ToString());
        }
        return [.. lines];
    }

    /// <summary>The same snapshot regardless of order (two namespaces order the same table differently).</summary>
    public static string Unordered(string[] snapshot)
    {
        var copy = (string[])snapshot.Clone();
        Array.Sort(copy, StringComparer.Ordinal);
        return string.Join('\n', copy);
    }

    public void Dispose() => _client.Dispose();
}
