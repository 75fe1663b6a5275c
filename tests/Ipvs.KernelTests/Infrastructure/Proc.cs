using System.Diagnostics;
using System.Text;

namespace Ipvs.KernelTests.Infrastructure;

/// <summary>The outcome of one child process.</summary>
internal sealed record ProcResult(string CommandLine, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Standard output split into lines, without the final empty one.</summary>
    public string[] Lines => SplitLines(Stdout);

    /// <summary>Standard error split into lines.</summary>
    public string[] ErrorLines => SplitLines(Stderr);

    /// <summary>Fails the test unless the process exited with 0.</summary>
    public ProcResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            Assert.Fail($"`{CommandLine}` exited with {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}");
        }
        return this;
    }

    private static string[] SplitLines(string text)
    {
        var lines = text.Split('\n');
        return text.EndsWith('\n') ? lines[..^1] : (text.Length == 0 ? [] : lines);
    }
}

/// <summary>Runs programs with captured output, a time limit, and no proxy settings.</summary>
internal static class Proc
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    public static async Task<ProcResult> RunAsync(string file, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var v in new[] { "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY" })
        {
            psi.Environment.Remove(v);
        }
        string commandLine = file + " " + string.Join(' ', psi.ArgumentList.Select(Quote));
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {commandLine}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null)
            {
                await p.StandardInput.WriteAsync(stdin);
            }
            p.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program did not read its input; its exit status tells the rest.
        }
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{commandLine}` did not finish within {(timeout ?? DefaultTimeout).TotalSeconds} s");
        }
        return new ProcResult(commandLine, p.ExitCode, await stdout, await stderr);
    }

    public static Task<ProcResult> RunAsync(string file, params string[] args) => RunAsync(file, (IEnumerable<string>)args);

    /// <summary>Runs a bash script (with arguments as $1…), from the repository root.</summary>
    public static Task<ProcResult> BashAsync(string script, params string[] args) =>
        RunAsync("bash", ["-c", $"cd {Quote(KernelLab.RepoRoot)} && {{\n{script}\n}}", "bash", .. args]);

    public static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,[]@+%".Contains(c, StringComparison.Ordinal))
            ? s
            : "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
