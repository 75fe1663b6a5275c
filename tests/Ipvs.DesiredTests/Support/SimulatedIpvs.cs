using System.Runtime.CompilerServices;

namespace Ipvs.DesiredTests.Support;

/// <summary>
/// An <see cref="IIpvsClient"/> over a <see cref="SimulatedTable"/>, for applier tests. Batches are
/// cut into sends as the library cuts them; with StopOnError, nothing after a send with a failure is
/// attempted, while the rest of that send is applied, as in the kernel.
/// </summary>
internal sealed class SimulatedIpvs(SimulatedTable table) : IIpvsClient
{
    // The library builds BatchResult itself; a fake client needs its internal constructor.
    [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
    private static extern BatchResult NewBatchResult(OperationResult[] results);

    public SimulatedTable Table { get; } = table;

    /// <summary>Refuses an operation with this errno when it returns non-zero (checked before applying).</summary>
    public Func<IpvsOperation, int> Refuse { get; set; } = _ => 0;

    /// <summary>Operations whose reply is "lost": applied (or not, as told) but reported Unknown.</summary>
    public Func<IpvsOperation, (bool Lost, bool Applied)> Lose { get; set; } = _ => (false, false);

    /// <summary>Every batch received, in order.</summary>
    public List<IReadOnlyList<IpvsOperation>> Batches { get; } = [];

    public KernelCapabilities Capabilities { get; } = new(new Version(6, 1));

    public Task<BatchResult> ExecuteAsync(IReadOnlyList<IpvsOperation> operations, BatchOptions? options = null, CancellationToken cancellationToken = default)
    {
        Batches.Add([.. operations]);
        int perSend = options?.MaxRequestsPerSend ?? 1024;
        var results = new OperationResult[operations.Count];
        bool stopped = false;
        for (int start = 0; start < operations.Count; start += perSend)
        {
            bool failed = false;
            for (int i = start; i < Math.Min(start + perSend, operations.Count); i++)
            {
                var op = operations[i];
                if (stopped)
                {
                    results[i] = new OperationResult(op, OperationState.NotAttempted, 0, null);
                    continue;
                }
                var (lost, applied) = Lose(op);
                if (lost)
                {
                    if (applied)
                    {
                        Table.Apply(op);
                    }
                    results[i] = new OperationResult(op, OperationState.Unknown, Errno.ETIMEDOUT, null);
                    failed = true;
                    continue;
                }
                int errno = Refuse(op);
                if (errno == 0)
                {
                    errno = Table.Apply(op);
                }
                results[i] = new OperationResult(op, errno == 0 ? OperationState.Applied : OperationState.Failed, errno, null);
                failed |= errno != 0;
            }
            stopped |= failed && options?.StopOnError == true;
        }
        return Task.FromResult(NewBatchResult(results));
    }

    public Task<IReadOnlyList<ServiceEntry>> GetTableAsync(CancellationToken cancellationToken = default) => Task.FromResult(Table.Entries);

    public Task<Timeouts> GetTimeoutsAsync(CancellationToken cancellationToken = default) => Task.FromResult(Table.Timeouts);

    public Task<IpvsInfo> GetInfoAsync(CancellationToken cancellationToken = default) => throw Unused();

    public Task<IReadOnlyList<VirtualServiceInfo>> GetServicesAsync(CancellationToken cancellationToken = default) => throw Unused();

    public Task<VirtualServiceInfo> GetServiceAsync(ServiceKey service, CancellationToken cancellationToken = default) => throw Unused();

    public Task<IReadOnlyList<DestinationInfo>> GetDestinationsAsync(ServiceKey service, CancellationToken cancellationToken = default) => throw Unused();

    public Task AddServiceAsync(VirtualService service, CancellationToken cancellationToken = default) => throw Unused();

    public Task EditServiceAsync(VirtualService service, CancellationToken cancellationToken = default) => throw Unused();

    public Task<VirtualService> EditServiceAsync(ServiceKey service, Func<VirtualService, VirtualService> change, CancellationToken cancellationToken = default) => throw Unused();

    public Task DeleteServiceAsync(ServiceKey service, CancellationToken cancellationToken = default) => throw Unused();

    public Task AddDestinationAsync(ServiceKey service, Destination destination, CancellationToken cancellationToken = default) => throw Unused();

    public Task EditDestinationAsync(ServiceKey service, Destination destination, CancellationToken cancellationToken = default) => throw Unused();

    public Task<Destination> EditDestinationAsync(ServiceKey service, DestinationKey destination, Func<Destination, Destination> change, CancellationToken cancellationToken = default) => throw Unused();

    public Task DeleteDestinationAsync(ServiceKey service, DestinationKey destination, CancellationToken cancellationToken = default) => throw Unused();

    public Task FlushAsync(CancellationToken cancellationToken = default) => throw Unused();

    public Task ZeroAsync(ServiceKey? service = null, CancellationToken cancellationToken = default) => throw Unused();

    public Task SetTimeoutsAsync(Timeouts timeouts, CancellationToken cancellationToken = default) => throw Unused();

    public Task<IReadOnlyList<SyncDaemon>> GetSyncDaemonsAsync(CancellationToken cancellationToken = default) => throw Unused();

    public Task StartSyncDaemonAsync(SyncDaemon daemon, CancellationToken cancellationToken = default) => throw Unused();

    public Task StopSyncDaemonAsync(SyncDaemonState state, CancellationToken cancellationToken = default) => throw Unused();

    // The desired layer must go through ExecuteAsync (one batch, per-operation results) only.
    private static NotSupportedException Unused([CallerMemberName] string? name = null) =>
        new($"The applier called {name}; it should only read the table and execute batches.");
}
