namespace Ipvs.Scripting;

/// <summary>
/// One problem with a script, placed in the file that has it (the main file or a <c>#load</c>ed
/// one): a compile error from Roslyn, an exception the script threw, a live-object call during
/// declarative evaluation, or a problem with what it declares.
/// </summary>
/// <param name="Severity">Error or warning.</param>
/// <param name="Code">
/// A stable identifier: the compiler's (<c>CS0103</c>), <c>exception</c>, <c>live-call</c>, or the
/// validator's (<c>duplicate-service</c>, <c>invalid-value</c>, …).
/// </param>
/// <param name="Message">What is wrong.</param>
public sealed record ScriptDiagnostic(ProblemSeverity Severity, string Code, string Message)
{
    /// <summary>Where: file, line and column from 1, when known.</summary>
    public SourceLocation? Location { get; init; }

    /// <summary>How to fix it, when there is something useful to say.</summary>
    public string? Hint { get; init; }

    /// <summary>True for an error.</summary>
    public bool IsError => Severity == ProblemSeverity.Error;

    /// <summary>An error.</summary>
    public static ScriptDiagnostic Error(string code, string message, SourceLocation? location = null, string? hint = null) =>
        new(ProblemSeverity.Error, code, message) { Location = location, Hint = hint };

    /// <summary>A warning.</summary>
    public static ScriptDiagnostic Warning(string code, string message, SourceLocation? location = null, string? hint = null) =>
        new(ProblemSeverity.Warning, code, message) { Location = location, Hint = hint };

    /// <summary>A validator's problem, as it is.</summary>
    public static ScriptDiagnostic FromProblem(ValidationProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return new ScriptDiagnostic(problem.Severity, problem.Code, problem.Message) { Location = problem.Location, Hint = problem.Hint };
    }

    /// <summary><c>FILE:LINE:COL: error: MESSAGE [code] (hint: HINT)</c>, as compilers print it, leaving out what is unknown.</summary>
    public override string ToString()
    {
        var where = Location is { } l ? l + ": " : "";
        var severity = IsError ? "error" : "warning";
        var hint = Hint is null ? "" : $" (hint: {Hint})";
        return $"{where}{severity}: {Message} [{Code}]{hint}";
    }
}
