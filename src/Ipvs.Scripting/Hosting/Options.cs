namespace Ipvs.Scripting;

/// <summary>Options for <see cref="ScriptEvaluator.EvaluateAsync"/>.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Where the script's <c>Log(…)</c> lines go; standard error by default, so that a plan on standard output stays clean.</summary>
    public TextWriter? Log { get; init; }

    /// <summary>Passed to <see cref="DesiredValidator.Validate"/> (the kernel's features); null assumes every feature.</summary>
    public ValidationOptions? Validation { get; init; }
}

/// <summary>Options for <see cref="ScriptEvaluator.RunAsync"/>.</summary>
public sealed record RunOptions
{
    /// <summary>Where the script's <c>Log(…)</c> lines go; standard output by default.</summary>
    public TextWriter? Log { get; init; }

    /// <summary>
    /// The network namespace the script's probes (<c>Http.Get</c>, <c>Tcp.Connect</c>) connect from
    /// and its programs (<c>Run</c>, <c>Sh</c>) run in: a name under /run/netns or a path such as
    /// /proc/PID/ns/net. Null means the caller's. Give the kernel client's namespace, so the script
    /// checks the real servers from where the director reaches them.
    /// </summary>
    public string? NetworkNamespace { get; init; }
}
