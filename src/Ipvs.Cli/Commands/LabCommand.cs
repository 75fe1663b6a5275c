using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace Ipvs.Cli.Commands;

/// <summary>
/// ipvs lab: boots the kernel lab (user-mode Linux 6.1 with IPVS, run as an ordinary process on
/// this machine's files) and runs a command there, or an interactive shell. The lab scripts
/// ship with the tool; lab/run installs user-mode-linux and the oracles on first use.
/// </summary>
internal static class LabCommand
{
    public static Command Create(CliConsole console)
    {
        var cpu = new Option<int?>("--cpu") { Description = "Pin the lab to this host CPU (steadier timings).", HelpName = "N" };
        var mem = new Option<string?>("--mem") { Description = "Guest memory, like 512M or 2G (default 2G).", HelpName = "SIZE" };
        var timeout = new Option<int?>("--timeout") { Description = "Stop the lab after this many seconds (exit 124).", HelpName = "SECONDS" };
        var command = new Argument<string[]>("COMMAND")
        {
            Description = "The command to run in the lab, after --; an interactive shell when none is given.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var lab = new Command("lab", "Run a command, or a shell, on a real IPVS kernel (the kernel lab), without root or IPVS on this machine.")
        {
            cpu, mem, timeout, command,
        };
        lab.SetAction((parse, ct) => CliApp.Guard(console, async () =>
        {
            string script = FindLabRun() ?? throw new BadInputException(
                "the lab scripts (lab/run) are not here: set IPVS_LAB_DIR to a checkout's lab/ directory, or run from inside a checkout");
            var args = new List<string> { script };
            if (parse.GetValue(cpu) is int c)
            {
                args.AddRange(["--cpu", c.ToString(CultureInfo.InvariantCulture)]);
            }
            if (parse.GetValue(mem) is string m)
            {
                args.AddRange(["--mem", m]);
            }
            if (parse.GetValue(timeout) is int t)
            {
                args.AddRange(["--timeout", t.ToString(CultureInfo.InvariantCulture)]);
            }
            var cmd = parse.GetValue(command) ?? [];
            if (cmd.Length == 0)
            {
                if (!console.InputIsTerminal || !console.OutputIsTerminal)
                {
                    throw new BadInputException("ipvs lab without a command starts a shell and needs a terminal; give a command after --");
                }
                args.Add("--interactive");
                cmd = ["bash", "-i"];
            }
            args.Add("--");
            args.AddRange(InNamespace(parse.GetValue(CliApp.NetnsOption), WithIpvsOnPath(cmd)));
            return await RunAsync(args, ct).ConfigureAwait(false);
        }));
        return lab;
    }

    /// <summary>IPVS_LAB_DIR, the lab shipped beside the tool, or lab/ in a checkout above the current directory.</summary>
    internal static string? FindLabRun()
    {
        if (Environment.GetEnvironmentVariable("IPVS_LAB_DIR") is { Length: > 0 } dir)
        {
            return File.Exists(Path.Combine(dir, "run")) ? Path.Combine(dir, "run") : null;
        }
        string shipped = Path.Combine(AppContext.BaseDirectory, "lab", "run");
        if (File.Exists(shipped))
        {
            return shipped;
        }
        for (var d = new DirectoryInfo(Environment.CurrentDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "lab", "run");
            if (File.Exists(candidate) && File.Exists(Path.Combine(d.FullName, "lab", "netns.sh")))
            {
                return candidate;
            }
        }
        return null;
    }

    // This ipvs goes last on the guest's PATH: `ipvs` works in the lab, and nothing of the
    // host's (the real ipvsadm, say) is shadowed.
    private static string[] WithIpvsOnPath(string[] cmd)
    {
        string? dir = Path.GetDirectoryName(Environment.ProcessPath);
        if (dir is null || !File.Exists(Path.Combine(dir, "ipvs")))
        {
            dir = AppContext.BaseDirectory.TrimEnd('/');
        }
        return ["env", $"PATH={Environment.GetEnvironmentVariable("PATH")}:{dir}", .. cmd];
    }

    // --netns on lab: the command runs in that namespace of the lab, made (with lo up) if new.
    private static string[] InNamespace(string? netns, string[] cmd)
    {
        if (string.IsNullOrEmpty(netns))
        {
            return cmd;
        }
        if (netns.Contains('/', StringComparison.Ordinal))
        {
            return ["nsenter", "--net=" + netns, "--", .. cmd];
        }
        return ["bash", "-c", "ip netns add \"$1\" 2>/dev/null && ip -n \"$1\" link set lo up; shift; exec ip netns exec \"$0\" \"$@\"", netns, netns, .. cmd];
    }

    private static async Task<int> RunAsync(List<string> args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("bash") { UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start bash");
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // lab/run stops the lab on SIGTERM; let it, then report the interruption.
            process.Kill(entireProcessTree: false);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }
        return process.ExitCode;
    }
}
