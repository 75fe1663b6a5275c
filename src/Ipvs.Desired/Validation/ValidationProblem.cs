namespace Ipvs.Desired;

/// <summary>How bad a problem is.</summary>
public enum ProblemSeverity
{
    /// <summary>The state cannot be planned or applied.</summary>
    Error,

    /// <summary>Legal but probably not meant (a setting that has no effect, say).</summary>
    Warning,
}

/// <summary>One problem with a desired state.</summary>
/// <param name="Severity">Error or warning.</param>
/// <param name="Code">A stable identifier such as <c>duplicate-service</c>, for tools and tests.</param>
/// <param name="Message">What is wrong, naming the service, destination or check.</param>
public sealed record ValidationProblem(ProblemSeverity Severity, string Code, string Message)
{
    /// <summary>Where the offending declaration was written, when known.</summary>
    public SourceLocation? Location { get; init; }

    /// <summary>How to fix it, when there is something useful to say.</summary>
    public string? Hint { get; init; }

    /// <summary>An error.</summary>
    public static ValidationProblem Error(string code, string message, SourceLocation? location = null, string? hint = null) =>
        new(ProblemSeverity.Error, code, message) { Location = location, Hint = hint };

    /// <summary>A warning.</summary>
    public static ValidationProblem Warning(string code, string message, SourceLocation? location = null, string? hint = null) =>
        new(ProblemSeverity.Warning, code, message) { Location = location, Hint = hint };

    /// <summary>
    /// A problem from an exception the library's model raised while a front end built a value (a
    /// negative weight, a scheduler name over 15 characters, an IPv6 prefix over 128, a malformed
    /// address): the library's own check and wording, placed at the declaration.
    /// </summary>
    public static ValidationProblem FromException(Exception exception, SourceLocation? location = null, string code = "invalid-value")
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Error(code, LibraryChecks.Message(exception), location);
    }

    /// <summary><c>FILE:LINE:COL: error: MESSAGE [code] (hint: HINT)</c>, leaving out what is unknown.</summary>
    public override string ToString()
    {
        var severity = Severity == ProblemSeverity.Error ? "error" : "warning";
        var where = Location is { } l ? l + ": " : "";
        var hint = Hint is null ? "" : $" (hint: {Hint})";
        return $"{where}{severity}: {Message} [{Code}]{hint}";
    }
}

/// <summary>Every problem found in a desired state, in declaration order.</summary>
/// <param name="Problems">Errors and warnings.</param>
public sealed record ValidationResult(ImmutableArray<ValidationProblem> Problems)
{
    /// <summary>The errors.</summary>
    public IEnumerable<ValidationProblem> Errors => Problems.Where(p => p.Severity == ProblemSeverity.Error);

    /// <summary>The warnings.</summary>
    public IEnumerable<ValidationProblem> Warnings => Problems.Where(p => p.Severity == ProblemSeverity.Warning);

    /// <summary>True when there is no error (warnings allowed).</summary>
    public bool IsValid => !Errors.Any();

    /// <summary>Throws <see cref="InvalidDesiredStateException"/> when there is an error.</summary>
    public void ThrowIfInvalid()
    {
        if (!IsValid)
        {
            throw new InvalidDesiredStateException(this);
        }
    }

    /// <summary>One problem per line.</summary>
    public override string ToString() => string.Join('\n', Problems);
}

/// <summary>A desired state with errors was given to the planner.</summary>
public sealed class InvalidDesiredStateException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InvalidDesiredStateException(ValidationResult result)
        : base(Describe(result)) => Result = result;

    /// <summary>Every problem found.</summary>
    public ValidationResult Result { get; }

    private static string Describe(ValidationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var errors = result.Errors.ToList();
        return errors.Count == 1
            ? $"The desired state is invalid: {errors[0]}"
            : $"The desired state has {errors.Count} errors:\n{string.Join('\n', errors)}";
    }
}

/// <summary>Options for <see cref="DesiredValidator.Validate"/>.</summary>
public sealed record ValidationOptions
{
    /// <summary>
    /// The kernel to check against (GRE tunnels need Linux 5.3, …); null assumes a kernel with every
    /// feature the library knows.
    /// </summary>
    public KernelCapabilities? Capabilities { get; init; }
}
