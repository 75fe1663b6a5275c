namespace Ipvs.Model;

/// <summary>Encapsulation of a tunnel destination (IP_VS_CONN_F_TUNNEL_TYPE_*). Needs Linux 5.2; GRE needs 5.3.</summary>
public enum TunnelType : byte
{
    /// <summary>IP-in-IP, the default and the only type before Linux 5.2.</summary>
    IpIp = 0,

    /// <summary>Generic UDP Encapsulation; needs a tunnel port.</summary>
    Gue = 1,

    /// <summary>GRE (Linux 5.3).</summary>
    Gre = 2,
}

/// <summary>Checksum options of GUE and GRE tunnels (IP_VS_TUNNEL_ENCAP_FLAG_*). Needs Linux 5.3.</summary>
[Flags]
public enum TunnelFlags : ushort
{
    /// <summary>No checksum (ipvsadm --tun-nocsum).</summary>
    NoChecksum = 0,

    /// <summary>Outer checksum (ipvsadm --tun-csum).</summary>
    Checksum = 1,

    /// <summary>Remote checksum offload (ipvsadm --tun-remcsum).</summary>
    RemoteChecksum = 2,
}
