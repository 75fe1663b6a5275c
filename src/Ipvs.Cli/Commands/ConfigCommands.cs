using System.CommandLine;
using Ipvs.Cli.Config;
using Ipvs.Desired;

namespace Ipvs.Cli.Commands;

/// <summary>
/// ipvs check, plan and apply: a configuration (a C# script, a keepalived.conf, or a saved
/// table) is read and validated whole; plan compares it with the kernel and shows the minimal
/// changes; apply makes them. The services the configuration declares are the ones managed:
/// others are left alone unless --prune.
/// </summary>
internal static class ConfigCommands
{
    private static Argument<string> ConfigArgument() => new("CONFIG")
    {
        Description = "The configuration: a C# script (.csx), a keepalived.conf, or a table saved by `ipvs save` (ipvsadm rules or JSON).",
    };

    private static Option<string> FormatOption() => CommonOptions.OneOf(new Option<string>("--format", "-f")
    {
        Description = "The configuration's kind: auto (by extension, then by its first word), csx, keepalived, ipvsadm or json.",
        HelpName = "auto|csx|keepalived|ipvsadm|json",
        DefaultValueFactory = _ => "auto",
    }, "auto", "csx", "keepalived", "ipvsadm", "json");

    private static Argument<string[]> ScriptArgs() => new("ARGS")
    {
        Description = "Arguments for a C# script (its Args), after --.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static Option<bool> PruneOption() => new("--prune")
    {
        Description = "Also delete services the configuration does not declare (by default they are left alone).",
    };

    private static readonly Option<bool> Lenient = new("--lenient")
    {
        Description = "keepalived.conf: accept what keepalived accepts (unknown keywords, stray braces, …), each as a warning, and read it the way keepalived does.",
    };

    private static Task<LoadedConfig> Load(ParseResult parse, Argument<string> config, Option<string> format, Argument<string[]> args, CliConsole console, CancellationToken ct)
    {
        var kind = Enum.Parse<ConfigFormat>(parse.GetValue(format)!, ignoreCase: true);
        return LoadAndWarn(parse.GetValue(config)!, kind, parse.GetValue(args) ?? [], parse.GetValue(Lenient), console, ct);
    }

    private static async Task<LoadedConfig> LoadAndWarn(string path, ConfigFormat kind, string[] args, bool lenient, CliConsole console, CancellationToken ct)
    {
        var loaded = await ConfigLoader.LoadAsync(path, kind, args, lenient, console.Err, ct).ConfigureAwait(false);
        foreach (var w in loaded.Warnings)
        {
            console.Error(w);
        }
        return loaded;
    }

    public static Command Check(CliConsole console)
    {
        var config = ConfigArgument();
        var format = FormatOption();
        var args = ScriptArgs();
        var command = new Command("check", "Validate a configuration whole, without touching the kernel.") { config, format, Lenient, args };
        command.SetAction((parse, ct) => CliApp.Guard(console, async () =>
        {
            var loaded = await Load(parse, config, format, args, console, ct).ConfigureAwait(false);
            var s = loaded.State;
            console.Out.WriteLine($"{parse.GetValue(config)}: valid ({loaded.Format.ToString().ToLowerInvariant()}): " +
                $"{s.Services.Length} service(s), {s.Services.Sum(x => x.Destinations.Length)} destination(s), " +
                $"{s.Services.Sum(x => x.Destinations.Sum(d => d.Checks.Length))} health check(s)");
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command Plan(CliConsole console, KernelAccess kernel)
    {
        var config = ConfigArgument();
        var format = FormatOption();
        var args = ScriptArgs();
        var prune = PruneOption();
        var output = CommonOptions.Output("text", "text", "json");
        var command = new Command("plan", "Show the changes that would make the kernel's table match a configuration: + add, ~ change in place, - delete.")
        {
            config, format, Lenient, prune, output, args,
        };
        command.SetAction((parse, ct) => CliApp.Guard(console, async () =>
        {
            var loaded = await Load(parse, config, format, args, console, ct).ConfigureAwait(false);
            using var lease = kernel.Open(parse.GetValue(CliApp.NetnsOption));
            var plan = await Planner.PlanAsync(lease.Client, loaded.State, new PlanOptions { Prune = parse.GetValue(prune) }, ct).ConfigureAwait(false);
            console.Out.Write(parse.GetValue(output) == "json" ? PlanJson.Serialize(plan) : PlanText.Render(plan));
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command Apply(CliConsole console, KernelAccess kernel)
    {
        var config = ConfigArgument();
        var format = FormatOption();
        var args = ScriptArgs();
        var prune = PruneOption();
        var atomic = new Option<bool>("--atomic") { Description = "All or nothing: if the kernel refuses a change part-way, undo the changes already applied." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Apply without asking (needed when standard input is not a terminal)." };
        var output = CommonOptions.Output("text", "text", "json");
        var command = new Command("apply", "Make the kernel's table match a configuration with the minimal changes, after showing them.")
        {
            config, format, Lenient, prune, atomic, yes, output, args,
        };
        command.SetAction((parse, ct) => CliApp.Guard(console, async () =>
        {
            var loaded = await Load(parse, config, format, args, console, ct).ConfigureAwait(false);
            using var lease = kernel.Open(parse.GetValue(CliApp.NetnsOption));
            var plan = await Planner.PlanAsync(lease.Client, loaded.State, new PlanOptions { Prune = parse.GetValue(prune) }, ct).ConfigureAwait(false);
            bool json = parse.GetValue(output) == "json";
            if (plan.IsEmpty)
            {
                console.Out.Write(json ? PlanJson.Serialize(new ApplyReport([])) : PlanText.Render(plan));
                return ExitCodes.Ok;
            }
            if (!json)
            {
                console.Out.Write(PlanText.Render(plan));
            }
            if (!parse.GetValue(yes))
            {
                if (!console.InputIsTerminal)
                {
                    console.Error("not applied: give --yes to apply without a terminal to confirm on");
                    return ExitCodes.Failure;
                }
                console.Out.Write("Apply these changes? [y/N] ");
                console.Out.Flush();
                string? answer = Console.ReadLine();
                if (answer is null || !answer.Trim().StartsWith('y'))
                {
                    console.Out.WriteLine("Not applied.");
                    return ExitCodes.Ok;
                }
            }
            var report = await Applier.ApplyAsync(lease.Client, plan, new ApplyOptions { Atomic = parse.GetValue(atomic) }, ct).ConfigureAwait(false);
            console.Out.Write(json ? PlanJson.Serialize(report) : PlanText.Render(report));
            return report.Succeeded ? ExitCodes.Ok : ExitCodes.Failure;
        }));
        return command;
    }

    public static Command Convert(CliConsole console)
    {
        var config = ConfigArgument();
        var format = FormatOption();
        var args = ScriptArgs();
        var output = new Option<string?>("--output", "-o") { Description = "Write the script to this file instead of standard output.", HelpName = "FILE" };
        var command = new Command("convert", "Write a configuration (a keepalived.conf, say) as an equivalent C# script in the VirtualServer DSL.")
        {
            config, format, Lenient, output, args,
        };
        command.SetAction((parse, ct) => CliApp.Guard(console, async () =>
        {
            var loaded = await Load(parse, config, format, args, console, ct).ConfigureAwait(false);
            string script = DslWriter.Write(loaded.State, Path.GetFileName(parse.GetValue(config)!));
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file, script, ct).ConfigureAwait(false);
            }
            else
            {
                console.Out.Write(script);
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command Script(CliConsole console, KernelAccess kernel)
    {
        var file = new Argument<string>("FILE") { Description = "The C# script (.csx) to run." };
        var args = ScriptArgs();
        var command = new Command("script", "Run an imperative C# script against the kernel: live Service and Dest objects, health-check loops, helpers (Http.Get, Tcp.Connect, Run, Sleep).")
        {
            file, args,
        };
        command.SetAction((parse, ct) => CliApp.Guard(console, async () =>
        {
            string path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw new BadInputException($"{path}: no such file");
            }
            string? netns = parse.GetValue(CliApp.NetnsOption);
            using var lease = kernel.Open(netns);
            var result = await Ipvs.Scripting.ScriptEvaluator.RunAsync(path, parse.GetValue(args) ?? [], lease.Client,
                new Ipvs.Scripting.RunOptions { Log = console.Err, NetworkNamespace = netns }, ct).ConfigureAwait(false);
            foreach (var d in result.Diagnostics)
            {
                console.Error(d.ToString());
            }
            return result.ExitCode;
        }));
        return command;
    }
}
