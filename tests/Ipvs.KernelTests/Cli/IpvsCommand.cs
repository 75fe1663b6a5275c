using System.Text;
using Ipvs.Cli;

namespace Ipvs.KernelTests.Cli;

/// <summary>What one `ipvs` command printed and returned.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the `ipvs` command in process (the same entry point as the binary, with captured
/// streams) against the real kernel, so a test can make many calls without a process start each.
/// </summary>
internal static class IpvsCommand
{
    public static async Task<CliRun> WithInputAsync(string? stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = new CliConsole(output, error, () => new MemoryStream(Encoding.UTF8.GetBytes(stdin ?? "")), false, false, false);
        int code = await CliApp.RunAsync(args, console, KernelAccess.Real);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    public static Task<CliRun> RunAsync(params string[] args) => WithInputAsync(null, args);

    /// <summary>Runs and fails the test unless it exits 0.</summary>
    public static async Task<CliRun> OkAsync(params string[] args)
    {
        var run = await WithInputAsync(null, args);
        Assert.True(run.ExitCode == 0, $"ipvs {string.Join(' ', args)} failed:\n{run}");
        return run;
    }
}
