namespace Ipvs.Daemon.Engine;

/// <summary>The outcome of loading the configuration: a valid state, or located errors.</summary>
/// <param name="State">The desired state, or null when there are errors.</param>
/// <param name="Errors">Located errors (file:line:col: message), empty when valid.</param>
/// <param name="Warnings">Located warnings.</param>
/// <param name="Files">Every file read (the configuration and its includes), to watch for changes.</param>
public sealed record ConfigLoadResult(DesiredState? State, ImmutableArray<string> Errors, ImmutableArray<string> Warnings, ImmutableArray<string> Files)
{
    /// <summary>True when the configuration can be used.</summary>
    public bool IsValid => State is not null && Errors.IsEmpty;
}

/// <summary>
/// Where the daemon's configuration comes from (a C# script, a keepalived.conf, a saved table…).
/// The front end supplies it; the daemon only needs the whole state, validated, or the errors.
/// </summary>
public interface IConfigSource
{
    /// <summary>What to call it in logs: usually the path.</summary>
    string Description { get; }

    /// <summary>Loads and validates the whole configuration. Must not touch the kernel.</summary>
    Task<ConfigLoadResult> LoadAsync(CancellationToken cancellationToken);
}
