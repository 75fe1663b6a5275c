namespace Ipvs.Desired;

/// <summary>
/// The library's own checks of an operation (<see cref="IpvsOperation.Validate"/>: family and
/// forwarding, thresholds, tunnel settings, timeouts, kernel features), so that validation here
/// reports exactly what <see cref="IIpvsClient.ExecuteAsync"/> would refuse, in the library's words,
/// without a second copy of the rules.
/// </summary>
internal static class LibraryChecks
{
    /// <summary>Every feature the library checks for (GRE and tunnel flags are the newest, Linux 5.3).</summary>
    public static readonly KernelCapabilities AllFeatures = new(KernelCapabilities.TunnelFlagsVersion);

    /// <summary>The library's objection to the operation, or null when it would send it.</summary>
    public static Exception? Check(IpvsOperation operation, KernelCapabilities capabilities)
    {
        try
        {
            operation.Validate(capabilities);
            return null;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return e;
        }
    }

    /// <summary>
    /// An exception's message without .NET's " (Parameter 'x')" and "Actual value was …" additions:
    /// the library's messages already name the value.
    /// </summary>
    public static string Message(Exception e)
    {
        var text = e.Message;
        int newline = text.IndexOf('\n', StringComparison.Ordinal);
        if (newline >= 0)
        {
            text = text[..newline].TrimEnd('\r');
        }
        if (e is ArgumentException { ParamName: { } p })
        {
            var suffix = $" (Parameter '{p}')";
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                text = text[..^suffix.Length];
            }
        }
        return text;
    }
}
