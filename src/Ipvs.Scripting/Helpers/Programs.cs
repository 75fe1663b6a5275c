using System.Diagnostics;
using System.Text;

namespace Ipvs.Scripting;

/// <summary>What <c>Run</c> or <c>Sh</c> gave back.</summary>
/// <param name="ExitCode">The exit status (128 + signal when killed).</param>
/// <param name="Output">Everything written to standard output.</param>
/// <param name="Error">Everything written to standard error.</param>
/// <param name="TimedOut">True when it ran past its timeout and was killed with its whole process tree.</param>
public sealed record RunResult(int ExitCode, string Output, string Error, bool TimedOut)
{
    /// <summary>True when it exited with 0 in time.</summary>
    public bool Ok => ExitCode == 0 && !TimedOut;
}

/// <summary>Programs run from scripts: no shell unless asked for, a timeout, output captured.</summary>
internal static class Programs
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    // Output still open after the process tree is gone can only belong to something that escaped it
    // (a daemon that called setsid); do not wait for that forever.
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(2);

    public static async Task<RunResult> RunAsync(string command, IEnumerable<string>? arguments, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var ns = ScriptContext.Current?.NetworkNamespace;
        var psi = new ProcessStartInfo(ns is null ? command : "nsenter")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (ns is not null)
        {
            // nsenter switches only the network namespace; the program sees the same files and users.
            psi.ArgumentList.Add("--net=" + NetworkNamespaces.PathOf(ns));
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(command);
        }
        foreach (var a in arguments ?? [])
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Cannot start {command}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout ?? DefaultTimeout);
        bool timedOut = false;
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            timedOut = true;
        }
        return new RunResult(process.ExitCode, await Drain(stdout).ConfigureAwait(false), await Drain(stderr).ConfigureAwait(false), timedOut);
    }

    private static async Task<string> Drain(Task<string> read) =>
        await Task.WhenAny(read, Task.Delay(DrainLimit)).ConfigureAwait(false) == read ? await read.ConfigureAwait(false) : "";
}
