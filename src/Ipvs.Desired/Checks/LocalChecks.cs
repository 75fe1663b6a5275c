namespace Ipvs.Desired;

/// <summary>
/// Runs a program (never through a shell); exit status 0 passes (keepalived's MISC_CHECK). With
/// <see cref="DynamicWeight"/>, an exit status of 2 to 255 passes and sets the weight to status − 2
/// (misc_dynamic).
/// </summary>
public sealed record ProgramCheck : HealthCheck
{
    /// <summary>A program with its arguments (argv[1] onwards).</summary>
    public ProgramCheck(string path, params IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(arguments);
        Path = path;
        Arguments = [.. arguments];
    }

    /// <inheritdoc />
    public override string Kind => "program";

    /// <summary>The program's path; absolute.</summary>
    public string Path { get; init; }

    /// <summary>Its arguments, argv[1] onwards.</summary>
    public ImmutableArray<string> Arguments
    {
        get;
        init => field = value.IsDefault ? [] : value;
    }

    /// <summary>Kill it and count a failure after this long (misc_timeout); positive.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The exit status sets the weight (misc_dynamic).</summary>
    public bool DynamicWeight { get; init; }

    /// <summary>Run as this user, or null for the daemon's user.</summary>
    public string? User { get; init; }
}

/// <summary>
/// Reads a number from a file (keepalived's FILE_CHECK with track_file). With a non-zero
/// <see cref="Weight"/> the check stays up and adds the number times <see cref="Weight"/> to the
/// destination's weight (subtracts it with <see cref="Reverse"/>); a destination whose weight
/// falls to 0 or below takes no traffic. With <see cref="Weight"/> 0 the file is a flag: 0 is up,
/// anything else down (<see cref="Reverse"/> flips it). A missing file reads as 0.
/// </summary>
public sealed record FileCheck : HealthCheck
{
    /// <summary>A check of the file at the path.</summary>
    public FileCheck(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Path = path;
    }

    /// <inheritdoc />
    public override string Kind => "file";

    /// <summary>The file to read.</summary>
    public string Path { get; init; }

    /// <summary>The multiplier for the file's number; 1 by default.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>Lower the weight by the file's value instead of raising it.</summary>
    public bool Reverse { get; init; }
}

/// <summary>A check written in C# (scripts and embedders): true passes.</summary>
/// <param name="Probe">The check; it must honour the token, which fires at the timeout.</param>
public sealed record DelegateCheck(Func<CheckContext, CancellationToken, ValueTask<bool>> Probe) : HealthCheck
{
    /// <inheritdoc />
    public override string Kind => "delegate";

    /// <summary>A name for logs and messages.</summary>
    public string? Name { get; init; }
}
