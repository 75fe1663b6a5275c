using Ipvs.Admin.Native;
using Ipvs.Admin.Options;
using Ipvs.Model;
using Ipvs.Netlink;

namespace Ipvs.Admin.Commands;

/// <summary>
/// ipvs_init() and check_ipvs_version(): a client and the IPVS version, opened before anything
/// else happens (ipvsadm needs IPVS even for -h). On failure, modprobe ip_vs and try once more.
/// </summary>
internal sealed class KernelSession : IDisposable
{
    private KernelSession(IpvsClient client, IpvsInfo info)
    {
        Client = client;
        Info = info;
    }

    public IpvsClient Client { get; }

    public IpvsInfo Info { get; }

    public static KernelSession Open(Formatting.Terminal terminal)
    {
        if (!TryOpen(out var session, out int errno))
        {
            Modprobe();
            if (!TryOpen(out session, out errno))
            {
                throw new AdminExit(2, $"Can't initialize ipvs: {InitError(errno)}\n"
                    + "Are you sure that IP Virtual Server is built in the kernel or as module?\n");
            }
        }
        var v = session!.Info.Version;
        if ((v.Major << 16) + (v.Minor << 8) + v.Build < (1 << 16) + (1 << 8) + 4)
        {
            terminal.Err("Warning: IPVS version mismatch: \n"
                + $"  Kernel compiled with IPVS version {v.Major}.{v.Minor}.{v.Build}\n"
                + "  ipvsadm v1.31  requires minimum IPVS version 1.1.4\n\n");
        }
        return session;
    }

    private static bool TryOpen(out KernelSession? session, out int errno)
    {
        session = null;
        IpvsClient? client = null;
        try
        {
            client = IpvsClient.Open(new IpvsClientOptions
            {
                SendBufferBytes = 1 << 20,
                ReceiveBufferBytes = 1 << 20,
                Capabilities = RunningKernel(),
            });
            var info = client.GetInfoAsync().GetAwaiter().GetResult();
            session = new KernelSession(client, info);
            errno = 0;
            return true;
        }
        catch (NetlinkException e)
        {
            client?.Dispose();
            // No IPVS family: libipvs falls back to the raw-socket interface, which answers
            // ENOPROTOOPT without ip_vs (or EPERM when the raw socket is refused).
            errno = e.Errno == Errno.ENOENT && e is not IpvsException
                ? (Libc.GetEUid() == 0 ? Errno.ENOPROTOOPT : Errno.EPERM)
                : e.Errno;
            return false;
        }
    }

    // What KernelCapabilities.Detect() reads from /proc/sys/kernel/osrelease, taken from uname(2)
    // (the same string): File's machinery costs page faults at every start, dear in the lab.
    private static unsafe KernelCapabilities? RunningKernel()
    {
        const int Field = 65; // struct utsname: sysname, nodename, release, ... of 65 bytes each
        byte* u = stackalloc byte[6 * Field];
        if (Libc.Uname(u) != 0)
        {
            return null; // the library detects it itself
        }
        var release = new ReadOnlySpan<byte>(u + (2 * Field), Field);
        int end = release.IndexOf((byte)0);
        // Widened in place (the release is ASCII): no Encoding, no allocation.
        Span<char> text = stackalloc char[Field];
        int length = end < 0 ? Field : end;
        for (int i = 0; i < length; i++)
        {
            text[i] = (char)release[i];
        }
        return new KernelCapabilities(KernelCapabilities.ParseRelease(text[..length]));
    }

    private static string InitError(int errno) => errno switch
    {
        Errno.EPERM => "Permission denied (you must be root)",
        Errno.EINVAL => "Invalid operation.  Possibly wrong module version, address not unicast, ...",
        Errno.ENOPROTOOPT => "Protocol not available",
        Errno.ENOMEM => "Memory allocation problem",
        Errno.EOPNOTSUPP => "Operation not supported with IPv6",
        Errno.EAFNOSUPPORT => "Operation not supported with specified address family",
        Errno.EMSGSIZE => "Module is wrong version",
        _ => NetDb.StrError(errno),
    };

    // modprobe_ipvs(): "/sbin/modprobe -- ip_vs", sharing our stdout and stderr; its outcome
    // does not matter, the second attempt to open IPVS decides.
    private static void Modprobe() => ChildProcess.Run("/sbin/modprobe", "/sbin/modprobe", "--", "ip_vs");

    public void Dispose() => Client.Dispose();
}
