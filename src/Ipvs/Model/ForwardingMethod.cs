namespace Ipvs.Model;

/// <summary>How packets reach a destination; values are IP_VS_CONN_F_* forwarding codes.</summary>
public enum ForwardingMethod : uint
{
    /// <summary>NAT (ipvsadm -m, keepalived NAT).</summary>
    Masquerade = 0,

    /// <summary>Local node (the director itself).</summary>
    Local = 1,

    /// <summary>IP-in-IP, GUE or GRE tunnelling (ipvsadm -i, keepalived TUN).</summary>
    Tunnel = 2,

    /// <summary>Direct routing, also called gatewaying (ipvsadm -g, keepalived DR).</summary>
    DirectRoute = 3,

    /// <summary>Bypass (not selectable with ipvsadm, set by the kernel for some cache clusters).</summary>
    Bypass = 4,
}
