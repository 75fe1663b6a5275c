using Ipvs.Model;

namespace Ipvs;

public sealed partial class IpvsClient
{
    /// <inheritdoc />
    public Task AddServiceAsync(VirtualService service, CancellationToken cancellationToken = default) =>
        SubmitAsync(IpvsOperation.AddService(service), cancellationToken);

    /// <inheritdoc />
    public Task EditServiceAsync(VirtualService service, CancellationToken cancellationToken = default) =>
        SubmitAsync(IpvsOperation.EditService(service), cancellationToken);

    /// <inheritdoc />
    /// <remarks>Read and write are two requests: a change made by another process in between is overwritten.</remarks>
    public async Task<VirtualService> EditServiceAsync(ServiceKey service, Func<VirtualService, VirtualService> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var current = await GetServiceAsync(service, cancellationToken).ConfigureAwait(false);
        var next = change(current.Service);
        if (next.Key != service)
        {
            throw new ArgumentException($"The change turned service {service} into {next.Key}; a key cannot be edited, delete and add instead.", nameof(change));
        }
        await EditServiceAsync(next, cancellationToken).ConfigureAwait(false);
        return next;
    }

    /// <inheritdoc />
    public Task DeleteServiceAsync(ServiceKey service, CancellationToken cancellationToken = default) =>
        SubmitAsync(IpvsOperation.DeleteService(service), cancellationToken);

    /// <inheritdoc />
    public Task AddDestinationAsync(ServiceKey service, Destination destination, CancellationToken cancellationToken = default) =>
        SubmitAsync(IpvsOperation.AddDestination(service, destination), cancellationToken);

    /// <inheritdoc />
    public Task EditDestinationAsync(ServiceKey service, Destination destination, CancellationToken cancellationToken = default) =>
        SubmitAsync(IpvsOperation.EditDestination(service, destination), cancellationToken);

    /// <inheritdoc />
    /// <remarks>Read and write are two requests: a change made by another process in between is overwritten.</remarks>
    public async Task<Destination> EditDestinationAsync(ServiceKey service, DestinationKey destination, Func<Destination, Destination> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var all = await GetDestinationsAsync(service, cancellationToken).ConfigureAwait(false);
        Destination? current = null;
        foreach (var d in all)
        {
            if (d.Key == destination)
            {
                current = d.Destination;
            }
        }
        if (current is null)
        {
            throw new IpvsException(Kernel.IpvsCommand.SetDest, Netlink.Errno.ENOENT, null, 0, $"{service} -> {destination}");
        }
        var next = change(current);
        if (next.Key != destination)
        {
            throw new ArgumentException($"The change turned destination {destination} into {next.Key}; a key cannot be edited, delete and add instead.", nameof(change));
        }
        await EditDestinationAsync(service, next, cancellationToken).ConfigureAwait(false);
        return next;
    }

    /// <inheritdoc />
    public Task DeleteDestinationAsync(ServiceKey service, DestinationKey destination, CancellationToken cancellationToken = default) =>
        SubmitAsync(IpvsOperation.DeleteDestination(service, destination), cancellationToken);

    /// <inheritdoc />
    public Task FlushAsync(CancellationToken cancellationToken = default) =>
        SubmitAsync(IpvsOperation.Flush(), cancellationToken);

    /// <inheritdoc />
    public Task ZeroAsync(ServiceKey? service = null, CancellationToken cancellationToken = default) =>
        SubmitAsync(IpvsOperation.Zero(service), cancellationToken);

    /// <inheritdoc />
    public Task SetTimeoutsAsync(Timeouts timeouts, CancellationToken cancellationToken = default) =>
        SubmitAsync(IpvsOperation.SetTimeouts(timeouts), cancellationToken);

    /// <inheritdoc />
    public Task StartSyncDaemonAsync(SyncDaemon daemon, CancellationToken cancellationToken = default) =>
        SubmitAsync(IpvsOperation.StartSyncDaemon(daemon), cancellationToken);

    /// <inheritdoc />
    public Task StopSyncDaemonAsync(SyncDaemonState state, CancellationToken cancellationToken = default) =>
        SubmitAsync(IpvsOperation.StopSyncDaemon(state), cancellationToken);
}
