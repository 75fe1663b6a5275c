namespace Ipvs.Desired;

/// <summary>
/// A health-check declaration: data for the daemon, never run by this layer. The common settings
/// are here; null means "the daemon's default" (the interval defaults to the service's
/// <see cref="ServicePolicy.DelayLoop"/>).
/// </summary>
public abstract record HealthCheck
{
    private protected HealthCheck()
    {
    }

    /// <summary>
    /// The longest interval, timeout, delay or warm-up a check may have: 49 days. .NET's timers
    /// wait at most 2^32 - 2 ms (49.7 days); a longer value would fail deep in the scheduler
    /// instead of here.
    /// </summary>
    public static TimeSpan MaxDuration { get; } = TimeSpan.FromDays(49);

    /// <summary>A short name of the kind of check (<c>http</c>, <c>tcp</c>, …), for messages.</summary>
    public abstract string Kind { get; }

    /// <summary>Time between checks; positive.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>How long a connection attempt may take; positive.</summary>
    public TimeSpan? ConnectTimeout { get; init; }

    /// <summary>How long a reply may take once connected; positive.</summary>
    public TimeSpan? ReadTimeout { get; init; }

    /// <summary>Extra attempts before a check counts as failed (retry); 0 or more.</summary>
    public int? Retries { get; init; }

    /// <summary>Pause before each extra attempt (delay_before_retry); 0 or more.</summary>
    public TimeSpan? DelayBeforeRetry { get; init; }

    /// <summary>Successive passes before a down destination is put in; 1 or more.</summary>
    public int Rise { get; init; } = 1;

    /// <summary>Successive failures before an up destination is taken out; 1 or more.</summary>
    public int Fall { get; init; } = 1;

    /// <summary>A random delay of up to this long before the first check, so checks spread out (warmup).</summary>
    public TimeSpan? WarmUp { get; init; }

    /// <summary>Check this address instead of the destination's (connect_ip).</summary>
    public IPAddress? ConnectAddress { get; init; }

    /// <summary>Check this port instead of the destination's (connect_port); 1 to 65535.</summary>
    public int? ConnectPort { get; init; }

    /// <summary>Connect from this local address (bindto), or null for the kernel's choice.</summary>
    public IPAddress? BindAddress { get; init; }

    /// <summary>Where the check was declared.</summary>
    public SourceLocation? Location { get; init; }

    /// <summary>True when the check connects to a port, so a port must be known.</summary>
    internal virtual bool NeedsPort => false;
}

/// <summary>What a <see cref="DelegateCheck"/> is given.</summary>
/// <param name="Service">The service.</param>
/// <param name="Destination">The destination's kernel settings.</param>
/// <param name="Target">Where to connect: the destination, or the check's connect address and port.</param>
public sealed record CheckContext(ServiceKey Service, Destination Destination, IPEndPoint Target)
{
    /// <summary>The connect timeout in force.</summary>
    public TimeSpan ConnectTimeout { get; init; }

    /// <summary>The read timeout in force.</summary>
    public TimeSpan ReadTimeout { get; init; }
}
