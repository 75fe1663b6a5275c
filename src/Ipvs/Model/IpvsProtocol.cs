namespace Ipvs.Model;

/// <summary>The transport protocol of a virtual service; values are IPPROTO_* numbers.</summary>
public enum IpvsProtocol : ushort
{
    /// <summary>TCP (6).</summary>
    Tcp = 6,

    /// <summary>UDP (17).</summary>
    Udp = 17,

    /// <summary>SCTP (132).</summary>
    Sctp = 132,
}
