using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Text;

namespace Ipvs.Cli.Help;

/// <summary>
/// `--help` as a man page: NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXIT STATUS, EXAMPLES, for
/// the root and for every command, written from the command tree itself (so an option's help
/// cannot drift from the option) plus the prose in <see cref="ManText"/>.
/// </summary>
internal static class ManPage
{
    public static void Install(RootCommand root, CliConsole console)
    {
        foreach (var option in root.Options)
        {
            if (option is HelpOption help)
            {
                help.Action = new ManHelpAction(console);
            }
        }
    }

    public static string Render(Command command)
    {
        var path = new List<string>();
        for (Command? c = command; c is not null; c = Parent(c))
        {
            path.Insert(0, c is RootCommand ? "ipvs" : c.Name);
        }
        string name = string.Join(' ', path);
        var text = ManText.For(command is RootCommand ? "ipvs" : command.Name);
        var sb = new StringBuilder();
        sb.Append("NAME\n");
        Wrap(sb, $"{name} - {command.Description}", 4);
        sb.Append('\n');
        sb.Append("SYNOPSIS\n    ").Append(Synopsis(name, command)).Append("\n\n");
        if (text.Description.Length > 0)
        {
            sb.Append("DESCRIPTION\n");
            foreach (var paragraph in text.Description)
            {
                Wrap(sb, paragraph, 4);
                sb.Append('\n');
            }
        }
        if (command.Subcommands.Count > 0)
        {
            sb.Append("COMMANDS\n");
            foreach (var sub in command.Subcommands)
            {
                sb.Append("    ").Append(sub.Name).Append('\n');
                Wrap(sb, sub.Description ?? "", 8);
            }
            sb.Append('\n');
        }
        var arguments = command.Arguments.Where(a => !a.Hidden).ToList();
        if (arguments.Count > 0)
        {
            sb.Append("ARGUMENTS\n");
            foreach (var a in arguments)
            {
                sb.Append("    ").Append(a.Name).Append('\n');
                Wrap(sb, a.Description ?? "", 8);
            }
            sb.Append('\n');
        }
        sb.Append("OPTIONS\n");
        foreach (var o in Options(command))
        {
            // Only the dash forms: System.CommandLine's help option also answers to /h and -?.
            var names = o.Aliases.Append(o.Name).Distinct().Where(a => a.StartsWith('-') && a != "-?")
                .OrderBy(a => a.StartsWith("--", StringComparison.Ordinal)).ThenBy(a => a, StringComparer.Ordinal);
            sb.Append("    ").Append(string.Join(", ", names));
            if (o.ValueType != typeof(bool) && o is not HelpOption && o is not VersionOption)
            {
                sb.Append(' ').Append(o.HelpName ?? o.Name.TrimStart('-').ToUpperInvariant());
            }
            sb.Append('\n');
            Wrap(sb, o.Description ?? "", 8);
        }
        sb.Append('\n');
        sb.Append("EXIT STATUS\n");
        foreach (var (code, meaning) in text.ExitStatus)
        {
            sb.Append("    ").Append(code).Append('\n');
            Wrap(sb, meaning, 8);
        }
        sb.Append('\n');
        if (text.Examples.Length > 0)
        {
            sb.Append("EXAMPLES\n");
            foreach (var (line, meaning) in text.Examples)
            {
                Wrap(sb, meaning, 4);
                sb.Append("        ").Append(line).Append("\n\n");
            }
        }
        sb.Append("SEE ALSO\n    ").Append(string.Join(", ", text.SeeAlso)).Append('\n');
        return sb.ToString();
    }

    private static Command? Parent(Command c) => c.Parents.OfType<Command>().FirstOrDefault();

    // The command's own options, then the recursive ones of its ancestors (--netns, --help).
    private static IEnumerable<Option> Options(Command command)
    {
        var seen = new HashSet<Option>();
        for (Command? c = command; c is not null; c = Parent(c))
        {
            foreach (var o in c.Options)
            {
                if (!o.Hidden && (c == command || o.Recursive) && seen.Add(o))
                {
                    yield return o;
                }
            }
        }
    }

    private static string Synopsis(string name, Command command)
    {
        var parts = new List<string> { name };
        if (command.Subcommands.Count > 0)
        {
            parts.Add("COMMAND");
        }
        parts.Add("[OPTIONS]");
        foreach (var a in command.Arguments.Where(a => !a.Hidden))
        {
            parts.Add(a.Arity.MinimumNumberOfValues == 0 ? $"[-- {a.Name}...]" : a.Name);
        }
        return string.Join(' ', parts);
    }

    private static void Wrap(StringBuilder sb, string text, int indent, int width = 78)
    {
        int column = 0;
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (column > indent && column + 1 + word.Length > width)
            {
                sb.Append('\n');
                column = 0;
            }
            if (column == 0)
            {
                sb.Append(' ', indent);
                column = indent;
            }
            else
            {
                sb.Append(' ');
                column++;
            }
            sb.Append(word);
            column += word.Length;
        }
        if (column > 0)
        {
            sb.Append('\n');
        }
    }

    internal sealed class ManHelpAction(CliConsole console) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            console.Out.Write(Render(parseResult.CommandResult.Command));
            return ExitCodes.Ok;
        }
    }
}
