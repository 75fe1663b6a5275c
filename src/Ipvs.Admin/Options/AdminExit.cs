namespace Ipvs.Admin.Options;

/// <summary>
/// Ends the command the way ipvsadm's exit() paths do: <see cref="Stderr"/> (already complete,
/// newline included) goes to stderr and the process exits with <see cref="Code"/>. Parsing
/// throws it instead of printing so that -R can report a bad line instead of exiting.
/// </summary>
internal sealed class AdminExit : Exception
{
    public AdminExit(int code, string stderr, bool crash = false)
        : base(stderr)
    {
        Code = code;
        Stderr = stderr;
        Crash = crash;
    }

    public AdminExit()
        : this(255, "")
    {
    }

    public AdminExit(string message)
        : this(2, message + "\n")
    {
    }

    public AdminExit(string message, Exception inner)
        : base(message, inner)
    {
        Code = 2;
        Stderr = message + "\n";
    }

    /// <summary>The exit status: 2 for fail(), 255 for exit(-1), 1 for listing failures.</summary>
    public int Code { get; }

    /// <summary>What goes to stderr.</summary>
    public string Stderr { get; }

    /// <summary>ipvsadm itself dies of SIGSEGV here (an empty -b list).</summary>
    public bool Crash { get; }

    /// <summary>fail(err, msg): the message and a newline, exit status err.</summary>
    public static AdminExit Fail(int code, string message) => new(code, message + "\n");

    /// <summary>tryhelp_exit(program, -1).</summary>
    public static AdminExit TryHelp(string program) =>
        new(255, $"Try `{program} -h' or '{program} --help' for more information.\n");
}
