using Ipvs.Desired;

namespace Ipvs.Keepalived.Mapping;

// real_server and sorry_server → destinations, as ipvs_set_drule() and ipvs_cmd() (check/ipvswrapper.c)
// send them: the weight keepalived adds a healthy server with, its own method, thresholds and tunnel.
internal sealed partial class ImportSession
{
    private DesiredDestination? Destination(VirtualServer vs, RealServer rs, Instance at)
    {
        var port = Port(rs.Method, rs.WrittenPort, rs.Port, at);
        if (!Try(() => Kernel(rs.Address, port, rs.Method) with
        {
            Weight = checked((int)rs.Weight),
            UpperThreshold = rs.UpperThreshold,
            LowerThreshold = rs.LowerThreshold,
        }, rs.Location, out var destination))
        {
            return null;
        }
        if (rs.Alpha != vs.Alpha && Written(rs.SettingLocations, "alpha") is { } alphaAt)
        {
            NotMapped(alphaAt, $"alpha {(rs.Alpha ? "on" : "off")} for real_server {rs.Address}: the desired state has alpha per service, so the virtual server's ({(vs.Alpha ? "on" : "off")}) applies");
        }
        return new DesiredDestination(destination, Checks(vs, rs, destination))
        {
            NotifyUp = Hook(rs.NotifyUp),
            NotifyDown = Hook(rs.NotifyDown),
            InhibitOnFailure = rs.InhibitOnFailure == vs.InhibitOnFailure ? null : rs.InhibitOnFailure,
            Location = ToDesired(rs.Location),
        };
    }

    // alloc_ssvr(): a sorry server has weight 1; its method and port were resolved like a real server's.
    private Destination? SorryServer(VirtualServer vs, Instance at)
    {
        if (vs.SorryServer is not { } sorry)
        {
            return null;
        }
        var port = Port(sorry.Method, sorry.Port, sorry.Port, at);
        return Try(() => Kernel(sorry.Address, port, sorry.Method), sorry.Location, out var destination) ? destination : null;
    }

    /// <summary>
    /// The port a destination is sent with. validate_check_config() resolved it for a virtual
    /// server of its own (the parser did the same); for a group, ipvs_group_cmd() gives DR and TUN
    /// the entry's port (0 for a fwmark entry) and NAT the real server's port as written.
    /// </summary>
    private static ushort Port(LvsMethod method, ushort written, ushort resolved, Instance at) =>
        !at.Group ? resolved
        : method.Method == ForwardingMethod.Masquerade ? written
        : at.Key.Port;

    private static Destination Kernel(IPAddress address, ushort port, LvsMethod method)
    {
        var destination = new Destination(address, port) { Forwarding = method.Method };
        return method.Method == ForwardingMethod.Tunnel
            ? destination with { TunnelType = method.TunnelType, TunnelPort = method.TunnelPort, TunnelFlags = method.TunnelFlags }
            : destination;
    }
}
