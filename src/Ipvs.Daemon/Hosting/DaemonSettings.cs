using Ipvs.Daemon.Engine;

namespace Ipvs.Daemon.Hosting;

/// <summary>How `ipvs run` runs.</summary>
public sealed record DaemonSettings
{
    /// <summary>The engine's settings.</summary>
    public SupervisorOptions Engine { get; init; } = new();

    /// <summary>Where /metrics, /healthz and /status listen (an http:// URL), or null for nowhere. 127.0.0.1 by default: the status shows the whole configuration.</summary>
    public string? Listen { get; init; } = "http://127.0.0.1:9323";

    /// <summary>Logs as JSON lines (one object per event) instead of text.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>Files whose change triggers a reload; empty watches nothing.</summary>
    public IReadOnlyList<string> WatchFiles { get; init; } = [];

    /// <summary>The network namespace to manage (a name under /run/netns or a path), or null for the daemon's own.</summary>
    public string? NetworkNamespace { get; init; }
}
