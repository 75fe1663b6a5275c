namespace Ipvs.Checks;

/// <summary>
/// Where and what one check probes. <see cref="Endpoint"/> is the address and port actually
/// connected to: the destination's, overridden by the check's <see cref="HealthCheck.ConnectAddress"/>
/// and <see cref="HealthCheck.ConnectPort"/> (compute it with <see cref="For"/>).
/// </summary>
/// <param name="Service">The service the destination belongs to.</param>
/// <param name="Destination">The destination's kernel settings.</param>
/// <param name="Endpoint">Where the check connects.</param>
public sealed record CheckTarget(ServiceKey Service, Destination Destination, IPEndPoint Endpoint)
{
    /// <summary>
    /// The target of <paramref name="check"/> on <paramref name="destination"/>: connect_ip and
    /// connect_port applied. A firewall-mark service's destinations have port 0, so a check that
    /// needs a port then takes the check's connect port.
    /// </summary>
    /// <exception cref="ArgumentException">The check needs a port and neither the destination nor the check has one.</exception>
    public static CheckTarget For(ServiceKey service, Destination destination, HealthCheck check)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(check);
        var address = check.ConnectAddress ?? destination.Address;
        int port = check.ConnectPort ?? destination.Port;
        if (port == 0 && NeedsPort(check))
        {
            throw new ArgumentException(
                $"The {check.Kind} check of {destination.Key} in {service} has no port to connect to: the destination's port is 0 and the check sets no connect port.",
                nameof(check));
        }
        return new CheckTarget(service, destination, new IPEndPoint(address, port));
    }

    /// <summary>True for the checks that connect to a port (the desired layer's rule, which it keeps internal).</summary>
    internal static bool NeedsPort(HealthCheck check) =>
        check is HttpCheck or TcpCheck or UdpCheck or DnsCheck or SmtpCheck;

    /// <summary>The endpoint as <c>10.0.0.2:80</c> or <c>[2001:db8::2]:80</c>.</summary>
    internal static string Format(IPEndPoint endpoint) => endpoint.ToString();
}
