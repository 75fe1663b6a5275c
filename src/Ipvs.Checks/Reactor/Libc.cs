using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ipvs.Checks.Reactor;

/// <summary>
/// The few libc calls of the check reactor (Linux): epoll, an eventfd to wake it, and nonblocking
/// TCP sockets driven by hand. Declared here rather than shared with the core library's netlink
/// interop, as projects do not reach into each other's internals. Constants are the generic Linux
/// ABI's (x86-64 and arm64 agree on all of them).
/// </summary>
internal static unsafe partial class Libc
{
    public const int AF_INET = 2;
    public const int AF_INET6 = 10;
    public const int SOCK_STREAM = 1;
    public const int SOCK_NONBLOCK = 0x800;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;
    public const int EFD_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1;
    public const uint EPOLLIN = 0x1;
    public const uint EPOLLOUT = 0x4;
    public const uint EPOLLERR = 0x8;
    public const uint EPOLLHUP = 0x10;
    public const uint EPOLLRDHUP = 0x2000;
    public const uint EPOLLET = 1u << 31;
    public const int SOL_SOCKET = 1;
    public const int SO_ERROR = 4;
    public const int MSG_NOSIGNAL = 0x4000;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EINPROGRESS = 115;

    /// <summary>struct epoll_event is packed (12 bytes) on x86-64 only; elsewhere the 64-bit data is aligned (16 bytes).</summary>
    public static readonly bool PackedEpollEvent = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86;

    public static int EpollEventSize => PackedEpollEvent ? 12 : 16;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_ctl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_wait(int epfd, byte* events, int maxevents, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int eventfd(uint initval, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int bind(int fd, byte* addr, int addrlen);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int connect(int fd, byte* addr, int addrlen);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int getsockopt(int fd, int level, int name, int* value, int* length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint send(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint write(int fd, byte* buffer, nint length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    /// <summary>Writes one epoll_event (events, 64-bit data) in this architecture's layout.</summary>
    public static void WriteEvent(byte* at, uint events, ulong data)
    {
        *(uint*)at = events;
        if (PackedEpollEvent)
        {
            Unsafe.WriteUnaligned(at + 4, data);
        }
        else
        {
            *(ulong*)(at + 8) = data;
        }
    }

    public static uint EventMask(byte* at) => *(uint*)at;

    public static ulong EventData(byte* at) => PackedEpollEvent ? Unsafe.ReadUnaligned<ulong>(at + 4) : *(ulong*)(at + 8);

    /// <summary>
    /// The sockaddr of <paramref name="address"/> and <paramref name="port"/> (sockaddr_in or sockaddr_in6, with the IPv6 scope
    /// id), built once per check so attempts only pass the bytes.
    /// </summary>
    public static byte[] SockAddr(IPAddress address, int port)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var sa = new byte[16];
            BitConverter.TryWriteBytes(sa.AsSpan(0, 2), (ushort)AF_INET);
            sa[2] = (byte)(port >> 8);
            sa[3] = (byte)port;
            address.TryWriteBytes(sa.AsSpan(4, 4), out _);
            return sa;
        }
        var sa6 = new byte[28];
        BitConverter.TryWriteBytes(sa6.AsSpan(0, 2), (ushort)AF_INET6);
        sa6[2] = (byte)(port >> 8);
        sa6[3] = (byte)port;
        address.TryWriteBytes(sa6.AsSpan(8, 16), out _);
        BitConverter.TryWriteBytes(sa6.AsSpan(24, 4), (uint)address.ScopeId);
        return sa6;
    }

    /// <summary>strerror's text for <paramref name="errno"/>.</summary>
    public static string Message(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
