using Microsoft.CodeAnalysis.Scripting;

namespace Ipvs.Scripting;

/// <summary>
/// Runs C# scripts (.csx) for the <c>ipvs</c> command, in one of two modes:
/// <list type="bullet">
/// <item><see cref="EvaluateAsync"/> — as configuration (<c>ipvs check|plan|apply FILE.csx</c>):
/// the script's DSL declares a desired state, which comes back validated, or every problem comes
/// back placed at <c>file:line:col</c>. It never touches the kernel.</item>
/// <item><see cref="RunAsync"/> — as a program (<c>ipvs script FILE.csx ARGS</c>): live objects
/// and helpers act on the given client; the result is an exit code.</item>
/// </list>
/// Either way the whole file (with what it <c>#load</c>s) compiles before any of it runs.
/// </summary>
public static class ScriptEvaluator
{
    /// <summary>
    /// Evaluates a script as configuration. Compile errors, an exception the script throws (at the
    /// line that threw), a live-object call (which would change the kernel at once), and problems
    /// with what it declares (at the declaring line) all come back as diagnostics; the state comes
    /// back only when there is no error.
    /// </summary>
    /// <param name="path">The .csx file.</param>
    /// <param name="args">The script's <c>Args</c>.</param>
    /// <param name="options">Where Log writes, and the kernel's features for validation.</param>
    /// <param name="cancellationToken">Stops the evaluation (the script sees it as <c>CancellationToken</c>).</param>
    /// <exception cref="OperationCanceledException">The token fired.</exception>
    public static async Task<ScriptEvaluation> EvaluateAsync(string path, IReadOnlyList<string>? args = null, EvaluationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new EvaluationOptions();
        var files = new ScriptFiles(path);
        var (script, diagnostics) = await ScriptCompiler.CompileAsync(files, cancellationToken).ConfigureAwait(false);
        if (script is null)
        {
            return new ScriptEvaluation { Diagnostics = [.. diagnostics] };
        }

        var declaration = new Declaration();
        var context = new ScriptContext(ScriptMode.Declarative, files, TextWriter.Synchronized(options.Log ?? Console.Error), cancellationToken)
        {
            Declaration = declaration,
        };
        var thrown = await RunScriptAsync(script, context, args, cancellationToken).ConfigureAwait(false);
        if (thrown is null)
        {
            try
            {
                using var scope = context.Enter();
                await declaration.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                thrown = ScriptSites.Unwrap(e);
            }
        }
        if (thrown is ScriptExitException { Code: 0 })
        {
            thrown = null;
        }
        if (thrown is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The script's evaluation was cancelled.", thrown, cancellationToken);
        }

        if (thrown is not null)
        {
            // What the script declared before it stopped is incomplete; only its problems are worth showing.
            diagnostics.AddRange(declaration.Problems.Select(ScriptDiagnostic.FromProblem));
            diagnostics.Add(Describe(thrown, files));
            return new ScriptEvaluation { Diagnostics = Ordered(diagnostics) };
        }
        var state = declaration.Build();
        diagnostics.AddRange(declaration.Problems.Select(ScriptDiagnostic.FromProblem));
        diagnostics.AddRange(DesiredValidator.Validate(state, options.Validation).Problems.Select(ScriptDiagnostic.FromProblem));
        if (declaration.Count == 0)
        {
            diagnostics.Add(ScriptDiagnostic.Warning("no-services", "The script declares no virtual server, so it manages nothing.",
                new SourceLocation(files.DisplayPath, 0), "Declare services with VirtualServer(…); run live-object scripts with `ipvs script`."));
        }
        return new ScriptEvaluation
        {
            State = diagnostics.Any(d => d.IsError) ? null : state,
            Diagnostics = Ordered(diagnostics),
        };
    }

    // By place, as a compiler lists them (stable, so problems at one place keep the order found);
    // those without a line come last.
    private static ImmutableArray<ScriptDiagnostic> Ordered(List<ScriptDiagnostic> diagnostics) =>
    [
        .. diagnostics
            .OrderBy(d => d.Location is { Line: > 0 } ? 0 : 1)
            .ThenBy(d => d.Location?.File, StringComparer.Ordinal)
            .ThenBy(d => d.Location?.Line ?? 0)
            .ThenBy(d => d.Location?.Column ?? 0),
    ];

    /// <summary>
    /// Runs a script as a program against the client, and returns its exit code (see
    /// <see cref="ScriptRunResult.ExitCode"/>) with the compile errors or the exception that ended it.
    /// Cancelling the token interrupts Sleep, Run and the probes, and gives
    /// <see cref="ScriptExitCodes.Interrupted"/>.
    /// </summary>
    /// <param name="path">The .csx file.</param>
    /// <param name="args">The script's <c>Args</c>.</param>
    /// <param name="client">The kernel the live objects act on (the caller opens it in the right namespace).</param>
    /// <param name="options">Where Log writes, and the namespace probes connect from.</param>
    /// <param name="cancellationToken">Interrupts the script.</param>
    public static async Task<ScriptRunResult> RunAsync(string path, IReadOnlyList<string>? args, IIpvsClient client, RunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(client);
        options ??= new RunOptions();
        var files = new ScriptFiles(path);
        Script<object>? script;
        List<ScriptDiagnostic> diagnostics;
        try
        {
            (script, diagnostics) = await ScriptCompiler.CompileAsync(files, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new ScriptRunResult(ScriptExitCodes.Interrupted);
        }
        if (script is null)
        {
            return new ScriptRunResult(ScriptExitCodes.BadScript) { Diagnostics = [.. diagnostics] };
        }
        var context = new ScriptContext(ScriptMode.Imperative, files, TextWriter.Synchronized(options.Log ?? Console.Out), cancellationToken)
        {
            Client = client,
            NetworkNamespace = string.IsNullOrEmpty(options.NetworkNamespace) ? null : options.NetworkNamespace,
        };
        object? returned = null;
        var thrown = await RunScriptAsync(script, context, args, cancellationToken, value => returned = value).ConfigureAwait(false);
        switch (thrown)
        {
            case null:
                return new ScriptRunResult(returned is int code ? code : ScriptExitCodes.Ok) { Diagnostics = [.. diagnostics] };
            case ScriptExitException exit:
                return new ScriptRunResult(exit.Code) { Diagnostics = [.. diagnostics] };
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                return new ScriptRunResult(ScriptExitCodes.Interrupted) { Diagnostics = [.. diagnostics] };
            default:
                diagnostics.Add(Describe(thrown, files));
                return new ScriptRunResult(ScriptExitCodes.Failed) { Diagnostics = [.. diagnostics] };
        }
    }

    // Runs the script on the thread pool with its context ambient, and returns what it threw.
    // Task.Run keeps a script that never awaits from blocking the caller.
    private static async Task<Exception?> RunScriptAsync(Script<object> script, ScriptContext context, IReadOnlyList<string>? args,
        CancellationToken cancellationToken, Action<object?>? returned = null)
    {
        var globals = new ScriptGlobals(context, args ?? []);
        using var scope = context.Enter();
        try
        {
            var state = await Task.Run(() => script.RunAsync(globals, cancellationToken), CancellationToken.None).ConfigureAwait(false);
            returned?.Invoke(state.ReturnValue);
            return null;
        }
        catch (Exception e)
        {
            return ScriptSites.Unwrap(e);
        }
    }

    private static ScriptDiagnostic Describe(Exception e, ScriptFiles files)
    {
        var at = ScriptSites.Of(e, files) ?? new SourceLocation(files.DisplayPath, 0);
        return e switch
        {
            DeclarativeModeException => ScriptDiagnostic.Error("live-call", e.Message, at),
            // Only declarative runs get here: Exit(n) with n other than 0 means the script refused to declare.
            ScriptExitException exit => ScriptDiagnostic.Error("exit", $"The script ended with Exit({exit.Code}), so it declares nothing usable.", at),
            _ => ScriptDiagnostic.Error("exception", $"{e.GetType().Name}: {e.Message}", at),
        };
    }
}
