namespace Ipvs.ScriptingTests.Support;

/// <summary>
/// Script files for one test in a fresh directory (deleted afterwards), run either way. Paths are
/// absolute, so diagnostics show them absolute: <c>{Path("x.csx")}:3:5: error: …</c>.
/// </summary>
internal sealed class Scripts : IDisposable
{
    public Scripts() => Directory.CreateDirectory(Root);

    public string Root { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ipvs-scripting-" + Guid.NewGuid().ToString("N")[..8]);

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The repository's examples/scripts directory, found upwards from the test binary.</summary>
    public static string Examples { get; } = FindExamples();

    public string Path(string name) => System.IO.Path.Combine(Root, name);

    /// <summary>Writes a file (its directories too) and returns its path.</summary>
    public string Write(string name, string code)
    {
        var path = Path(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, code);
        return path;
    }

    /// <summary>Writes main.csx and evaluates it as configuration.</summary>
    public Task<ScriptEvaluation> Evaluate(string code, params string[] args) => EvaluateFile(Write("main.csx", code), args);

    public static Task<ScriptEvaluation> EvaluateFile(string path, params string[] args) =>
        ScriptEvaluator.EvaluateAsync(path, args, new EvaluationOptions { Log = TextWriter.Null }, Ct);

    /// <summary>Writes main.csx and runs it as a program against the client.</summary>
    public Task<ScriptRunResult> Run(string code, IIpvsClient client, TextWriter? log = null, params string[] args) =>
        RunFile(Write("main.csx", code), client, log, args);

    public static Task<ScriptRunResult> RunFile(string path, IIpvsClient client, TextWriter? log = null, params string[] args) =>
        ScriptEvaluator.RunAsync(path, args, client, new RunOptions { Log = log ?? TextWriter.Null }, Ct);

    /// <summary>The one error, failing with every diagnostic when there is not exactly one.</summary>
    public static ScriptDiagnostic SingleError(ScriptEvaluation e)
    {
        var errors = e.Errors.ToList();
        Assert.True(errors.Count == 1, $"expected one error, got:\n{e}");
        Assert.Null(e.State);
        return errors[0];
    }

    /// <summary>The state, failing with every diagnostic when there is an error.</summary>
    public static DesiredState Ok(ScriptEvaluation e)
    {
        Assert.True(e.Succeeded, $"expected success, got:\n{e}");
        return e.State!;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    private static string FindExamples()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var candidate = System.IO.Path.Combine(d.FullName, "examples", "scripts");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("examples/scripts not found above " + AppContext.BaseDirectory);
    }
}
