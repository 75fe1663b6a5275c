using System.Runtime.InteropServices;

namespace Ipvs.Netlink;

internal static partial class Libc
{
    // .NET's AddressFamily has no netlink, so the socket itself comes from libc.
    [LibraryImport("libc", SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    // setns(2) moves only the calling thread; callers run it on a dedicated thread.
    [LibraryImport("libc", SetLastError = true)]
    public static partial int setns(int fd, int nstype);
}
