using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Ipvs.Checks.Probes.Http;

/// <summary>
/// Reads an HTTP/1.x reply fed in pieces as they arrive (any split, down to one byte at a time)
/// and decides the check as soon as it can: a status outside the accepted ranges, or any accepted
/// status when the check looks at no body, decides at the end of the head; a body check decides
/// when the body ends (Content-Length reached, the last chunk of a chunked body, or the end of the
/// connection for a body delimited by it). The head is bounded (64 KiB, as the HTTP client this
/// replaces); the kept body too (<see cref="CheckDefaults.MaxHttpBodyBytes"/>), a digest streams
/// over all of it. Only a head split across reads is copied (into a pooled buffer); the rest is
/// parsed where it was received. Dispose returns the buffers.
/// </summary>
internal sealed class HttpReplyParser : IDisposable
{
    public const int MaxHeadBytes = 64 * 1024;
    private const int MaxChunkLine = 4096;

    private readonly HttpCheck _check;
    private readonly int _maxBodyBytes;
    private byte[]? _head;
    private int _headLength;
    private Phase _phase = Phase.Head;
    private BodySink? _body;
    private long _remaining;
    private int _lineLength;
    private bool _sizeDigits;
    private bool _sizeDone;
    private bool _trailerLineEmpty = true;

    public HttpReplyParser(HttpCheck check, int maxBodyBytes)
    {
        _check = check;
        _maxBodyBytes = maxBodyBytes;
    }

    private enum Phase
    {
        Head,
        Length,
        UntilClose,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        Done,
    }

    /// <summary>The verdict, once known.</summary>
    public Outcome? Verdict { get; private set; }

    /// <summary>The status code, once the head is in (0 before).</summary>
    public int Status { get; private set; }

    /// <summary>True when every byte of the reply the server meant to send has been seen (so closing sends no RST).</summary>
    public bool Complete => _phase == Phase.Done;

    /// <summary>Takes the next bytes of the reply; true once <see cref="Verdict"/> is known.</summary>
    public bool Feed(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && Verdict is null)
        {
            if (_phase == Phase.Head)
            {
                data = FeedHead(data);
                continue;
            }
            data = FeedBody(data);
        }
        return Verdict is not null;
    }

    /// <summary>The connection ended (EOF): the verdict, deciding a close-delimited body.</summary>
    public Outcome Finish()
    {
        if (Verdict is { } known)
        {
            return known;
        }
        if (_phase == Phase.UntilClose)
        {
            _phase = Phase.Done;
            return Decide(JudgeBody());
        }
        return Decide(Outcome.Fail("the server closed the connection without a complete reply"));
    }

    private Outcome Decide(Outcome outcome)
    {
        Verdict = outcome;
        return outcome;
    }

    private ReadOnlySpan<byte> FeedHead(ReadOnlySpan<byte> data)
    {
        if (_headLength == 0)
        {
            int end = EndOfHead(data, 0);
            if (end >= 0)
            {
                if (end > MaxHeadBytes)
                {
                    Decide(Outcome.Fail("reply headers too large"));
                    return default;
                }
                ParseHead(data[..end]);
                return data[end..];
            }
        }
        // The head spans reads: gather it.
        int had = _headLength;
        int take = Math.Min(data.Length, MaxHeadBytes + 1 - _headLength);
        if (_head is null || _head.Length < _headLength + take)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(1024, Math.Min(MaxHeadBytes + 1, (_headLength + take) * 2)));
            if (_head is not null)
            {
                _head.AsSpan(0, _headLength).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(_head);
            }
            _head = grown;
        }
        data[..take].CopyTo(_head.AsSpan(_headLength));
        _headLength += take;
        int found = EndOfHead(_head.AsSpan(0, _headLength), Math.Max(0, had - 3));
        if (found < 0)
        {
            if (_headLength > MaxHeadBytes)
            {
                Decide(Outcome.Fail("reply headers too large"));
                return default;
            }
            return data[take..];
        }
        // What followed the head in this read is body.
        int bodyStart = take - (_headLength - found);
        ParseHead(_head.AsSpan(0, found));
        return data[bodyStart..];
    }

    /// <summary>The index just past the empty line that ends the head (CRLF or bare LF lines), or −1.</summary>
    private static int EndOfHead(ReadOnlySpan<byte> data, int from)
    {
        for (int i = data[from..].IndexOf((byte)'\n'); i >= 0;)
        {
            int at = from + i;
            if (at + 1 < data.Length && data[at + 1] == '\n')
            {
                return at + 2;
            }
            if (at + 2 < data.Length && data[at + 1] == '\r' && data[at + 2] == '\n')
            {
                return at + 3;
            }
            from = at + 1;
            i = data[from..].IndexOf((byte)'\n');
        }
        return -1;
    }

    private void ParseHead(ReadOnlySpan<byte> head)
    {
        int lineEnd = head.IndexOf((byte)'\n');
        var statusLine = TrimCr(head[..lineEnd]);
        if (!TryStatus(statusLine, out int status))
        {
            Decide(Outcome.Fail($"invalid HTTP reply: the status line is '{Printable(statusLine)}'"));
            return;
        }
        Status = status;
        long length = -1;
        bool chunked = false;
        var rest = head[(lineEnd + 1)..];
        while (!rest.IsEmpty)
        {
            int end = rest.IndexOf((byte)'\n');
            var line = TrimCr(end < 0 ? rest : rest[..end]);
            rest = end < 0 ? default : rest[(end + 1)..];
            int colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ').Trim((byte)'\t');
            if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long parsed, out int used) || used != value.Length || parsed < 0)
                {
                    Decide(Outcome.Fail($"invalid HTTP reply: Content-Length '{Printable(value)}'"));
                    return;
                }
                length = parsed;
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                // The last coding decides; chunked is the only one that delimits a body.
                int comma = value.LastIndexOf((byte)',');
                chunked = Ascii.EqualsIgnoreCase(value[(comma + 1)..].Trim((byte)' '), "chunked"u8);
            }
        }
        _headLength = 0;
        if (_head is not null)
        {
            ArrayPool<byte>.Shared.Return(_head);
            _head = null;
        }
        if (status is >= 100 and < 200 and not 101)
        {
            // An interim reply (103 Early Hints, an unasked 100 Continue): RFC 9110 15.2 has the
            // client read on to the final reply, which is the one judged. Still in the head phase.
            Status = 0;
            return;
        }
        if (!HttpVerdict.Accepts(_check.StatusCodes, status))
        {
            Decide(Outcome.Fail($"status {status} not in {HttpVerdict.Ranges(_check.StatusCodes)}"));
        }
        else if (_check.BodyDigest is null && _check.BodyRegex is null)
        {
            Decide(Outcome.Pass);
        }
        else
        {
            _body = new BodySink(_check.BodyDigest is not null, _check.BodyRegex is null ? 0 : _maxBodyBytes);
        }
        // Where the body ends, also when the verdict is already known: the caller reads to the end
        // of a small reply so that closing does not reset the connection.
        if (status is >= 100 and < 200 or 204 or 304)
        {
            _phase = Phase.Done;
        }
        else if (chunked)
        {
            _phase = Phase.ChunkSize;
        }
        else if (length >= 0)
        {
            _remaining = length;
            _phase = length == 0 ? Phase.Done : Phase.Length;
        }
        else
        {
            _phase = Phase.UntilClose;
        }
        if (_phase == Phase.Done && Verdict is null)
        {
            Decide(JudgeBody());
        }
    }

    private ReadOnlySpan<byte> FeedBody(ReadOnlySpan<byte> data)
    {
        switch (_phase)
        {
            case Phase.Length:
            {
                int take = (int)Math.Min(_remaining, data.Length);
                Body(data[..take]);
                _remaining -= take;
                if (_remaining == 0)
                {
                    _phase = Phase.Done;
                    Decide(JudgeBody());
                }
                return data[take..];
            }
            case Phase.UntilClose:
                Body(data);
                return default;
            case Phase.ChunkData:
            {
                int take = (int)Math.Min(_remaining, data.Length);
                Body(data[..take]);
                _remaining -= take;
                if (_remaining == 0)
                {
                    _phase = Phase.ChunkDataEnd;
                }
                return data[take..];
            }
            case Phase.ChunkDataEnd:
                // The CRLF after a chunk's data (a bare LF accepted).
                if (data[0] == '\r')
                {
                    return data[1..];
                }
                if (data[0] != '\n')
                {
                    return Invalid("no line end after a chunk");
                }
                _phase = Phase.ChunkSize;
                return data[1..];
            case Phase.ChunkSize:
                return ChunkSize(data);
            case Phase.Trailers:
                return Trailers(data);
            default:
                // Done: bytes after the end of the reply are ignored.
                return default;
        }
    }

    private ReadOnlySpan<byte> ChunkSize(ReadOnlySpan<byte> data)
    {
        int i = 0;
        for (; i < data.Length; i++)
        {
            byte b = data[i];
            if (++_lineLength > MaxChunkLine)
            {
                return Invalid("a chunk size line is too long");
            }
            if (b == '\n')
            {
                if (!_sizeDigits)
                {
                    return Invalid("a chunk has no size");
                }
                _lineLength = 0;
                _sizeDigits = false;
                _sizeDone = false;
                if (_remaining == 0)
                {
                    _phase = Phase.Trailers;
                    _trailerLineEmpty = true;
                }
                else
                {
                    _phase = Phase.ChunkData;
                }
                return data[(i + 1)..];
            }
            if (_sizeDone)
            {
                continue; // an extension (";name=value") or the CR
            }
            int digit = HexDigit(b);
            if (digit < 0)
            {
                if (!_sizeDigits && b is not (byte)' ' and not (byte)'\t')
                {
                    return Invalid("a chunk size is not hexadecimal");
                }
                _sizeDone = _sizeDigits;
                continue;
            }
            if (_remaining > (long.MaxValue >> 4))
            {
                return Invalid("a chunk size is too large");
            }
            _remaining = (_remaining << 4) | (uint)digit;
            _sizeDigits = true;
        }
        return default;
    }

    private ReadOnlySpan<byte> Trailers(ReadOnlySpan<byte> data)
    {
        for (int i = 0; i < data.Length; i++)
        {
            byte b = data[i];
            if (b == '\n')
            {
                if (_trailerLineEmpty)
                {
                    _phase = Phase.Done;
                    Decide(JudgeBody());
                    return data[(i + 1)..];
                }
                _trailerLineEmpty = true;
                _lineLength = 0;
            }
            else if (b != '\r')
            {
                _trailerLineEmpty = false;
                if (++_lineLength > MaxChunkLine)
                {
                    return Invalid("a trailer line is too long");
                }
            }
        }
        return default;
    }

    private ReadOnlySpan<byte> Invalid(string why)
    {
        _phase = Phase.Done;
        Decide(Outcome.Fail($"invalid HTTP reply: {why}"));
        return default;
    }

    private void Body(ReadOnlySpan<byte> data)
    {
        if (_body is null || data.IsEmpty)
        {
            return; // the verdict came with the head; the rest is only read to the end
        }
        _body.Append(data);
        if (_body.Settled)
        {
            // Longer than a regex may see and no digest to finish: nothing more to learn.
            Decide(JudgeBody());
        }
    }

    private Outcome JudgeBody()
    {
        if (_body is null)
        {
            return Outcome.Pass; // no body check (or a bodiless status): the status passed
        }
        if (_check.BodyDigest is { } expected)
        {
            string digest = _body.Digest()!;
            if (!string.Equals(digest, expected, StringComparison.OrdinalIgnoreCase))
            {
                return Outcome.Fail($"body digest {digest}, not {expected.ToLowerInvariant()}");
            }
        }
        if (_check.BodyRegex is { } pattern)
        {
            return _body.TooLong
                ? Outcome.Fail($"body longer than {_maxBodyBytes} bytes, the most matched against a regex")
                : HttpVerdict.MatchBody(_check, pattern, _body.Bytes);
        }
        return Outcome.Pass;
    }

    private static bool TryStatus(ReadOnlySpan<byte> line, out int status)
    {
        status = 0;
        // HTTP/1.0 and HTTP/1.1 alike: "HTTP/" digit "." digit SP 3DIGIT [SP reason].
        if (line.Length < 12 || !line.StartsWith("HTTP/"u8) || !char.IsAsciiDigit((char)line[5]) || line[6] != '.'
            || !char.IsAsciiDigit((char)line[7]) || line[8] != ' ')
        {
            return false;
        }
        var code = line.Slice(9, 3);
        if (!char.IsAsciiDigit((char)code[0]) || !char.IsAsciiDigit((char)code[1]) || !char.IsAsciiDigit((char)code[2])
            || (line.Length > 12 && line[12] != ' '))
        {
            return false;
        }
        status = ((code[0] - '0') * 100) + ((code[1] - '0') * 10) + (code[2] - '0');
        return true;
    }

    private static int HexDigit(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) => line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var shown = bytes.Length > 64 ? bytes[..64] : bytes;
        var text = new StringBuilder(shown.Length + 1);
        foreach (byte b in shown)
        {
            text.Append(b is >= 0x20 and < 0x7f ? (char)b : '?');
        }
        if (bytes.Length > shown.Length)
        {
            text.Append('…');
        }
        return text.ToString();
    }

    public void Dispose()
    {
        _body?.Dispose();
        _body = null;
        if (_head is not null)
        {
            ArrayPool<byte>.Shared.Return(_head);
            _head = null;
        }
    }
}
