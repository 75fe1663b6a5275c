namespace Ipvs.Desired;

/// <summary>
/// Compares settings the way the kernel reports them back, so that a table applied from a desired
/// state plans empty. The library's model already drops what the kernel adds on its own (the
/// Persistent and Hashed flags, the default netmask, a timeout without persistence); what remains is
/// the tunnel settings, which the kernel stores and reports whatever the forwarding method, but only
/// uses for tunnels.
/// </summary>
internal static class KernelComparison
{
    /// <summary>The settings that differ, in a fixed order; empty when the service needs no edit.</summary>
    public static ImmutableArray<string> Service(VirtualService current, VirtualService desired)
    {
        var fields = ImmutableArray.CreateBuilder<string>();
        if (!current.Scheduler.Equals(desired.Scheduler))
        {
            fields.Add(FieldNames.Scheduler);
        }
        if (current.Flags != desired.Flags)
        {
            fields.Add(FieldNames.Flags);
        }
        if (current.PersistenceTimeout != desired.PersistenceTimeout)
        {
            fields.Add(FieldNames.PersistenceTimeout);
        }
        if (current.Netmask != desired.Netmask)
        {
            fields.Add(FieldNames.Netmask);
        }
        if (!string.Equals(current.PersistenceEngine, desired.PersistenceEngine, StringComparison.Ordinal))
        {
            fields.Add(FieldNames.PersistenceEngine);
        }
        return fields.ToImmutable();
    }

    /// <summary>The settings that differ, in a fixed order; empty when the destination needs no edit.</summary>
    public static ImmutableArray<string> Destination(Destination current, Destination desired)
    {
        var fields = ImmutableArray.CreateBuilder<string>();
        if (current.Forwarding != desired.Forwarding)
        {
            fields.Add(FieldNames.Forwarding);
        }
        if (current.Weight != desired.Weight)
        {
            fields.Add(FieldNames.Weight);
        }
        if (current.UpperThreshold != desired.UpperThreshold)
        {
            fields.Add(FieldNames.UpperThreshold);
        }
        if (current.LowerThreshold != desired.LowerThreshold)
        {
            fields.Add(FieldNames.LowerThreshold);
        }
        // Tunnel settings matter only as far as the desired forwarding uses them: the type for any
        // tunnel, the port for GUE, the checksum flags for GUE and GRE.
        if (desired.Forwarding == ForwardingMethod.Tunnel)
        {
            if (current.TunnelType != desired.TunnelType)
            {
                fields.Add(FieldNames.TunnelType);
            }
            if (desired.TunnelType == TunnelType.Gue && current.TunnelPort != desired.TunnelPort)
            {
                fields.Add(FieldNames.TunnelPort);
            }
            if (desired.TunnelType != TunnelType.IpIp && current.TunnelFlags != desired.TunnelFlags)
            {
                fields.Add(FieldNames.TunnelFlags);
            }
        }
        return fields.ToImmutable();
    }

    /// <summary>The managed timeouts (non-zero desired fields) that differ; all of them when the current ones are unknown.</summary>
    public static ImmutableArray<string> Timeouts(Timeouts? current, Timeouts desired)
    {
        var fields = ImmutableArray.CreateBuilder<string>();
        if (desired.Tcp != TimeSpan.Zero && current?.Tcp != desired.Tcp)
        {
            fields.Add(FieldNames.Tcp);
        }
        if (desired.TcpFin != TimeSpan.Zero && current?.TcpFin != desired.TcpFin)
        {
            fields.Add(FieldNames.TcpFin);
        }
        if (desired.Udp != TimeSpan.Zero && current?.Udp != desired.Udp)
        {
            fields.Add(FieldNames.Udp);
        }
        return fields.ToImmutable();
    }
}
