namespace Ipvs.Checks.Probes;

/// <summary>The few words of failure messages, kept alike across probers.</summary>
internal static class Words
{
    /// <summary><c>2 s</c>, <c>0.5 s</c>.</summary>
    public static string Seconds(TimeSpan span) =>
        span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    /// <summary>A socket error as a few lower-case words (strerror's, for the rarer ones).</summary>
    public static string Socket(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.ConnectionReset => "connection reset",
        SocketError.ConnectionAborted or SocketError.Shutdown => "connection aborted",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.NetworkDown => "network down",
        SocketError.TimedOut => "timed out",
        SocketError.AddressNotAvailable => "address not available",
        SocketError.AddressAlreadyInUse => "address in use",
        SocketError.AccessDenied => "permission denied",
        _ => Lower(e.Message),
    };

    /// <summary>An errno of a socket call as the same few words as <see cref="Socket(SocketException)"/>.</summary>
    public static string Errno(int errno) => errno switch
    {
        111 => "connection refused",
        104 => "connection reset",
        103 => "connection aborted",
        113 => "host unreachable",
        101 => "network unreachable",
        100 => "network down",
        110 => "timed out",
        99 => "address not available",
        98 => "address in use",
        1 or 13 => "permission denied",
        _ => Lower(Reactor.Libc.Message(errno)),
    };

    /// <summary>The message with its first letter lowered, as messages here are fragments.</summary>
    public static string Lower(string message) =>
        message.Length > 1 && char.IsUpper(message[0]) && !char.IsUpper(message[1])
            ? char.ToLowerInvariant(message[0]) + message[1..]
            : message;

    /// <summary>Up to <paramref name="max"/> bytes as hex (<c>0a ff …</c>), for reply mismatches.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes, int max = 16)
    {
        var shown = bytes.Length > max ? bytes[..max] : bytes;
        var text = Convert.ToHexStringLower(shown);
        var spaced = new System.Text.StringBuilder(text.Length + text.Length / 2 + 2);
        for (int i = 0; i < text.Length; i += 2)
        {
            if (i > 0)
            {
                spaced.Append(' ');
            }
            spaced.Append(text, i, 2);
        }
        if (bytes.Length > max)
        {
            spaced.Append(" …");
        }
        return spaced.Length == 0 ? "(empty)" : spaced.ToString();
    }
}
