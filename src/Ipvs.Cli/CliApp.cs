using System.CommandLine;
using Ipvs.Cli.Commands;
using Ipvs.Cli.Help;
using Ipvs.Netlink;

namespace Ipvs.Cli;

/// <summary>The `ipvs` command tree, and how its errors become exit statuses.</summary>
internal static class CliApp
{
    /// <summary>--netns NAME|PATH, accepted by every command.</summary>
    public static readonly Option<string?> NetnsOption = new("--netns")
    {
        Description = "Work in this network namespace: a name from `ip netns` (/run/netns/NAME) or a path such as /proc/PID/ns/net.",
        HelpName = "NAME|PATH",
        Recursive = true,
    };

    public static RootCommand Build(CliConsole console, KernelAccess kernel)
    {
        var root = new RootCommand("Manage Linux IPVS (the kernel's layer-4 load balancer) tables: list, save, restore, watch, try in a lab.");
        root.Options.Add(NetnsOption);
        root.Subcommands.Add(ListCommand.Create(console, kernel));
        root.Subcommands.Add(SaveCommand.Create(console, kernel));
        root.Subcommands.Add(RestoreCommand.Create(console, kernel));
        root.Subcommands.Add(TopCommand.Create(console, kernel));
        root.Subcommands.Add(ConfigCommands.Check(console));
        root.Subcommands.Add(ConfigCommands.Plan(console, kernel));
        root.Subcommands.Add(ConfigCommands.Apply(console, kernel));
        root.Subcommands.Add(ConfigCommands.Convert(console));
        root.Subcommands.Add(ConfigCommands.Script(console, kernel));
        root.Subcommands.Add(RunCommand.Run(console));
        root.Subcommands.Add(RunCommand.Status(console));
        root.Subcommands.Add(LabCommand.Create(console));
        ManPage.Install(root, console);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliConsole console, KernelAccess kernel, CancellationToken cancellationToken = default)
    {
        var root = Build(console, kernel);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not ManPage.ManHelpAction)
        {
            // One line per problem and a pointer to the page, rather than the whole page.
            foreach (var error in parse.Errors)
            {
                console.Error(error.Message.Replace("\n", " ", StringComparison.Ordinal).Replace("\t", "", StringComparison.Ordinal));
            }
            string name = parse.CommandResult.Command is RootCommand ? "ipvs" : "ipvs " + parse.CommandResult.Command.Name;
            console.Err.WriteLine($"Try '{name} --help' for more information.");
            return ExitCodes.Failure;
        }
        var config = new InvocationConfiguration { Output = console.Out, Error = console.Err, EnableDefaultExceptionHandler = false };
        return await parse.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a command's body and turns failures into the documented statuses: 2 for bad input
    /// (nothing applied), 1 for the kernel's refusals, 130 when interrupted.
    /// </summary>
    public static async Task<int> Guard(CliConsole console, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (BadInputException e)
        {
            console.Error(e.Message);
            return ExitCodes.BadInput;
        }
        catch (ArgumentException e)
        {
            // The library refuses malformed values before sending anything.
            console.Error(ErrorText.Plain(e));
            return ExitCodes.BadInput;
        }
        catch (IpvsNotSupportedException e)
        {
            console.Error(e.Message);
            return ExitCodes.Failure;
        }
        catch (NetlinkException e)
        {
            console.Error(e.Message);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Interrupted;
        }
    }
}
