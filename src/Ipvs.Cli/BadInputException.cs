namespace Ipvs.Cli;

/// <summary>
/// Input (a file, a value) that cannot be used; each message names its place. The command
/// exits with status 2 and nothing reaches the kernel.
/// </summary>
internal sealed class BadInputException : Exception
{
    public BadInputException(string message)
        : this([message])
    {
    }

    public BadInputException(IReadOnlyList<string> messages)
        : base(string.Join('\n', messages))
    {
        Messages = messages;
    }

    public IReadOnlyList<string> Messages { get; }
}

/// <summary>Exception messages as a user should read them.</summary>
internal static class ErrorText
{
    /// <summary>
    /// The message without .NET's " (Parameter 'x')" and "Actual value was" tails, which name
    /// code, not input.
    /// </summary>
    public static string Plain(Exception e)
    {
        string m = e.Message;
        if (e is ArgumentException { ParamName: { } name })
        {
            int cut = m.IndexOf($" (Parameter '{name}')", StringComparison.Ordinal);
            if (cut >= 0)
            {
                m = m[..cut];
            }
        }
        return m;
    }
}
