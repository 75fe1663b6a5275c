using System.Runtime.InteropServices;

namespace Ipvs.Netlink;

internal static partial class Libc
{
    // .NET's AddressFamily has no netlink, so the socket itself comes from libc.
    [LibraryImport("libc", SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    // Plain descriptor I/O: System.Net.Sockets would start its epoll thread for a descriptor that is
    // only ever used with blocking calls (see NetlinkSocket).
    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint send(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int setsockopt(int fd, int level, int name, void* value, uint length);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int getsockopt(int fd, int level, int name, void* value, uint* length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    // struct timeval for LP64 Linux, as SO_RCVTIMEO takes it.
    [StructLayout(LayoutKind.Sequential)]
    public struct TimeVal
    {
        public long Seconds;
        public long Microseconds;
    }

    // recvmmsg(2): several datagrams per syscall. A dump's last data datagram and its NLMSG_DONE
    // (queued by the kernel while the first is copied out) then cost one syscall instead of two.
    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int recvmmsg(int fd, MMsgHdr* messages, uint count, int flags, nint timeout);

    public const int MSG_TRUNC = 0x20;
    public const int MSG_WAITFORONE = 0x10000;

    // struct iovec / msghdr / mmsghdr for LP64 Linux (x86-64, arm64): sequential layout with
    // natural alignment reproduces the C layout (msghdr 56 bytes, mmsghdr 64).
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }

    // setns(2) moves only the calling thread; callers run it on a dedicated thread.
    [LibraryImport("libc", SetLastError = true)]
    public static partial int setns(int fd, int nstype);
}
