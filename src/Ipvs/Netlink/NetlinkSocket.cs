using System.Runtime.InteropServices;

namespace Ipvs.Netlink;

/// <summary>
/// A raw NETLINK_GENERIC socket driven by plain libc calls (send, recv, recvmmsg) on its descriptor.
/// It is used with blocking calls and SO_RCVTIMEO: the kernel answers generic netlink requests inside
/// sendmsg, so replies are already queued when a send returns, and a blocking receive returns at
/// once. The timeout only bounds the abnormal case; no receive can hang forever.
/// NB: no System.Net.Sockets.Socket on purpose. Wrapping the descriptor in a Socket starts .NET's
/// socket engine (an epoll instance and a ".NET Sockets" thread, which the constructor spins
/// waiting for) although every call here blocks; in a short-lived command such as ipvsadm that was
/// the largest single start-up cost (measured in the lab: bench/results/ipvsadm.md).
/// </summary>
internal sealed class NetlinkSocket : INetlinkTransport
{
    private readonly Handle _handle;

    private readonly int _fd;

    // The descriptor stays blocking (socket() makes it so and nothing sets O_NONBLOCK): recv and
    // recvmmsg rely on SO_RCVTIMEO, which only a blocking descriptor honours.
    private NetlinkSocket(Handle handle)
    {
        _handle = handle;
        _fd = (int)handle.DangerousGetHandle();
    }

    public int SendBufferSize { get; private set; }

    public int ReceiveBufferSize { get; private set; }

    /// <summary>
    /// Opens a socket, optionally inside another network namespace given as a file such as
    /// <c>/run/netns/NAME</c> or <c>/proc/PID/ns/net</c>. A socket keeps the namespace it was created in.
    /// </summary>
    public static NetlinkSocket Open(string? networkNamespacePath, int sendBuffer, int receiveBuffer)
    {
        Handle handle = networkNamespacePath is null
            ? CreateHandle()
            : CreateHandleInNamespace(networkNamespacePath);
        var s = new NetlinkSocket(handle);
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

    public unsafe TimeSpan ReceiveTimeout
    {
        set
        {
            // As Socket.ReceiveTimeout did: whole milliseconds, at least one (a zero timeval means "forever").
            long ms = (long)Math.Clamp(value.TotalMilliseconds, 1, int.MaxValue);
            var tv = new Libc.TimeVal { Seconds = ms / 1000, Microseconds = ms % 1000 * 1000 };
            if (Libc.setsockopt(_fd, NetlinkConstants.SOL_SOCKET, NetlinkConstants.SO_RCVTIMEO, &tv, (uint)sizeof(Libc.TimeVal)) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new NetlinkException("setsockopt", errno, $"cannot set the netlink receive timeout ({Errno.Name(errno)})");
            }
        }
    }

    public unsafe void Send(ReadOnlySpan<byte> datagram)
    {
        nint sent;
        fixed (byte* p = datagram)
        {
            while ((sent = Libc.send(_fd, p, (nuint)datagram.Length, 0)) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Errno.EINTR)
                {
                    throw new NetlinkException("send", errno, $"netlink send of {datagram.Length} bytes failed: {Errno.Describe(errno)}");
                }
            }
        }
        if (sent != datagram.Length)
        {
            throw new NetlinkException("send", Errno.EMSGSIZE, $"netlink send wrote {sent} of {datagram.Length} bytes");
        }
    }

    /// <summary>Receives one datagram; returns -1 on timeout. ENOBUFS surfaces as a NetlinkException.</summary>
    public unsafe int Receive(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                nint n = Libc.recv(_fd, p, (nuint)buffer.Length, 0);
                if (n >= 0)
                {
                    return (int)n;
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

    public void Dispose() => _handle.Dispose();

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

    private unsafe bool SetInt(int level, int name, int value, bool optional)
    {
        if (Libc.setsockopt(_fd, level, name, &value, sizeof(int)) == 0)
        {
            return true;
        }
        int errno = Marshal.GetLastPInvokeError();
        if (optional)
        {
            return false;
        }
        throw new NetlinkException("setsockopt", errno, $"setsockopt({level}, {name}) failed ({Errno.Name(errno)})");
    }

    private unsafe int GetInt(int level, int name)
    {
        int value = 0;
        uint length = sizeof(int);
        if (Libc.getsockopt(_fd, level, name, &value, &length) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new NetlinkException("getsockopt", errno, $"getsockopt({level}, {name}) failed ({Errno.Name(errno)})");
        }
        return value;
    }

    private static Handle CreateHandle()
    {
        int fd = Libc.socket(NetlinkConstants.AF_NETLINK, NetlinkConstants.SOCK_RAW | NetlinkConstants.SOCK_CLOEXEC, NetlinkConstants.NETLINK_GENERIC);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new NetlinkException("socket", errno, $"cannot open a generic netlink socket ({Errno.Name(errno)})");
        }
        return new Handle(fd);
    }

    // Owns the descriptor: closed once, on Dispose or by the finalizer if a client is leaked.
    private sealed class Handle : SafeHandle
    {
        public Handle(int fd)
            : base(-1, ownsHandle: true)
        {
            SetHandle(fd);
        }

        public override bool IsInvalid => handle < 0;

        protected override bool ReleaseHandle() => Libc.close((int)handle) == 0;
    }

    // setns() moves only the calling thread, so the switch happens on a fresh thread that ends
    // afterwards: no pooled thread is ever left in a foreign namespace, even if switching back fails.
    private static Handle CreateHandleInNamespace(string path)
    {
        Handle? result = null;
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
}
