using Ipvs.Kernel;
using Ipvs.Model;

namespace Ipvs;

/// <summary>
/// One change to the IPVS table, as a value. Batches, plans and the ipvsadm front end all speak in
/// operations, so that a whole change can be validated before any of it is sent.
/// </summary>
public abstract record IpvsOperation
{
    private protected IpvsOperation()
    {
    }

    /// <summary>The IPVS command this operation sends.</summary>
    public abstract IpvsCommand Command { get; }

    /// <summary>
    /// Checks, without sending anything, that this operation can be sent to a kernel with the
    /// given capabilities: the same checks a batch makes of every operation before its first
    /// send. Callers that send a long list in several batches (to show progress) check the
    /// whole list first with this, so that bad input never leaves a part applied.
    /// </summary>
    /// <exception cref="ArgumentException">The operation is malformed.</exception>
    /// <exception cref="IpvsNotSupportedException">The kernel is too old for a setting it uses.</exception>
    public void Validate(KernelCapabilities capabilities)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        IpvsValidation.Validate(this, capabilities);
    }

    /// <summary>Adds a service.</summary>
    public static IpvsOperation AddService(VirtualService service) => new AddServiceOperation(service);

    /// <summary>Replaces a service's settings (scheduler, flags, persistence, engine).</summary>
    public static IpvsOperation EditService(VirtualService service) => new EditServiceOperation(service);

    /// <summary>Deletes a service and its destinations.</summary>
    public static IpvsOperation DeleteService(ServiceKey service) => new DeleteServiceOperation(service);

    /// <summary>Adds a destination to a service.</summary>
    public static IpvsOperation AddDestination(ServiceKey service, Destination destination) => new AddDestinationOperation(service, destination);

    /// <summary>Replaces a destination's settings (forwarding, weight, thresholds, tunnel).</summary>
    public static IpvsOperation EditDestination(ServiceKey service, Destination destination) => new EditDestinationOperation(service, destination);

    /// <summary>Deletes a destination.</summary>
    public static IpvsOperation DeleteDestination(ServiceKey service, DestinationKey destination) => new DeleteDestinationOperation(service, destination);

    /// <summary>Deletes every service.</summary>
    public static IpvsOperation Flush() => new FlushOperation();

    /// <summary>Zeroes the counters of one service, or of all when <paramref name="service"/> is null.</summary>
    public static IpvsOperation Zero(ServiceKey? service = null) => new ZeroOperation(service);

    /// <summary>Sets connection timeouts; zero fields stay unchanged.</summary>
    public static IpvsOperation SetTimeouts(Timeouts timeouts) => new SetTimeoutsOperation(timeouts);

    /// <summary>Starts a sync daemon.</summary>
    public static IpvsOperation StartSyncDaemon(SyncDaemon daemon) => new StartSyncDaemonOperation(daemon);

    /// <summary>Stops the sync daemon in the given role.</summary>
    public static IpvsOperation StopSyncDaemon(SyncDaemonState state) => new StopSyncDaemonOperation(state);
}

/// <summary>Adds a service.</summary>
/// <param name="Service">The service.</param>
public sealed record AddServiceOperation(VirtualService Service) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsCommand Command => IpvsCommand.NewService;
}

/// <summary>Replaces a service's settings.</summary>
/// <param name="Service">The new settings; its key names the service.</param>
public sealed record EditServiceOperation(VirtualService Service) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsCommand Command => IpvsCommand.SetService;
}

/// <summary>Deletes a service.</summary>
/// <param name="Service">The service.</param>
public sealed record DeleteServiceOperation(ServiceKey Service) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsCommand Command => IpvsCommand.DelService;
}

/// <summary>Adds a destination.</summary>
/// <param name="Service">The service.</param>
/// <param name="Destination">The destination.</param>
public sealed record AddDestinationOperation(ServiceKey Service, Destination Destination) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsCommand Command => IpvsCommand.NewDest;
}

/// <summary>Replaces a destination's settings.</summary>
/// <param name="Service">The service.</param>
/// <param name="Destination">The new settings; its key names the destination.</param>
public sealed record EditDestinationOperation(ServiceKey Service, Destination Destination) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsCommand Command => IpvsCommand.SetDest;
}

/// <summary>Deletes a destination.</summary>
/// <param name="Service">The service.</param>
/// <param name="Destination">The destination.</param>
public sealed record DeleteDestinationOperation(ServiceKey Service, DestinationKey Destination) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsCommand Command => IpvsCommand.DelDest;
}

/// <summary>Deletes every service.</summary>
public sealed record FlushOperation : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsCommand Command => IpvsCommand.Flush;
}

/// <summary>Zeroes counters.</summary>
/// <param name="Service">One service, or null for all.</param>
public sealed record ZeroOperation(ServiceKey? Service) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsCommand Command => IpvsCommand.Zero;
}

/// <summary>Sets timeouts.</summary>
/// <param name="Timeouts">The timeouts; zero fields stay unchanged.</param>
public sealed record SetTimeoutsOperation(Timeouts Timeouts) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsCommand Command => IpvsCommand.SetConfig;
}

/// <summary>Starts a sync daemon.</summary>
/// <param name="Daemon">The daemon.</param>
public sealed record StartSyncDaemonOperation(SyncDaemon Daemon) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsCommand Command => IpvsCommand.NewDaemon;
}

/// <summary>Stops a sync daemon.</summary>
/// <param name="State">Its role.</param>
public sealed record StopSyncDaemonOperation(SyncDaemonState State) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsCommand Command => IpvsCommand.DelDaemon;
}
