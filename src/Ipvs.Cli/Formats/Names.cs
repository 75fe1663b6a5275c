using System.Net.Sockets;
using Ipvs.Model;

namespace Ipvs.Cli.Formats;

/// <summary>
/// The words ipvs prints and reads for IPVS values. They are ipvsadm's where ipvsadm has a
/// word (masq, route, tunnel; sh-port; ipip, gue, gre), lower case, so JSON and tables agree.
/// </summary>
internal static class Names
{
    /// <summary>10.0.0.1:80, [2001:db8::1]:80.</summary>
    public static string Endpoint(System.Net.IPAddress a, ushort port) => a.AddressFamily == AddressFamily.InterNetworkV6
        ? $"[{a}]:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
        : $"{a}:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    public static string Family(AddressFamily f) => f == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4";

    public static AddressFamily? ParseFamily(string s) => s.ToLowerInvariant() switch
    {
        "ipv4" or "inet" => AddressFamily.InterNetwork,
        "ipv6" or "inet6" => AddressFamily.InterNetworkV6,
        _ => null,
    };

    public static string Protocol(IpvsProtocol p) => p switch
    {
        IpvsProtocol.Tcp => "tcp",
        IpvsProtocol.Udp => "udp",
        IpvsProtocol.Sctp => "sctp",
        _ => ((ushort)p).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static IpvsProtocol? ParseProtocol(string s) => s.ToLowerInvariant() switch
    {
        "tcp" => IpvsProtocol.Tcp,
        "udp" => IpvsProtocol.Udp,
        "sctp" => IpvsProtocol.Sctp,
        _ => null,
    };

    public static string Forward(ForwardingMethod f) => f switch
    {
        ForwardingMethod.Masquerade => "masq",
        ForwardingMethod.DirectRoute => "route",
        ForwardingMethod.Tunnel => "tunnel",
        ForwardingMethod.Local => "local",
        ForwardingMethod.Bypass => "bypass",
        _ => ((uint)f).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static ForwardingMethod? ParseForward(string s) => s.ToLowerInvariant() switch
    {
        "masq" or "nat" or "masquerade" => ForwardingMethod.Masquerade,
        "route" or "dr" or "gate" or "gatewaying" => ForwardingMethod.DirectRoute,
        "tunnel" or "tun" or "ipip" => ForwardingMethod.Tunnel,
        "local" => ForwardingMethod.Local,
        "bypass" => ForwardingMethod.Bypass,
        _ => null,
    };

    public static string Tunnel(TunnelType t) => t switch
    {
        TunnelType.IpIp => "ipip",
        TunnelType.Gue => "gue",
        TunnelType.Gre => "gre",
        _ => ((byte)t).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static TunnelType? ParseTunnel(string s) => s.ToLowerInvariant() switch
    {
        "ipip" => TunnelType.IpIp,
        "gue" => TunnelType.Gue,
        "gre" => TunnelType.Gre,
        _ => null,
    };

    public static string Checksum(TunnelFlags f) => f switch
    {
        TunnelFlags.NoChecksum => "nocsum",
        TunnelFlags.Checksum => "csum",
        TunnelFlags.RemoteChecksum => "remcsum",
        _ => ((ushort)f).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static TunnelFlags? ParseChecksum(string s) => s.ToLowerInvariant() switch
    {
        "nocsum" => TunnelFlags.NoChecksum,
        "csum" => TunnelFlags.Checksum,
        "remcsum" => TunnelFlags.RemoteChecksum,
        _ => null,
    };

    /// <summary>The scheduler flags by the names ipvsadm -b takes for this scheduler.</summary>
    public static List<string> SchedulerFlags(VirtualService s)
    {
        string prefix = s.Scheduler.Name switch { "sh" => "sh-", "mh" => "mh-", _ => "" };
        var names = new List<string>();
        if ((s.Flags & ServiceFlags.SchedulerFlag1) != 0)
        {
            names.Add(prefix.Length > 0 ? prefix + "fallback" : "flag-1");
        }
        if ((s.Flags & ServiceFlags.SchedulerFlag2) != 0)
        {
            names.Add(prefix.Length > 0 ? prefix + "port" : "flag-2");
        }
        if ((s.Flags & ServiceFlags.SchedulerFlag3) != 0)
        {
            names.Add("flag-3");
        }
        return names;
    }

    public static ServiceFlags? ParseSchedulerFlag(string s) => s.ToLowerInvariant() switch
    {
        "sh-fallback" or "mh-fallback" or "flag-1" => ServiceFlags.SchedulerFlag1,
        "sh-port" or "mh-port" or "flag-2" => ServiceFlags.SchedulerFlag2,
        "flag-3" => ServiceFlags.SchedulerFlag3,
        _ => null,
    };
}
