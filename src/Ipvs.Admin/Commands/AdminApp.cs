using Ipvs.Admin.Formatting;
using Ipvs.Admin.Options;

namespace Ipvs.Admin.Commands;

/// <summary>main() and process_options(): open IPVS, parse, check, act.</summary>
internal static class AdminApp
{
    public static int Run(IReadOnlyList<string> argv, Terminal t, Func<Stream> stdin)
    {
        // Not disposed: the process ends right after, and exit closes the socket. Disposing would
        // hand the client's buffers back to the shared array pool for nothing, and the pool's
        // first returns set up its trimming and calibrate its processor-id cache (a weak table, a
        // seed read from /dev/urandom, ~40 clock reads: syscalls in the lab), about 1 ms.
        var session = KernelSession.Open(t);
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
