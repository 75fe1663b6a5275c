namespace Ipvs.Scripting;

/// <summary>
/// The outcome of evaluating a script as configuration: the desired state it declares, or the
/// errors that keep it from being used. Warnings come with either.
/// </summary>
public sealed record ScriptEvaluation
{
    /// <summary>The declared state, validated; null when there is any error.</summary>
    public DesiredState? State { get; init; }

    /// <summary>Every problem found, errors and warnings, in the order found.</summary>
    public ImmutableArray<ScriptDiagnostic> Diagnostics
    {
        get;
        init => field = value.IsDefault ? [] : value;
    } = [];

    /// <summary>True when the state can be planned and applied.</summary>
    public bool Succeeded => State is not null;

    /// <summary>The errors.</summary>
    public IEnumerable<ScriptDiagnostic> Errors => Diagnostics.Where(d => d.IsError);

    /// <summary>The warnings.</summary>
    public IEnumerable<ScriptDiagnostic> Warnings => Diagnostics.Where(d => !d.IsError);

    /// <summary>One diagnostic per line.</summary>
    public override string ToString() => string.Join('\n', Diagnostics);
}

/// <summary>The outcome of running a script as a program (<c>ipvs script</c>).</summary>
/// <param name="ExitCode">
/// The script's: 0 when it ends normally, the number it returns or passes to <c>Exit(n)</c>;
/// <see cref="ScriptExitCodes.Failed"/> when it threw, <see cref="ScriptExitCodes.BadScript"/>
/// when it does not compile (nothing ran), <see cref="ScriptExitCodes.Interrupted"/> when cancelled.
/// </param>
public sealed record ScriptRunResult(int ExitCode)
{
    /// <summary>Compile errors, or the exception that ended the script, with their places.</summary>
    public ImmutableArray<ScriptDiagnostic> Diagnostics
    {
        get;
        init => field = value.IsDefault ? [] : value;
    } = [];

    /// <summary>One diagnostic per line.</summary>
    public override string ToString() => string.Join('\n', Diagnostics);
}

/// <summary>The exit codes <see cref="ScriptEvaluator.RunAsync"/> gives of its own, as the <c>ipvs</c> command uses them.</summary>
public static class ScriptExitCodes
{
    /// <summary>The script ended normally.</summary>
    public const int Ok = 0;

    /// <summary>The script threw an exception.</summary>
    public const int Failed = 1;

    /// <summary>The script does not compile (or cannot be read); nothing ran.</summary>
    public const int BadScript = 2;

    /// <summary>The run was cancelled (SIGINT).</summary>
    public const int Interrupted = 130;
}
