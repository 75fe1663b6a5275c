using Ipvs.Checks;

namespace Ipvs.Daemon.Engine;

/// <summary>Settings of the daemon's engine.</summary>
public sealed record SupervisorOptions
{
    /// <summary>The state file (drains, managed services, health); null keeps nothing across restarts.</summary>
    public string? StateFile { get; init; }

    /// <summary>How destinations leave.</summary>
    public DrainOptions Drain { get; init; } = new();

    /// <summary>
    /// How often the kernel's table is compared with what it should be when nothing happens, which
    /// repairs changes made behind the daemon's back (keepalived never looks again).
    /// </summary>
    public TimeSpan ReconcileInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often to reconcile while a drain or a slow start is in progress.</summary>
    public TimeSpan ActiveInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Delete the managed services when the daemon stops (keepalived's lvs_flush_on_stop); by default the table stays and traffic goes on.</summary>
    public bool FlushOnStop { get; init; }

    /// <summary>Check defaults and concurrency.</summary>
    public CheckSchedulerOptions Checks { get; init; } = new();

    /// <summary>The longest a notify hook may run before it is killed.</summary>
    public TimeSpan HookTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
