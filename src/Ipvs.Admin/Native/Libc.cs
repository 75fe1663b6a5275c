using System.Runtime.InteropServices;

namespace Ipvs.Admin.Native;

/// <summary>
/// The C library calls ipvsadm itself makes for addresses, host and service names and error
/// texts. Calling the same functions (rather than re-implementing them) keeps every corner of
/// inet_aton, NSS lookups and strerror identical. Strings cross as NUL-terminated bytes.
/// </summary>
internal static unsafe partial class Libc
{
    [LibraryImport("libc", EntryPoint = "inet_pton")]
    internal static partial int InetPton(int af, byte* src, byte* dst);

    [LibraryImport("libc", EntryPoint = "inet_aton")]
    internal static partial int InetAton(byte* cp, byte* inp);

    [LibraryImport("libc", EntryPoint = "inet_ntop")]
    internal static partial byte* InetNtop(int af, byte* src, byte* dst, uint size);

    [LibraryImport("libc", EntryPoint = "gethostbyname")]
    internal static partial HostEnt* GetHostByName(byte* name);

    [LibraryImport("libc", EntryPoint = "gethostbyaddr")]
    internal static partial HostEnt* GetHostByAddr(byte* addr, uint len, int type);

    [LibraryImport("libc", EntryPoint = "getservbyname")]
    internal static partial ServEnt* GetServByName(byte* name, byte* proto);

    [LibraryImport("libc", EntryPoint = "getservbyport")]
    internal static partial ServEnt* GetServByPort(int port, byte* proto);

    [LibraryImport("libc", EntryPoint = "strerror")]
    internal static partial byte* StrError(int errnum);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    internal static partial nint Write(int fd, byte* buf, nint count);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    internal static partial nint Read(int fd, byte* buf, nint count);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    internal static partial int Open(byte* path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    internal static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    internal static partial long LSeek(int fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "uname")]
    internal static partial int Uname(byte* buf);

    [LibraryImport("libc", EntryPoint = "posix_spawn")]
    internal static partial int PosixSpawn(int* pid, byte* path, void* fileActions, void* attributes, nint* argv, nint* envp);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    internal static partial int WaitPid(int pid, int* status, int options);

    [LibraryImport("libc", EntryPoint = "isatty")]
    internal static partial int IsATty(int fd);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint GetEUid();

    [LibraryImport("libc", EntryPoint = "signal")]
    internal static partial nint Signal(int signum, nint handler);

    [LibraryImport("libc", EntryPoint = "raise")]
    internal static partial int Raise(int sig);

    /// <summary>struct hostent (glibc, LP64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct HostEnt
    {
        public byte* Name;
        public byte** Aliases;
        public int AddrType;
        public int Length;
        public byte** AddrList;
    }

    /// <summary>struct servent (glibc, LP64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ServEnt
    {
        public byte* Name;
        public byte** Aliases;
        public int Port;
        public byte* Proto;
    }
}
