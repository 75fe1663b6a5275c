using Ipvs.Admin.Native;

namespace Ipvs.Admin.Formatting;

/// <summary>
/// stdout and stderr as C's stdio treats them: stdout is buffered (line-buffered on a terminal)
/// and flushed at exit, stderr is written at once. Text is byte strings (one char per byte).
/// </summary>
internal sealed class Terminal : IDisposable
{
    private const int EPIPE = 32;
    private const int SIGPIPE = 13;
    // Written out whenever this much is buffered, as C's stdio writes a full buffer: a listing of
    // 100,000 servers (7 MB) then never sits in memory whole, whose fresh pages cost page faults
    // (dear in the lab). C uses st_blksize (4 KiB); a larger chunk saves write calls.
    private const int FlushAt = 32 * 1024;
    private readonly Stream _out;
    private readonly Stream _err;
    private readonly bool _lineBuffered;
    private byte[] _buffer = GC.AllocateUninitializedArray<byte>(8192);
    private int _length;

    public Terminal(Stream stdout, Stream stderr, bool lineBuffered = false)
    {
        _out = stdout;
        _err = stderr;
        _lineBuffered = lineBuffered;
    }

    /// <summary>The process's own stdout and stderr.</summary>
    public static Terminal OpenStandard() =>
        new(new FdStream(1), new FdStream(2), Libc.IsATty(1) == 1);

    /// <summary>Appends to stdout.</summary>
    public void Out(string text) => Out(text.AsSpan());

    /// <summary>Appends to stdout.</summary>
    public void Out(ReadOnlySpan<char> text)
    {
        if (_length + text.Length > _buffer.Length)
        {
            var bigger = GC.AllocateUninitializedArray<byte>(Math.Max(_buffer.Length * 2, _length + text.Length));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            _buffer = bigger;
        }
        bool newline = false;
        var buffer = _buffer.AsSpan(_length, text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            buffer[i] = (byte)c;
            newline |= c == '\n';
        }
        _length += text.Length;
        if ((_lineBuffered && newline) || _length >= FlushAt)
        {
            Flush();
        }
    }

    /// <summary>Writes to stderr at once (unbuffered, as C's stderr).</summary>
    public void Err(string text)
    {
        var b = new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            b[i] = (byte)text[i];
        }
        try
        {
            _err.Write(b);
            _err.Flush();
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Writes buffered stdout.</summary>
    public void Flush()
    {
        if (_length == 0)
        {
            return;
        }
        try
        {
            _out.Write(_buffer, 0, _length);
            _out.Flush();
        }
        catch (IOException e) when (e.HResult == EPIPE)
        {
            // The reader has gone. .NET ignores SIGPIPE; C programs die of it: do the same.
            Libc.Signal(SIGPIPE, 0);
            Libc.Raise(SIGPIPE);
        }
        catch (IOException)
        {
        }
        _length = 0;
    }

    public void Dispose()
    {
        Flush();
        _out.Dispose();
        _err.Dispose();
    }
}
