using Ipvs.Checks;
using Ipvs.Daemon.Engine;

namespace Ipvs.Daemon;

/// <summary>What `ipvs status` and GET /status show: every service and destination with its check state, weight and drain.</summary>
/// <param name="Source">The configuration.</param>
/// <param name="At">When this snapshot was taken.</param>
/// <param name="Services">The managed services, configured and retired.</param>
public sealed record DaemonStatus(string Source, DateTimeOffset At, ImmutableArray<ServiceStatus> Services)
{
    /// <summary>Before the first reconciliation.</summary>
    public static DaemonStatus Starting { get; } = new("", default, []);

    /// <summary>The last rejected reload's errors, or null.</summary>
    public string? LastReloadError { get; init; }

    /// <summary>True once the daemon has reconciled at least once.</summary>
    public bool Ready => At != default;

    internal static DaemonStatus Build(
        string source,
        IEnumerable<ServiceRuntime> services,
        TableShape shape,
        IReadOnlyList<ServiceEntry> table,
        IReadOnlyCollection<DrainEntry> drains,
        CheckScheduler checks,
        DateTimeOffset now)
    {
        var kernel = table.ToDictionary(e => e.Key);
        var draining = drains.ToDictionary(d => (d.Service, d.Destination));
        var result = ImmutableArray.CreateBuilder<ServiceStatus>();
        foreach (var s in services)
        {
            kernel.TryGetValue(s.Config.Key, out var entry);
            var inKernel = entry?.Destinations.ToDictionary(d => d.Key) ?? [];
            var dests = ImmutableArray.CreateBuilder<DestinationStatus>();
            foreach (var d in s.Destinations.Values)
            {
                inKernel.TryGetValue(d.Config.Key, out var k);
                draining.TryGetValue((s.Config.Key, d.Config.Key), out var drain);
                dests.Add(new DestinationStatus(
                    d.Config.Key.ToString(),
                    drain is not null ? "draining" : d.Up ? (PoolPolicy.IsRamping(d.Config.SlowStart, d.UpSince, now) ? "ramping" : "up") : "down",
                    d.Weight ?? d.Config.Destination.Weight,
                    k?.Destination.Weight,
                    k?.ActiveConnections ?? 0,
                    k?.InactiveConnections ?? 0,
                    drain is null ? null : new DrainStatus(drain.Since, drain.Deadline, drain.Reason.ToString().ToLowerInvariant()),
                    d.LastError,
                    [.. d.Handles.Select(h => CheckView(h, checks.GetStatus(h)))]));
            }
            // Destinations in the kernel that are not configured: draining out, or the sorry server.
            foreach (var k in inKernel.Values.Where(k => !s.Destinations.ContainsKey(k.Key)))
            {
                draining.TryGetValue((s.Config.Key, k.Key), out var drain);
                bool sorry = s.Config.Policy.SorryServer?.Key == k.Key;
                dests.Add(new DestinationStatus(k.Key.ToString(), drain is not null ? "draining" : sorry ? "sorry" : "unmanaged",
                    sorry ? s.Config.Policy.SorryServer!.Weight : 0, k.Destination.Weight, k.ActiveConnections, k.InactiveConnections,
                    drain is null ? null : new DrainStatus(drain.Since, drain.Deadline, drain.Reason.ToString().ToLowerInvariant()), null, []));
            }
            result.Add(new ServiceStatus(s.Config.Key.ToString(), s.Config.Service.Scheduler.Name, s.QuorumUp,
                s.Config.Policy.SorryServer is { } ss && inKernel.TryGetValue(ss.Key, out var sk) && sk.Destination.Weight > 0 && !s.QuorumUp,
                entry is not null, dests.ToImmutable()));
        }
        // Retired services still draining (a set: with thousands of services, a scan per service adds up).
        var configured = services.Select(s => s.Config.Key).ToHashSet();
        foreach (var r in shape.Desired.Services.Where(r => !configured.Contains(r.Key)))
        {
            kernel.TryGetValue(r.Key, out var entry);
            var dests = r.Destinations.Select(d =>
            {
                var k = entry?.Destinations.FirstOrDefault(x => x.Key == d.Key);
                draining.TryGetValue((r.Key, d.Key), out var drain);
                return new DestinationStatus(d.Key.ToString(), "draining", 0, k?.Destination.Weight, k?.ActiveConnections ?? 0, k?.InactiveConnections ?? 0,
                    drain is null ? null : new DrainStatus(drain.Since, drain.Deadline, drain.Reason.ToString().ToLowerInvariant()), null, []);
            });
            result.Add(new ServiceStatus(r.Key.ToString(), r.Service.Scheduler.Name, false, false, entry is not null, [.. dests]) { Retired = true });
        }
        return new DaemonStatus(source, now, result.ToImmutable());
    }

    private static CheckStatusView CheckView(CheckHandle handle, CheckStatus s) => new(
        handle.Id,
        s.State == CheckState.Up ? "up" : "down",
        s.Weight,
        s.ConsecutivePasses,
        s.ConsecutiveFailures,
        s.Runs,
        s.Failures,
        s.Last is { } last ? Math.Round(last.Latency.TotalMilliseconds, 3) : null,
        s.Last is { Passed: false } failed ? failed.Error : null,
        s.LastRun);
}

/// <summary>One service in the status.</summary>
/// <param name="Service">Its key.</param>
/// <param name="Scheduler">Its scheduler.</param>
/// <param name="QuorumUp">Whether it has its quorum.</param>
/// <param name="SorryServerActive">Whether the sorry server serves.</param>
/// <param name="InKernel">Whether the kernel has it.</param>
/// <param name="Destinations">Its destinations.</param>
public sealed record ServiceStatus(string Service, string Scheduler, bool QuorumUp, bool SorryServerActive, bool InKernel, ImmutableArray<DestinationStatus> Destinations)
{
    /// <summary>No longer configured: it drains, then goes.</summary>
    public bool Retired { get; init; }
}

/// <summary>One destination in the status.</summary>
/// <param name="Destination">Its address and port.</param>
/// <param name="State">up, ramping (slow start), down, draining, sorry or unmanaged.</param>
/// <param name="Weight">The weight it should have when serving (configured or set by a check).</param>
/// <param name="KernelWeight">The weight the kernel has now, or null when the kernel does not have it.</param>
/// <param name="ActiveConnections">Active connections.</param>
/// <param name="InactiveConnections">Inactive connections.</param>
/// <param name="Drain">The drain in progress, or null.</param>
/// <param name="LastError">Why it is down, or null.</param>
/// <param name="Checks">Its checks.</param>
public sealed record DestinationStatus(
    string Destination,
    string State,
    int Weight,
    int? KernelWeight,
    uint ActiveConnections,
    uint InactiveConnections,
    DrainStatus? Drain,
    string? LastError,
    ImmutableArray<CheckStatusView> Checks);

/// <summary>A drain in the status.</summary>
/// <param name="Since">When it began.</param>
/// <param name="Deadline">When the destination goes regardless.</param>
/// <param name="Reason">failed, removed or quorum.</param>
public sealed record DrainStatus(DateTimeOffset Since, DateTimeOffset Deadline, string Reason);

/// <summary>One check in the status.</summary>
/// <param name="Id">What it checks, for people.</param>
/// <param name="State">up or down.</param>
/// <param name="Weight">The weight it sets, if any.</param>
/// <param name="ConsecutivePasses">Passes in a row.</param>
/// <param name="ConsecutiveFailures">Failures in a row.</param>
/// <param name="Runs">Runs so far.</param>
/// <param name="Failures">Failed runs so far.</param>
/// <param name="LatencyMs">The last attempt's latency in milliseconds.</param>
/// <param name="Error">The last failure's reason, while failing.</param>
/// <param name="LastRun">When it last ran.</param>
public sealed record CheckStatusView(string Id, string State, int? Weight, int ConsecutivePasses, int ConsecutiveFailures, long Runs, long Failures, double? LatencyMs, string? Error, DateTimeOffset? LastRun);
