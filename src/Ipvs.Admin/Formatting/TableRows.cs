using System.Net.Sockets;
using Ipvs.Admin.Native;
using Ipvs.Admin.Options;
using Ipvs.Model;

namespace Ipvs.Admin.Formatting;

/// <summary>A service as ipvsadm's ipvs_service_entry_t holds it after a dump.</summary>
internal sealed class ServiceRow
{
    public ushort Af;
    public ushort Protocol;      // 0 for firewall-mark services: the kernel sends none
    public byte[] Addr = new byte[16];
    public ushort Port;
    public uint Fwmark;
    public string SchedName = "";
    public uint Flags;
    public uint Timeout;
    public uint Netmask;         // IPv4: the mask as a number; IPv6: the prefix length
    public string PeName = "";
    public IpvsStats Stats;

    public static ServiceRow From(VirtualServiceInfo info) => new ServiceRow().Load(info);

    /// <summary>Fills this row from <paramref name="info"/> (a row can be reused); returns it.</summary>
    public ServiceRow Load(VirtualServiceInfo info)
    {
        var s = info.Service;
        var key = s.Key;
        Af = key.Family == AddressFamily.InterNetworkV6 ? Ip.AF_INET6 : Ip.AF_INET;
        Protocol = 0;
        Array.Clear(Addr);
        Port = 0;
        Fwmark = key.FirewallMark;
        SchedName = Bytes.FromUtf8(s.Scheduler.Name);
        Flags = (uint)s.Flags | (s.IsPersistent ? Ip.SvcPersistent : 0);
        Timeout = s.PersistenceTimeout;
        Netmask = s.Netmask.Value;
        PeName = s.PersistenceEngine is null ? "" : Bytes.FromUtf8(s.PersistenceEngine);
        Stats = info.Stats;
        if (!key.IsFirewallMark)
        {
            Protocol = (ushort)key.Protocol;
            Port = key.Port;
            key.Address!.TryWriteBytes(Addr, out _);
        }
        return this;
    }
}

/// <summary>A real server as ipvsadm's ipvs_dest_entry_t holds it after a dump.</summary>
internal sealed class DestRow
{
    public ushort Af;
    public byte[] Addr = new byte[16];
    public ushort Port;
    public uint ConnFlags;
    public int Weight;
    public uint UThreshold;
    public uint LThreshold;
    public uint ActiveConns;
    public uint InactConns;
    public uint PersistConns;
    public int TunType;
    public ushort TunPort;
    public int TunFlags;
    public IpvsStats Stats;

    public static DestRow From(DestinationInfo info) => new DestRow().Load(info);

    /// <summary>Fills this row from <paramref name="info"/> (a row can be reused); returns it.</summary>
    public DestRow Load(DestinationInfo info)
    {
        var d = info.Destination;
        Af = d.Family == AddressFamily.InterNetworkV6 ? Ip.AF_INET6 : Ip.AF_INET;
        Port = d.Port;
        ConnFlags = (uint)d.Forwarding;
        Weight = d.Weight;
        UThreshold = d.UpperThreshold;
        LThreshold = d.LowerThreshold;
        ActiveConns = info.ActiveConnections;
        InactConns = info.InactiveConnections;
        PersistConns = info.PersistentConnections;
        TunType = (int)d.TunnelType;
        TunPort = d.TunnelPort;
        TunFlags = (int)d.TunnelFlags;
        // libipvs reads a destination's 64-bit counters with its 32-bit parser: nla_get_u32
        // on the u64 attributes keeps their low halves; only the byte counts stay whole.
        Stats = new IpvsStats(
            (uint)info.Stats.Connections, (uint)info.Stats.InPackets, (uint)info.Stats.OutPackets,
            info.Stats.InBytes, info.Stats.OutBytes,
            (uint)info.Stats.ConnectionRate, (uint)info.Stats.InPacketRate, (uint)info.Stats.OutPacketRate,
            (uint)info.Stats.InByteRate, (uint)info.Stats.OutByteRate);
        Array.Clear(Addr);
        d.Address.TryWriteBytes(Addr, out _);
        return this;
    }
}
