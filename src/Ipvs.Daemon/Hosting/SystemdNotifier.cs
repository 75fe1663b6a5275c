using System.Net.Sockets;
using System.Text;

namespace Ipvs.Daemon.Hosting;

/// <summary>
/// sd_notify(3) without libsystemd: a datagram to $NOTIFY_SOCKET, so `Type=notify` units know when
/// the daemon is ready, reloading or stopping. Does nothing outside systemd.
/// </summary>
public static class SystemdNotifier
{
    /// <summary>True when started by systemd with a notify socket.</summary>
    public static bool Enabled => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));

    /// <summary>Sends a state string such as "READY=1"; errors are ignored, as sd_notify's callers usually do.</summary>
    public static void Notify(string state)
    {
        var path = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }
        // "@name" is a socket in the abstract namespace, written with a leading NUL.
        if (path[0] == '@')
        {
            path = "\0" + path[1..];
        }
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(path));
            socket.Send(Encoding.UTF8.GetBytes(state));
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>RELOADING=1 with the monotonic time systemd 253+ wants beside it.</summary>
    public static void Reloading() =>
        Notify(string.Create(CultureInfo.InvariantCulture, $"RELOADING=1\nMONOTONIC_USEC={MonotonicMicroseconds()}"));

    private static long MonotonicMicroseconds() => Environment.TickCount64 * 1000;
}
