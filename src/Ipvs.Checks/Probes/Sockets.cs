namespace Ipvs.Checks.Probes;

/// <summary>Socket set-up shared by the probers: bind (bindto) and connect, failures as <see cref="ProbeFailure"/>.</summary>
internal static class Sockets
{
    /// <summary>A socket for <paramref name="endpoint"/>'s family, bound to <paramref name="bind"/> when given.</summary>
    public static Socket Open(IPEndPoint endpoint, SocketType type, ProtocolType protocol, IPAddress? bind)
    {
        var socket = new Socket(endpoint.AddressFamily, type, protocol);
        if (bind is not null)
        {
            try
            {
                socket.Bind(new IPEndPoint(bind, 0));
            }
            catch (SocketException e)
            {
                socket.Dispose();
                throw new ProbeFailure($"bind {bind}: {Words.Socket(e)}", e);
            }
        }
        return socket;
    }

    /// <summary>Connects within the attempt's connect timeout.</summary>
    public static async ValueTask ConnectAsync(Socket socket, IPEndPoint endpoint, TimeSpan limit, AttemptTimeout timeout)
    {
        timeout.Start(limit);
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.Expired)
        {
            throw new ProbeFailure($"connect: timeout after {Words.Seconds(limit)}");
        }
        catch (SocketException e)
        {
            throw new ProbeFailure($"connect: {Words.Socket(e)}", e);
        }
    }
}
