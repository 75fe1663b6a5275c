namespace Ipvs.Cli;

/// <summary>
/// The process's standard streams as the commands see them, so tests can run a command in
/// process and read what it printed.
/// </summary>
internal sealed class CliConsole(TextWriter output, TextWriter error, Func<Stream> input, bool outputIsTerminal, bool errorIsTerminal, bool inputIsTerminal)
{
    public TextWriter Out { get; } = output;

    public TextWriter Err { get; } = error;

    public Func<Stream> OpenInput { get; } = input;

    public bool OutputIsTerminal { get; } = outputIsTerminal;

    public bool ErrorIsTerminal { get; } = errorIsTerminal;

    public bool InputIsTerminal { get; } = inputIsTerminal;

    public static CliConsole Standard() => new(
        Console.Out, Console.Error, Console.OpenStandardInput,
        !Console.IsOutputRedirected, !Console.IsErrorRedirected, !Console.IsInputRedirected);

    /// <summary>Prints an error the way every ipvs error looks: "ipvs: " and one line per problem.</summary>
    public void Error(string message)
    {
        foreach (var line in message.Split('\n'))
        {
            Err.WriteLine("ipvs: " + line);
        }
    }
}

/// <summary>The exit statuses of every ipvs command.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>The kernel refused, or the command line was wrong (unknown option, missing argument).</summary>
    public const int Failure = 1;

    /// <summary>Bad input: a file or value that cannot be used. Nothing was applied.</summary>
    public const int BadInput = 2;

    /// <summary>Interrupted (SIGINT).</summary>
    public const int Interrupted = 130;
}
