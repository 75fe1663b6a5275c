using Ipvs.Kernel;
using Ipvs.Netlink;

namespace Ipvs.ScriptingTests.Support;

/// <summary>
/// An in-memory IPVS table with the kernel's errors for what live objects do (services and
/// destinations added, edited, deleted, read), recording every change. Connection counts are
/// whatever a test puts in <see cref="Counts"/>.
/// </summary>
internal sealed class FakeIpvs : IIpvsClient
{
    private readonly Lock _lock = new();
    private readonly List<(VirtualService Service, List<Destination> Destinations)> _table = [];

    /// <summary>Every change, as <c>add-service tcp:…</c>, <c>edit-dest tcp:… 192.168.0.1:80 weight 3</c>, …</summary>
    public List<string> Changes { get; } = [];

    /// <summary>Active and inactive connections reported per destination.</summary>
    public Dictionary<DestinationKey, (uint Active, uint Inactive)> Counts { get; } = [];

    public KernelCapabilities Capabilities { get; } = new(new Version(6, 1));

    public IReadOnlyList<(VirtualService Service, IReadOnlyList<Destination> Destinations)> Table
    {
        get
        {
            lock (_lock)
            {
                return [.. _table.Select(e => (e.Service, (IReadOnlyList<Destination>)[.. e.Destinations]))];
            }
        }
    }

    public Task AddServiceAsync(VirtualService service, CancellationToken cancellationToken = default) => Do(() =>
    {
        if (Find(service.Key) is not null)
        {
            throw new IpvsException(IpvsCommand.NewService, Errno.EEXIST);
        }
        _table.Add((service, []));
        Changes.Add($"add-service {service.Key} {service.Scheduler} {service.PersistenceTimeout}");
    });

    public Task EditServiceAsync(VirtualService service, CancellationToken cancellationToken = default) => Do(() =>
    {
        int i = _table.FindIndex(e => e.Service.Key == service.Key);
        if (i < 0)
        {
            throw new IpvsException(IpvsCommand.SetService, Errno.ESRCH);
        }
        _table[i] = (service, _table[i].Destinations);
        Changes.Add($"edit-service {service.Key} {service.Scheduler} {service.PersistenceTimeout}");
    });

    public async Task<VirtualService> EditServiceAsync(ServiceKey service, Func<VirtualService, VirtualService> change, CancellationToken cancellationToken = default)
    {
        var changed = change((await GetServiceAsync(service, cancellationToken)).Service);
        await EditServiceAsync(changed, cancellationToken);
        return changed;
    }

    public Task DeleteServiceAsync(ServiceKey service, CancellationToken cancellationToken = default) => Do(() =>
    {
        if (_table.RemoveAll(e => e.Service.Key == service) == 0)
        {
            throw new IpvsException(IpvsCommand.DelService, Errno.ESRCH);
        }
        Changes.Add($"delete-service {service}");
    });

    public Task AddDestinationAsync(ServiceKey service, Destination destination, CancellationToken cancellationToken = default) => Do(() =>
    {
        var entry = Find(service) ?? throw new IpvsException(IpvsCommand.NewDest, Errno.ESRCH);
        if (entry.Destinations.Exists(d => d.Key == destination.Key))
        {
            throw new IpvsException(IpvsCommand.NewDest, Errno.EEXIST);
        }
        entry.Destinations.Add(destination);
        Changes.Add($"add-dest {service} {destination.Key} weight {destination.Weight} {destination.Forwarding}");
    });

    public Task EditDestinationAsync(ServiceKey service, Destination destination, CancellationToken cancellationToken = default) => Do(() =>
    {
        var entry = Find(service) ?? throw new IpvsException(IpvsCommand.SetDest, Errno.ESRCH);
        int i = entry.Destinations.FindIndex(d => d.Key == destination.Key);
        if (i < 0)
        {
            throw new IpvsException(IpvsCommand.SetDest, Errno.ENOENT);
        }
        entry.Destinations[i] = destination;
        Changes.Add($"edit-dest {service} {destination.Key} weight {destination.Weight} {destination.Forwarding}");
    });

    public async Task<Destination> EditDestinationAsync(ServiceKey service, DestinationKey destination, Func<Destination, Destination> change, CancellationToken cancellationToken = default)
    {
        var before = (await GetDestinationsAsync(service, cancellationToken)).FirstOrDefault(d => d.Key == destination)
            ?? throw new IpvsException(IpvsCommand.SetDest, Errno.ENOENT);
        var changed = change(before.Destination);
        await EditDestinationAsync(service, changed, cancellationToken);
        return changed;
    }

    public Task DeleteDestinationAsync(ServiceKey service, DestinationKey destination, CancellationToken cancellationToken = default) => Do(() =>
    {
        var entry = Find(service) ?? throw new IpvsException(IpvsCommand.DelDest, Errno.ESRCH);
        if (entry.Destinations.RemoveAll(d => d.Key == destination) == 0)
        {
            throw new IpvsException(IpvsCommand.DelDest, Errno.ENOENT);
        }
        Changes.Add($"delete-dest {service} {destination}");
    });

    public Task<VirtualServiceInfo> GetServiceAsync(ServiceKey service, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var entry = Find(service) ?? throw new IpvsException(IpvsCommand.GetService, Errno.ESRCH);
            return Task.FromResult(new VirtualServiceInfo(entry.Service, new IpvsStats(Connections: 7, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
        }
    }

    public Task<IReadOnlyList<DestinationInfo>> GetDestinationsAsync(ServiceKey service, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var entry = Find(service) ?? throw new IpvsException(IpvsCommand.GetDest, Errno.ESRCH);
            return Task.FromResult<IReadOnlyList<DestinationInfo>>([.. entry.Destinations.Select(Info)]);
        }
    }

    public Task<IReadOnlyList<VirtualServiceInfo>> GetServicesAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<VirtualServiceInfo>>([.. _table.Select(e => new VirtualServiceInfo(e.Service, default))]);
        }
    }

    public Task<IReadOnlyList<ServiceEntry>> GetTableAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<ServiceEntry>>(
                [.. _table.Select(e => new ServiceEntry(new VirtualServiceInfo(e.Service, default), [.. e.Destinations.Select(Info)]))]);
        }
    }

    public Task<IpvsInfo> GetInfoAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task FlushAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task ZeroAsync(ServiceKey? service = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<Timeouts> GetTimeoutsAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task SetTimeoutsAsync(Timeouts timeouts, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<IReadOnlyList<SyncDaemon>> GetSyncDaemonsAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task StartSyncDaemonAsync(SyncDaemon daemon, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task StopSyncDaemonAsync(SyncDaemonState state, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<BatchResult> ExecuteAsync(IReadOnlyList<IpvsOperation> operations, BatchOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    private DestinationInfo Info(Destination d)
    {
        var (active, inactive) = Counts.GetValueOrDefault(d.Key);
        return new DestinationInfo(d, active, inactive, 0, default);
    }

    // A copy of the entry; its destination list is the table's own.
    private (VirtualService Service, List<Destination> Destinations)? Find(ServiceKey key) =>
        _table.FindIndex(e => e.Service.Key == key) is var i and >= 0 ? _table[i] : null;

    private Task Do(Action change)
    {
        lock (_lock)
        {
            change();
        }
        return Task.CompletedTask;
    }
}
