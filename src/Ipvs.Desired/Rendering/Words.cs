namespace Ipvs.Desired;

// The words the text and JSON renderings share for model values (ipvsadm's where it has them).
internal static class Words
{
    /// <summary><c>tcp 10.0.0.1:80</c>, <c>fwmark 7</c>: the key with a space after the protocol.</summary>
    public static string Service(ServiceKey key)
    {
        var text = key.ToString();
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? text : string.Concat(text.AsSpan(0, colon), " ", text.AsSpan(colon + 1));
    }

    public static string Forwarding(ForwardingMethod f) => f switch
    {
        ForwardingMethod.Masquerade => "masq",
        ForwardingMethod.Local => "local",
        ForwardingMethod.Tunnel => "tunnel",
        ForwardingMethod.DirectRoute => "route",
        ForwardingMethod.Bypass => "bypass",
        _ => ((uint)f).ToString(CultureInfo.InvariantCulture),
    };

    public static string TunnelType(TunnelType t) => t switch
    {
        Model.TunnelType.IpIp => "ipip",
        Model.TunnelType.Gue => "gue",
        Model.TunnelType.Gre => "gre",
        _ => ((byte)t).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary><c>nocsum</c>, <c>csum</c>, <c>remcsum</c> (ipvsadm's --tun-* options), or both joined by a comma.</summary>
    public static string TunnelFlags(TunnelFlags f) => f switch
    {
        Model.TunnelFlags.NoChecksum => "nocsum",
        Model.TunnelFlags.Checksum => "csum",
        Model.TunnelFlags.RemoteChecksum => "remcsum",
        Model.TunnelFlags.Checksum | Model.TunnelFlags.RemoteChecksum => "csum,remcsum",
        _ => ((ushort)f).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The flags' names (ops for one-packet, then the scheduler's own names), or an empty list.</summary>
    public static List<string> ServiceFlags(ServiceFlags flags, Scheduler scheduler)
    {
        var names = new List<string>();
        string prefix = scheduler.Name is "sh" or "mh" ? scheduler.Name + "-" : "";
        if ((flags & Model.ServiceFlags.OnePacket) != 0)
        {
            names.Add("ops");
        }
        if ((flags & Model.ServiceFlags.SchedulerFlag1) != 0)
        {
            names.Add(prefix.Length > 0 ? prefix + "fallback" : "flag-1");
        }
        if ((flags & Model.ServiceFlags.SchedulerFlag2) != 0)
        {
            names.Add(prefix.Length > 0 ? prefix + "port" : "flag-2");
        }
        if ((flags & Model.ServiceFlags.SchedulerFlag3) != 0)
        {
            names.Add("flag-3");
        }
        return names;
    }

    public static string Seconds(TimeSpan t) => ((long)t.TotalSeconds).ToString(CultureInfo.InvariantCulture);

    public static string Kind(ChangeKind k) => k switch
    {
        ChangeKind.Add => "add",
        ChangeKind.Edit => "edit",
        _ => "delete",
    };

    public static string Target(ChangeTarget t) => t switch
    {
        ChangeTarget.Service => "service",
        ChangeTarget.Destination => "destination",
        _ => "timeouts",
    };

    public static string Outcome(ChangeOutcome o) => o switch
    {
        ChangeOutcome.Applied => "applied",
        ChangeOutcome.Failed => "failed",
        ChangeOutcome.NotAttempted => "notAttempted",
        ChangeOutcome.Unknown => "unknown",
        ChangeOutcome.RolledBack => "rolledBack",
        _ => "rollbackFailed",
    };
}
