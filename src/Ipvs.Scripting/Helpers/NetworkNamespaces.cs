using System.Runtime.InteropServices;

namespace Ipvs.Scripting;

/// <summary>
/// Sockets made in another network namespace, so a script checks the real servers from where the
/// director reaches them. A socket keeps the namespace it was created in, so only the creation
/// needs setns(2) — on a throw-away thread, as the library does for its netlink socket, so that
/// no pooled thread is ever left in a foreign namespace.
/// </summary>
internal static partial class NetworkNamespaces
{
    private const int CloneNewNet = 0x40000000;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);

    /// <summary>/run/netns/NAME for a bare name (as <c>ip netns</c> makes), the path itself otherwise.</summary>
    public static string PathOf(string ns) => ns.Contains('/', StringComparison.Ordinal) ? ns : "/run/netns/" + ns;

    /// <summary>A socket in the namespace, or in the caller's when it is null.</summary>
    public static Socket CreateSocket(string? ns, AddressFamily family, SocketType type, ProtocolType protocol)
    {
        if (string.IsNullOrEmpty(ns))
        {
            return new Socket(family, type, protocol);
        }
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var target = File.OpenHandle(PathOf(ns), FileMode.Open, FileAccess.Read);
                using var original = File.OpenHandle("/proc/thread-self/ns/net", FileMode.Open, FileAccess.Read);
                Enter(target, ns);
                try
                {
                    socket = new Socket(family, type, protocol);
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
            Name = "ipvs-script-netns",
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            socket?.Dispose();
            throw new IOException($"Cannot create a socket in network namespace '{ns}': {failure.Message}", failure);
        }
        return socket!;
    }

    private static void Enter(Microsoft.Win32.SafeHandles.SafeFileHandle ns, string what)
    {
        if (setns((int)ns.DangerousGetHandle(), CloneNewNet) != 0)
        {
            throw new IOException($"setns into {what} failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    /// <summary>The address to connect to: an IP as it is, a name resolved (first address).</summary>
    public static async Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (IPAddress.TryParse(bare, out var address))
        {
            return address;
        }
        var addresses = await Dns.GetHostAddressesAsync(bare, cancellationToken).ConfigureAwait(false);
        return addresses.Length > 0 ? addresses[0] : throw new IOException($"'{host}' has no address.");
    }
}
