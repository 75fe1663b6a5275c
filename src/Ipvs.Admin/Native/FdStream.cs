using System.Runtime.InteropServices;

namespace Ipvs.Admin.Native;

/// <summary>
/// A file descriptor as a stream, through read(2) and write(2). System.Console is avoided on
/// purpose: initialising it starts a signal-handling thread, and a thread costs real time in a
/// short-lived command.
/// </summary>
internal sealed unsafe class FdStream(int fd) : Stream
{
    private const int EINTR = 4;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                nint n = Libc.Read(fd, p, buffer.Length);
                if (n >= 0)
                {
                    return (int)n;
                }
                if (Marshal.GetLastPInvokeError() != EINTR)
                {
                    throw new IOException($"read from fd {fd} failed (errno {Marshal.GetLastPInvokeError()})");
                }
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            int done = 0;
            while (done < buffer.Length)
            {
                nint n = Libc.Write(fd, p + done, buffer.Length - done);
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == EINTR)
                    {
                        continue;
                    }
                    int errno = Marshal.GetLastPInvokeError();
                    throw new IOException($"write to fd {fd} failed (errno {errno})", errno);
                }
                done += (int)n;
            }
        }
    }

    /// <summary>
    /// The bytes left to read when the descriptor is a regular file (lseek works), else null:
    /// lets a reader size its buffer once instead of growing it.
    /// </summary>
    public long? Remaining()
    {
        const int SEEK_CUR = 1, SEEK_END = 2, SEEK_SET = 0;
        long here = Libc.LSeek(fd, 0, SEEK_CUR);
        if (here < 0)
        {
            return null; // a pipe or a terminal
        }
        long end = Libc.LSeek(fd, 0, SEEK_END);
        Libc.LSeek(fd, here, SEEK_SET);
        return end < here ? null : end - here;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
