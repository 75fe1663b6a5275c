namespace Ipvs.Desired;

/// <summary>Something the daemon runs when a destination or a quorum changes state.</summary>
public abstract record Hook
{
    private protected Hook()
    {
    }

    /// <summary>Where the hook was declared.</summary>
    public SourceLocation? Location { get; init; }
}

/// <summary>
/// A program run with an argument list (never through a shell, so nothing needs quoting).
/// keepalived's notify_up "/path arg" becomes path and arguments.
/// </summary>
public sealed record ProgramHook : Hook
{
    /// <summary>A program with its arguments (argv[1] onwards).</summary>
    public ProgramHook(string path, params IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(arguments);
        Path = path;
        Arguments = [.. arguments];
    }

    /// <summary>The program's path; absolute.</summary>
    public string Path { get; init; }

    /// <summary>Its arguments, argv[1] onwards.</summary>
    public ImmutableArray<string> Arguments
    {
        get;
        init => field = value.IsDefault ? [] : value;
    }

    /// <summary>Run as this user, or null for the daemon's user.</summary>
    public string? User { get; init; }

    /// <summary>Kill it after this long, or null for the daemon's default.</summary>
    public TimeSpan? Timeout { get; init; }
}

/// <summary>A hook written in C#, for scripts and embedders.</summary>
/// <param name="Action">What to run; it should honour the token.</param>
public sealed record DelegateHook(Func<HookContext, CancellationToken, ValueTask> Action) : Hook
{
    /// <summary>A name for logs and plans.</summary>
    public string? Name { get; init; }
}

/// <summary>The state change a hook runs for.</summary>
public enum HookEvent
{
    /// <summary>A destination came up.</summary>
    Up,

    /// <summary>A destination went down.</summary>
    Down,

    /// <summary>A service gained its quorum.</summary>
    QuorumUp,

    /// <summary>A service lost its quorum.</summary>
    QuorumDown,
}

/// <summary>What a <see cref="DelegateHook"/> is told.</summary>
/// <param name="Event">The change.</param>
/// <param name="Service">The service.</param>
/// <param name="Destination">The destination, for <see cref="HookEvent.Up"/> and <see cref="HookEvent.Down"/>.</param>
public sealed record HookContext(HookEvent Event, ServiceKey Service, DestinationKey? Destination);
