using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using RoslynScriptOptions = Microsoft.CodeAnalysis.Scripting.ScriptOptions;

namespace Ipvs.Scripting;

/// <summary>
/// Compiles a .csx file with Roslyn: the namespaces scripts get without a using, the assemblies
/// they may use, <c>#load</c> relative to the loading file, and debug information so stack frames
/// carry lines and columns (<see cref="ScriptSites"/>). A whole file compiles before any of it runs.
/// </summary>
internal static class ScriptCompiler
{
    /// <summary>The namespaces a script sees without a using directive.</summary>
    public static readonly ImmutableArray<string> Imports =
    [
        "System",
        "System.Collections.Generic",
        "System.IO",
        "System.Linq",
        "System.Net",
        "System.Text",
        "System.Threading",
        "System.Threading.Tasks",
        "Ipvs",
        "Ipvs.Model",
        "Ipvs.Desired",
        "Ipvs.Scripting",
    ];

    private static readonly Type[] ReferencedTypes =
    [
        typeof(object),
        typeof(Enumerable),
        typeof(List<>),
        typeof(Console),
        typeof(IPAddress),
        typeof(Socket),
        typeof(ImmutableArray),
        typeof(System.Text.RegularExpressions.Regex),
        typeof(System.Net.Http.HttpClient),
        typeof(System.Diagnostics.Process),
        typeof(IIpvsClient),
        typeof(DesiredState),
        typeof(ScriptGlobals),
    ];

    /// <summary>Reads and compiles the file; the script is null when there is an error.</summary>
    public static async Task<(Script<object>? Script, List<ScriptDiagnostic> Diagnostics)> CompileAsync(ScriptFiles files, CancellationToken cancellationToken)
    {
        var diagnostics = new List<ScriptDiagnostic>();
        string code;
        try
        {
            code = await File.ReadAllTextAsync(files.FullPath, Encoding.UTF8, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(ScriptDiagnostic.Error("io", $"cannot read the script: {e.Message}", new SourceLocation(files.DisplayPath, 0)));
            return (null, diagnostics);
        }

        var directory = Path.GetDirectoryName(files.FullPath)!;
        var options = RoslynScriptOptions.Default
            .WithFilePath(files.FullPath)
            .WithFileEncoding(Encoding.UTF8)
            .WithSourceResolver(new SourceFileResolver([], directory))
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(directory))
            .AddReferences(ReferencedTypes.Select(t => t.Assembly).Distinct())
            .WithImports(Imports)
            .WithEmitDebugInformation(true)
            .WithOptimizationLevel(OptimizationLevel.Debug)
            .WithAllowUnsafe(false);

        // Roslyn's compilation is synchronous and CPU-bound (a second or more on first use).
        var script = CSharpScript.Create<object>(code, options, typeof(ScriptGlobals));
        var found = await Task.Run(() => script.Compile(cancellationToken), cancellationToken).ConfigureAwait(false);
        files.AddRange(script.GetCompilation().SyntaxTrees.Select(t => t.FilePath));
        foreach (var d in found)
        {
            if (d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning && !d.IsSuppressed)
            {
                diagnostics.Add(Convert(d, files));
            }
        }
        return (diagnostics.Any(d => d.IsError) ? null : script, diagnostics);
    }

    private static ScriptDiagnostic Convert(Diagnostic d, ScriptFiles files)
    {
        SourceLocation? at = null;
        if (d.Location.IsInSource)
        {
            var span = d.Location.GetMappedLineSpan();
            var path = string.IsNullOrEmpty(span.Path) ? files.FullPath : span.Path;
            at = new SourceLocation(files.Display(path), span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1);
        }
        var severity = d.Severity == DiagnosticSeverity.Error ? ProblemSeverity.Error : ProblemSeverity.Warning;
        return new ScriptDiagnostic(severity, d.Id, d.GetMessage(CultureInfo.InvariantCulture)) { Location = at };
    }
}
