namespace Ipvs.Model;

/// <summary>
/// Connection timeouts (ipvsadm --set). When setting, <see cref="TimeSpan.Zero"/> leaves a value
/// unchanged, as the kernel does.
/// </summary>
/// <param name="Tcp">Established TCP sessions.</param>
/// <param name="TcpFin">TCP sessions after a FIN.</param>
/// <param name="Udp">UDP.</param>
public sealed record Timeouts(TimeSpan Tcp, TimeSpan TcpFin, TimeSpan Udp)
{
    /// <summary>Creates timeouts from whole seconds.</summary>
    public static Timeouts FromSeconds(int tcp, int tcpFin, int udp) =>
        new(TimeSpan.FromSeconds(tcp), TimeSpan.FromSeconds(tcpFin), TimeSpan.FromSeconds(udp));
}
