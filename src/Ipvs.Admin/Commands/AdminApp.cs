using Ipvs.Admin.Formatting;
using Ipvs.Admin.Options;

namespace Ipvs.Admin.Commands;

/// <summary>main() and process_options(): open IPVS, parse, check, act.</summary>
internal static class AdminApp
{
    public static int Run(IReadOnlyList<string> argv, Terminal t, Func<Stream> stdin)
    {
        using var session = KernelSession.Open(t);
        if (argv.Count <= 1)
        {
            ListCommands.ListAll(session, t, ListFormat.None);
            return 0;
        }
        var ce = CommandLineParser.Parse(argv);
        switch (ce.Command)
        {
            case Command.Help:
                t.Out(UsageText.Usage(ce.Program));
                return 0;
            case Command.Version:
                t.Out(UsageText.Version);
                return 0;
            case Command.HelpIpvs:
                t.Out(UsageText.HelpIpvs(ce.Program));
                return 0;
        }
        OptionRules.Validate(ce);
        switch (ce.Command)
        {
            case Command.List:
            case Command.Save:
                ListCommands.Run(session, t, ce);
                return 0;
            case Command.Restore:
                return RestoreCommand.Run(session, t, ce, stdin);
            default:
                return ChangeCommands.Run(session, t, ce);
        }
    }
}
