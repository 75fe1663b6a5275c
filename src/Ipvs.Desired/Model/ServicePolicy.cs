namespace Ipvs.Desired;

/// <summary>
/// What a health-checking daemon does for a service (keepalived's virtual_server keywords). None of
/// it reaches the kernel, so the planner ignores it.
/// </summary>
public sealed record ServicePolicy
{
    /// <summary>keepalived's defaults: quorum 1, no hysteresis, no sorry server, failed servers removed.</summary>
    public static ServicePolicy Default { get; } = new();

    /// <summary>The least total weight of healthy destinations for the service to be up (quorum).</summary>
    public int Quorum { get; init; } = 1;

    /// <summary>
    /// Hysteresis around the quorum: up at <see cref="Quorum"/> + this, down below <see cref="Quorum"/> − this.
    /// </summary>
    public int Hysteresis { get; init; }

    /// <summary>Run when the quorum is gained (quorum_up).</summary>
    public Hook? QuorumUp { get; init; }

    /// <summary>Run when the quorum is lost (quorum_down).</summary>
    public Hook? QuorumDown { get; init; }

    /// <summary>The server put in when no destination is healthy (sorry_server), or null.</summary>
    public Destination? SorryServer { get; init; }

    /// <summary>Keep the sorry server in with weight 0 while the quorum holds (sorry_server_inhibit).</summary>
    public bool SorryServerInhibit { get; init; }

    /// <summary>Set a failed destination's weight to 0 instead of removing it (inhibit_on_failure).</summary>
    public bool InhibitOnFailure { get; init; }

    /// <summary>Start every destination as failed until its first successful check (alpha).</summary>
    public bool Alpha { get; init; }

    /// <summary>Run the destinations' down hooks and quorum_down when the daemon stops (omega).</summary>
    public bool Omega { get; init; }

    /// <summary>The default check interval for the service's checks (delay_loop); null for the daemon's.</summary>
    public TimeSpan? DelayLoop { get; init; }

    /// <summary>The default HTTP Host header for the service's HTTP checks (virtualhost).</summary>
    public string? VirtualHost { get; init; }

    /// <summary>Where the policy was declared, when it was declared apart from the service.</summary>
    public SourceLocation? Location { get; init; }
}
