using System.Text;

namespace Ipvs.Checks.Probes;

/// <summary>
/// SMTP_CHECK: connects, expects the 220 greeting, says HELO and expects 250, then says QUIT and
/// reads the reply without judging it (keepalived reads it too; a server that just closes passes).
/// Multi-line replies (<c>250-…</c> up to <c>250 …</c>) are read whole. Each reply may take the read timeout.
/// </summary>
internal static class SmtpProbe
{
    private static readonly Lazy<string> HostName = new(Dns.GetHostName);
    private static readonly ReadOnlyMemory<byte> Quit = "QUIT\r\n"u8.ToArray();

    public static async ValueTask<Outcome> RunAsync(SmtpCheck check, CheckTarget target, CancellationToken cancellationToken)
    {
        using var timeout = new AttemptTimeout(cancellationToken);
        using var socket = Sockets.Open(target.Endpoint, SocketType.Stream, ProtocolType.Tcp, check.BindAddress);
        await Sockets.ConnectAsync(socket, target.Endpoint, check.ConnectTimeout!.Value, timeout).ConfigureAwait(false);
        using var stream = new NetworkStream(socket, ownsSocket: false);
        var reader = new ReplyReader(stream);
        var limit = check.ReadTimeout!.Value;
        try
        {
            timeout.Start(limit);
            var greeting = await reader.ReadAsync(timeout.Token).ConfigureAwait(false);
            if (greeting.Code != 220)
            {
                return Outcome.Fail($"greeting {greeting}, not 220");
            }
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HELO {check.HeloName ?? HostName.Value}\r\n"), timeout.Token).ConfigureAwait(false);
            timeout.Start(limit);
            var helo = await reader.ReadAsync(timeout.Token).ConfigureAwait(false);
            if (helo.Code != 250)
            {
                return Outcome.Fail($"HELO answered {helo}, not 250");
            }
            await stream.WriteAsync(Quit, timeout.Token).ConfigureAwait(false);
            timeout.Start(limit);
            await reader.ReadAsync(timeout.Token, endOfStreamIsReply: true).ConfigureAwait(false);
            return Outcome.Pass;
        }
        catch (OperationCanceledException) when (timeout.Expired)
        {
            return Outcome.Fail($"timeout after {Words.Seconds(limit)} reading the reply");
        }
        catch (IOException e)
        {
            return Outcome.Fail($"read: {Words.Lower(e.InnerException?.Message ?? e.Message)}");
        }
    }

    /// <summary>An SMTP reply: its code and its last line's text.</summary>
    private readonly record struct Reply(int Code, string Text)
    {
        public override string ToString() => Text.Length == 0 ? Code.ToString(CultureInfo.InvariantCulture) : $"'{Text}'";
    }

    /// <summary>Reads CRLF-terminated reply lines, a few hundred bytes at a time, bounded.</summary>
    private sealed class ReplyReader(Stream stream)
    {
        private const int MaxLine = 1024;
        private const int MaxLines = 64;
        private readonly byte[] _buffer = new byte[MaxLine];
        private int _start;
        private int _end;

        public async ValueTask<Reply> ReadAsync(CancellationToken cancellationToken, bool endOfStreamIsReply = false)
        {
            for (int lines = 0; lines < MaxLines; lines++)
            {
                var line = await LineAsync(cancellationToken).ConfigureAwait(false);
                if (line is null)
                {
                    return endOfStreamIsReply ? new Reply(0, "") : throw new ProbeFailure("the server closed the connection");
                }
                if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out int code))
                {
                    throw new ProbeFailure($"'{Shorten(line)}' is not an SMTP reply");
                }
                // "250-text" continues the reply; "250 text" or "250" ends it.
                if (line.Length == 3 || line[3] != '-')
                {
                    return new Reply(code, Shorten(line));
                }
            }
            throw new ProbeFailure($"a reply of more than {MaxLines} lines");
        }

        private async ValueTask<string?> LineAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    int length = newline - _start;
                    if (length > 0 && _buffer[newline - 1] == '\r')
                    {
                        length--;
                    }
                    var line = Encoding.ASCII.GetString(_buffer, _start, length);
                    _start = newline + 1;
                    return line;
                }
                if (_start > 0)
                {
                    Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }
                if (_end == _buffer.Length)
                {
                    throw new ProbeFailure($"a reply line longer than {MaxLine} bytes");
                }
                int read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return null;
                }
                _end += read;
            }
        }

        private static string Shorten(string line) => line.Length <= 80 ? line : line[..80] + "…";
    }
}
