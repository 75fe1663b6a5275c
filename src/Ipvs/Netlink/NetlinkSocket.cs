using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Ipvs.Netlink;

/// <summary>
/// A raw NETLINK_GENERIC socket wrapped in a managed <see cref="Socket"/>. It is used with blocking
/// calls and SO_RCVTIMEO: the kernel answers generic netlink requests inside sendmsg, so replies are
/// already queued when a send returns, and a blocking receive returns at once. The timeout only
/// bounds the abnormal case; no receive can hang forever.
/// </summary>
internal sealed class NetlinkSocket : INetlinkTransport
{
    private readonly Socket _socket;

    private readonly int _fd;

    private NetlinkSocket(Socket socket)
    {
        _socket = socket;
        // recvmmsg relies on SO_RCVTIMEO, which only a blocking descriptor honours.
        _socket.Blocking = true;
        _fd = (int)socket.SafeHandle.DangerousGetHandle();
    }

    public int SendBufferSize { get; private set; }

    public int ReceiveBufferSize { get; private set; }

    /// <summary>
    /// Opens a socket, optionally inside another network namespace given as a file such as
    /// <c>/run/netns/NAME</c> or <c>/proc/PID/ns/net</c>. A socket keeps the namespace it was created in.
    /// </summary>
    public static NetlinkSocket Open(string? networkNamespacePath, int sendBuffer, int receiveBuffer)
    {
        SafeSocketHandle handle = networkNamespacePath is null
            ? CreateHandle()
            : CreateHandleInNamespace(networkNamespacePath);
        var socket = new Socket(handle);
        var s = new NetlinkSocket(socket);
        try
        {
            s.ConfigureBuffers(sendBuffer, receiveBuffer);
            // Ask for extended ACK text, and cap error replies to the request header: without the cap
            // each error echoes the whole request and a failing batch overflows the receive buffer sooner.
            s.SetInt(NetlinkConstants.SOL_NETLINK, NetlinkConstants.NETLINK_EXT_ACK, 1, optional: true);
            s.SetInt(NetlinkConstants.SOL_NETLINK, NetlinkConstants.NETLINK_CAP_ACK, 1, optional: true);
        }
        catch
        {
            s.Dispose();
            throw;
        }
        return s;
    }

    public TimeSpan ReceiveTimeout
    {
        set => _socket.ReceiveTimeout = (int)Math.Clamp(value.TotalMilliseconds, 1, int.MaxValue);
    }

    public void Send(ReadOnlySpan<byte> datagram)
    {
        int sent;
        try
        {
            sent = _socket.Send(datagram, SocketFlags.None);
        }
        catch (SocketException e)
        {
            throw new NetlinkException("send", ToErrno(e), $"netlink send of {datagram.Length} bytes failed: {e.Message}", inner: e);
        }
        if (sent != datagram.Length)
        {
            throw new NetlinkException("send", Errno.EMSGSIZE, $"netlink send wrote {sent} of {datagram.Length} bytes");
        }
    }

    /// <summary>Receives one datagram; returns -1 on timeout. ENOBUFS surfaces as a NetlinkException.</summary>
    public int Receive(Span<byte> buffer)
    {
        try
        {
            return _socket.Receive(buffer, SocketFlags.None);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            return -1;
        }
        catch (SocketException e)
        {
            throw new NetlinkException("receive", ToErrno(e), $"netlink receive failed: {e.Message}", inner: e);
        }
    }

    public unsafe int ReceiveMany(Span<byte> buffer, int slot, Span<int> lengths)
    {
        int count = Math.Min(lengths.Length, buffer.Length / slot);
        var iov = stackalloc Libc.IoVec[count];
        var messages = stackalloc Libc.MMsgHdr[count];
        fixed (byte* p = buffer)
        {
            for (int i = 0; i < count; i++)
            {
                iov[i] = new Libc.IoVec { Base = p + (i * slot), Length = (nuint)slot };
                messages[i] = default;
                messages[i].Header.Iov = &iov[i];
                messages[i].Header.IovLength = 1;
            }
            while (true)
            {
                int n = Libc.recvmmsg(_fd, messages, (uint)count, Libc.MSG_WAITFORONE, 0);
                if (n >= 0)
                {
                    for (int i = 0; i < n; i++)
                    {
                        if ((messages[i].Header.Flags & Libc.MSG_TRUNC) != 0)
                        {
                            throw new NetlinkDecodeException($"a netlink datagram was larger than the {slot}-byte receive slot and was truncated");
                        }
                        lengths[i] = (int)messages[i].Length;
                    }
                    return n;
                }
                int errno = Marshal.GetLastPInvokeError();
                switch (errno)
                {
                    case Errno.EINTR:
                        continue;
                    case Errno.EAGAIN:
                        return -1; // SO_RCVTIMEO expired
                    default:
                        throw new NetlinkException("receive", errno, $"netlink receive failed: {Errno.Describe(errno)}");
                }
            }
        }
    }

    public void Dispose() => _socket.Dispose();

    private void ConfigureBuffers(int sendBuffer, int receiveBuffer)
    {
        // The *FORCE variants pass net.core.[rw]mem_max; they need CAP_NET_ADMIN, which IPVS needs anyway.
        if (!SetInt(NetlinkConstants.SOL_SOCKET, NetlinkConstants.SO_SNDBUFFORCE, sendBuffer, optional: true))
        {
            SetInt(NetlinkConstants.SOL_SOCKET, NetlinkConstants.SO_SNDBUF, sendBuffer, optional: true);
        }
        if (!SetInt(NetlinkConstants.SOL_SOCKET, NetlinkConstants.SO_RCVBUFFORCE, receiveBuffer, optional: true))
        {
            SetInt(NetlinkConstants.SOL_SOCKET, NetlinkConstants.SO_RCVBUF, receiveBuffer, optional: true);
        }
        // The kernel doubles the requested value for bookkeeping; read back what is really in force.
        SendBufferSize = GetInt(NetlinkConstants.SOL_SOCKET, NetlinkConstants.SO_SNDBUF);
        ReceiveBufferSize = GetInt(NetlinkConstants.SOL_SOCKET, NetlinkConstants.SO_RCVBUF);
    }

    private bool SetInt(int level, int name, int value, bool optional)
    {
        Span<byte> v = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(v, value);
        try
        {
            _socket.SetRawSocketOption(level, name, v);
            return true;
        }
        catch (SocketException) when (optional)
        {
            return false;
        }
    }

    private int GetInt(int level, int name)
    {
        Span<byte> v = stackalloc byte[4];
        _socket.GetRawSocketOption(level, name, v);
        return BinaryPrimitives.ReadInt32LittleEndian(v);
    }

    private static SafeSocketHandle CreateHandle()
    {
        int fd = Libc.socket(NetlinkConstants.AF_NETLINK, NetlinkConstants.SOCK_RAW | NetlinkConstants.SOCK_CLOEXEC, NetlinkConstants.NETLINK_GENERIC);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new NetlinkException("socket", errno, $"cannot open a generic netlink socket ({Errno.Name(errno)})");
        }
        return new SafeSocketHandle(fd, ownsHandle: true);
    }

    // setns() moves only the calling thread, so the switch happens on a fresh thread that ends
    // afterwards: no pooled thread is ever left in a foreign namespace, even if switching back fails.
    private static SafeSocketHandle CreateHandleInNamespace(string path)
    {
        SafeSocketHandle? result = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var target = OpenNamespace(path);
                using var original = OpenNamespace("/proc/thread-self/ns/net");
                Enter(target, path);
                try
                {
                    result = CreateHandle();
                }
                finally
                {
                    Enter(original, "the original network namespace");
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        {
            IsBackground = true,
            Name = "ipvs-netns",
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            result?.Dispose();
            throw failure;
        }
        return result!;
    }

    private static Microsoft.Win32.SafeHandles.SafeFileHandle OpenNamespace(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NetlinkException("setns", e is UnauthorizedAccessException ? Errno.EACCES : Errno.ENOENT,
                $"cannot open network namespace '{path}': {e.Message}", inner: e);
        }
    }

    private static void Enter(Microsoft.Win32.SafeHandles.SafeFileHandle ns, string what)
    {
        if (Libc.setns((int)ns.DangerousGetHandle(), NetlinkConstants.CLONE_NEWNET) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new NetlinkException("setns", errno, $"cannot enter network namespace {what} ({Errno.Name(errno)})");
        }
    }

    private static int ToErrno(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.MessageSize => Errno.EMSGSIZE,
        SocketError.NoBufferSpaceAvailable => Errno.ENOBUFS,
        SocketError.TimedOut => Errno.ETIMEDOUT,
        SocketError.AccessDenied => Errno.EACCES,
        SocketError.Interrupted => Errno.EINTR,
        SocketError.WouldBlock => Errno.EAGAIN,
        _ => e.NativeErrorCode > 0 && e.NativeErrorCode < 4096 ? e.NativeErrorCode : Errno.EIO,
    };
}
