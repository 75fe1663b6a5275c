namespace Ipvs.Desired;

/// <summary>
/// A virtual service as it should be: the kernel settings (<see cref="Service"/>), its real servers,
/// and the daemon's policy for it (<see cref="Policy"/>), which never reaches the kernel.
/// Declaring a service makes it owned: destinations not declared here are deleted from it.
/// </summary>
public sealed record DesiredService
{
    /// <summary>A service with the given destinations.</summary>
    public DesiredService(VirtualService service, IEnumerable<DesiredDestination>? destinations = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        Service = service;
        Destinations = destinations is null ? [] : [.. destinations];
    }

    /// <summary>The kernel settings; its key identifies the service.</summary>
    public VirtualService Service
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(Service));
    }

    /// <summary>The service's key.</summary>
    public ServiceKey Key => Service.Key;

    /// <summary>The real servers, in declaration order.</summary>
    public ImmutableArray<DesiredDestination> Destinations
    {
        get;
        init => field = value.IsDefault ? [] : value;
    } = [];

    /// <summary>Health-checking policy for the daemon; not sent to the kernel.</summary>
    public ServicePolicy Policy
    {
        get;
        init => field = value ?? ServicePolicy.Default;
    } = ServicePolicy.Default;

    /// <summary>Where the service was declared.</summary>
    public SourceLocation? Location { get; init; }
}
