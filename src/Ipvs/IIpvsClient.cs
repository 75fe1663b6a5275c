using Ipvs.Model;

namespace Ipvs;

/// <summary>
/// The IPVS table of one network namespace. Implementations are safe for concurrent callers.
/// Reads return whole lists rather than streams: a dump holds the netlink socket, and a caller
/// that awaited other client calls while enumerating would wait on itself.
/// </summary>
public interface IIpvsClient
{
    /// <summary>What the running kernel supports.</summary>
    KernelCapabilities Capabilities { get; }

    /// <summary>IPVS version and connection table size.</summary>
    Task<IpvsInfo> GetInfoAsync(CancellationToken cancellationToken = default);

    /// <summary>All services with statistics, in kernel order.</summary>
    Task<IReadOnlyList<VirtualServiceInfo>> GetServicesAsync(CancellationToken cancellationToken = default);

    /// <summary>One service; throws <see cref="IpvsException"/> (ESRCH, "No such service") when missing.</summary>
    Task<VirtualServiceInfo> GetServiceAsync(ServiceKey service, CancellationToken cancellationToken = default);

    /// <summary>
    /// A service's destinations, each once; throws <see cref="IpvsException"/> (ESRCH) when the
    /// service is missing. A dump of several chunks is read again until two reads name the same
    /// destinations, since the kernel resumes it by position and concurrent changes shift it.
    /// </summary>
    Task<IReadOnlyList<DestinationInfo>> GetDestinationsAsync(ServiceKey service, CancellationToken cancellationToken = default);

    /// <summary>Every service with its destinations, read so that the service list is stable across the read.</summary>
    Task<IReadOnlyList<ServiceEntry>> GetTableAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds a service; EEXIST when it exists.</summary>
    Task AddServiceAsync(VirtualService service, CancellationToken cancellationToken = default);

    /// <summary>Replaces a service's settings; ESRCH when missing.</summary>
    Task EditServiceAsync(VirtualService service, CancellationToken cancellationToken = default);

    /// <summary>Changes some settings of a service and keeps the rest, reading it first.</summary>
    Task<VirtualService> EditServiceAsync(ServiceKey service, Func<VirtualService, VirtualService> change, CancellationToken cancellationToken = default);

    /// <summary>Deletes a service and its destinations; ESRCH when missing.</summary>
    Task DeleteServiceAsync(ServiceKey service, CancellationToken cancellationToken = default);

    /// <summary>Adds a destination; EEXIST when it exists, ESRCH when the service is missing.</summary>
    Task AddDestinationAsync(ServiceKey service, Destination destination, CancellationToken cancellationToken = default);

    /// <summary>Replaces a destination's settings; ENOENT when missing.</summary>
    Task EditDestinationAsync(ServiceKey service, Destination destination, CancellationToken cancellationToken = default);

    /// <summary>Changes some settings of a destination and keeps the rest, reading it first.</summary>
    Task<Destination> EditDestinationAsync(ServiceKey service, DestinationKey destination, Func<Destination, Destination> change, CancellationToken cancellationToken = default);

    /// <summary>Deletes a destination; ENOENT when missing.</summary>
    Task DeleteDestinationAsync(ServiceKey service, DestinationKey destination, CancellationToken cancellationToken = default);

    /// <summary>Deletes every service.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>Zeroes the counters of one service, or of all when null.</summary>
    Task ZeroAsync(ServiceKey? service = null, CancellationToken cancellationToken = default);

    /// <summary>Connection timeouts.</summary>
    Task<Timeouts> GetTimeoutsAsync(CancellationToken cancellationToken = default);

    /// <summary>Sets connection timeouts; zero fields stay unchanged.</summary>
    Task SetTimeoutsAsync(Timeouts timeouts, CancellationToken cancellationToken = default);

    /// <summary>Running sync daemons (at most a master and a backup).</summary>
    Task<IReadOnlyList<SyncDaemon>> GetSyncDaemonsAsync(CancellationToken cancellationToken = default);

    /// <summary>Starts a sync daemon; EEXIST when one of that role runs.</summary>
    Task StartSyncDaemonAsync(SyncDaemon daemon, CancellationToken cancellationToken = default);

    /// <summary>Stops a sync daemon; ESRCH when none of that role runs.</summary>
    Task StopSyncDaemonAsync(SyncDaemonState state, CancellationToken cancellationToken = default);

    /// <summary>Runs many operations in as few sends as possible and reports each one's outcome.</summary>
    Task<BatchResult> ExecuteAsync(IReadOnlyList<IpvsOperation> operations, BatchOptions? options = null, CancellationToken cancellationToken = default);
}
