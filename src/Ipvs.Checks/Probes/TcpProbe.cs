namespace Ipvs.Checks.Probes;

/// <summary>TCP_CHECK: passes when a connection opens within the connect timeout; it is closed at once.</summary>
internal static class TcpProbe
{
    public static async ValueTask<Outcome> RunAsync(TcpCheck check, CheckTarget target, CancellationToken cancellationToken)
    {
        using var timeout = new AttemptTimeout(cancellationToken);
        using var socket = Sockets.Open(target.Endpoint, SocketType.Stream, ProtocolType.Tcp, check.BindAddress);
        await Sockets.ConnectAsync(socket, target.Endpoint, check.ConnectTimeout!.Value, timeout).ConfigureAwait(false);
        return Outcome.Pass;
    }
}
