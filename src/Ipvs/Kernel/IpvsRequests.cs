using System.Net.Sockets;
using Ipvs.Model;
using Ipvs.Netlink;

namespace Ipvs.Kernel;

/// <summary>
/// Encodes IPVS requests. Wire quirks live here and only here: big-endian ports, the netmask field
/// that is a big-endian mask for IPv4 but a host-order prefix length for IPv6, and flags sent as
/// {flags, mask} so that a SET replaces them all.
/// </summary>
internal static class IpvsRequests
{
    private const ushort Request = NetlinkConstants.NLM_F_REQUEST;
    private const ushort Dump = NetlinkConstants.NLM_F_REQUEST | NetlinkConstants.NLM_F_DUMP;

    public static void Write(NetlinkWriter w, ushort family, uint sequence, IpvsOperation operation)
    {
        int m = w.BeginMessage(family, Request, sequence);
        w.WriteGenericHeader((byte)operation.Command, IpvsWire.FamilyVersion);
        switch (operation)
        {
            case AddServiceOperation op:
                WriteService(w, op.Service);
                break;
            case EditServiceOperation op:
                WriteService(w, op.Service);
                break;
            case DeleteServiceOperation op:
                WriteServiceKey(w, op.Service);
                break;
            case AddDestinationOperation op:
                WriteServiceKey(w, op.Service);
                WriteDestination(w, op.Destination);
                break;
            case EditDestinationOperation op:
                WriteServiceKey(w, op.Service);
                WriteDestination(w, op.Destination);
                break;
            case DeleteDestinationOperation op:
                WriteServiceKey(w, op.Service);
                WriteDestinationKey(w, op.Destination);
                break;
            case FlushOperation:
                break;
            case ZeroOperation op:
                if (op.Service is ServiceKey key)
                {
                    WriteServiceKey(w, key);
                }
                break;
            case SetTimeoutsOperation op:
                w.PutU32(IpvsWire.CmdAttrTimeoutTcp, Seconds(op.Timeouts.Tcp));
                w.PutU32(IpvsWire.CmdAttrTimeoutTcpFin, Seconds(op.Timeouts.TcpFin));
                w.PutU32(IpvsWire.CmdAttrTimeoutUdp, Seconds(op.Timeouts.Udp));
                break;
            case StartSyncDaemonOperation op:
                WriteDaemon(w, op.Daemon);
                break;
            case StopSyncDaemonOperation op:
                int n = w.BeginNested(IpvsWire.CmdAttrDaemon);
                w.PutU32(IpvsWire.DaemonState, (uint)op.State);
                w.EndNested(n);
                break;
            default:
                throw new ArgumentException($"Unknown operation {operation.GetType().Name}.", nameof(operation));
        }
        w.EndMessage(m);
    }

    public static void WriteGetServices(NetlinkWriter w, ushort family, uint sequence) =>
        Simple(w, family, sequence, IpvsCommand.GetService, Dump);

    public static void WriteGetService(NetlinkWriter w, ushort family, uint sequence, ServiceKey key)
    {
        int m = w.BeginMessage(family, Request, sequence);
        w.WriteGenericHeader((byte)IpvsCommand.GetService, IpvsWire.FamilyVersion);
        WriteServiceKey(w, key);
        w.EndMessage(m);
    }

    public static void WriteGetDestinations(NetlinkWriter w, ushort family, uint sequence, ServiceKey key)
    {
        int m = w.BeginMessage(family, Dump, sequence);
        w.WriteGenericHeader((byte)IpvsCommand.GetDest, IpvsWire.FamilyVersion);
        WriteServiceKey(w, key);
        w.EndMessage(m);
    }

    public static void WriteGetDaemons(NetlinkWriter w, ushort family, uint sequence) =>
        Simple(w, family, sequence, IpvsCommand.GetDaemon, Dump);

    public static void WriteGetConfig(NetlinkWriter w, ushort family, uint sequence) =>
        Simple(w, family, sequence, IpvsCommand.GetConfig, Request);

    public static void WriteGetInfo(NetlinkWriter w, ushort family, uint sequence) =>
        Simple(w, family, sequence, IpvsCommand.GetInfo, Request);

    private static void Simple(NetlinkWriter w, ushort family, uint sequence, IpvsCommand command, ushort flags)
    {
        int m = w.BeginMessage(family, flags, sequence);
        w.WriteGenericHeader((byte)command, IpvsWire.FamilyVersion);
        w.EndMessage(m);
    }

    private static void WriteServiceKey(NetlinkWriter w, ServiceKey key)
    {
        int n = w.BeginNested(IpvsWire.CmdAttrService);
        WriteIdentity(w, key);
        w.EndNested(n);
    }

    private static void WriteIdentity(NetlinkWriter w, ServiceKey key)
    {
        w.PutU16(IpvsWire.SvcAf, Af(key.Family));
        if (key.IsFirewallMark)
        {
            w.PutU32(IpvsWire.SvcFwmark, key.FirewallMark);
        }
        else
        {
            w.PutU16(IpvsWire.SvcProtocol, (ushort)key.Protocol);
            w.PutAddress(IpvsWire.SvcAddr, key.Address!);
            w.PutBe16(IpvsWire.SvcPort, key.Port);
        }
    }

    private static void WriteService(NetlinkWriter w, VirtualService s)
    {
        int n = w.BeginNested(IpvsWire.CmdAttrService);
        WriteIdentity(w, s.Key);
        w.PutString(IpvsWire.SvcSchedName, s.Scheduler.Name);
        if (s.PersistenceEngine is { } pe)
        {
            w.PutString(IpvsWire.SvcPeName, pe);
        }
        uint flags = (uint)s.Flags | (s.IsPersistent ? (uint)ServiceFlags.Persistent : 0);
        Span<byte> f = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(f, flags);
        // A full mask makes SET_SERVICE replace every flag rather than merge with the old ones.
        BinaryPrimitives.WriteUInt32LittleEndian(f[4..], uint.MaxValue);
        w.PutBytes(IpvsWire.SvcFlags, f);
        w.PutU32(IpvsWire.SvcTimeout, s.PersistenceTimeout);
        WriteNetmask(w, s.Netmask);
        w.EndNested(n);
    }

    private static void WriteNetmask(NetlinkWriter w, Netmask mask)
    {
        // One raw 32-bit field: ip_vs_ctl.c reads it with nla_get_be32, and for IPv6 casts that raw
        // value to a prefix length, so IPv6 goes in host order and IPv4 in network order.
        if (mask.Family == AddressFamily.InterNetworkV6)
        {
            w.PutU32(IpvsWire.SvcNetmask, mask.Value);
        }
        else
        {
            w.PutBe32(IpvsWire.SvcNetmask, mask.Value);
        }
    }

    private static void WriteDestinationKey(NetlinkWriter w, DestinationKey key)
    {
        int n = w.BeginNested(IpvsWire.CmdAttrDest);
        w.PutU16(IpvsWire.DestAddrFamily, Af(key.Address.AddressFamily));
        w.PutAddress(IpvsWire.DestAddr, key.Address);
        w.PutBe16(IpvsWire.DestPort, key.Port);
        w.EndNested(n);
    }

    private static void WriteDestination(NetlinkWriter w, Destination d)
    {
        int n = w.BeginNested(IpvsWire.CmdAttrDest);
        w.PutU16(IpvsWire.DestAddrFamily, Af(d.Family));
        w.PutAddress(IpvsWire.DestAddr, d.Address);
        w.PutBe16(IpvsWire.DestPort, d.Port);
        w.PutU32(IpvsWire.DestFwdMethod, (uint)d.Forwarding);
        w.PutU32(IpvsWire.DestWeight, (uint)d.Weight);
        w.PutU32(IpvsWire.DestUThresh, d.UpperThreshold);
        w.PutU32(IpvsWire.DestLThresh, d.LowerThreshold);
        // Sent only when set: kernels before 5.2/5.3 would ignore them anyway, and validation has
        // already refused non-default values there.
        if (d.TunnelType != TunnelType.IpIp || d.TunnelPort != 0)
        {
            w.PutU8(IpvsWire.DestTunType, (byte)d.TunnelType);
            w.PutBe16(IpvsWire.DestTunPort, d.TunnelPort);
        }
        if (d.TunnelFlags != TunnelFlags.NoChecksum)
        {
            w.PutU16(IpvsWire.DestTunFlags, (ushort)d.TunnelFlags);
        }
        w.EndNested(n);
    }

    private static void WriteDaemon(NetlinkWriter w, SyncDaemon d)
    {
        int n = w.BeginNested(IpvsWire.CmdAttrDaemon);
        w.PutU32(IpvsWire.DaemonState, (uint)d.State);
        w.PutString(IpvsWire.DaemonMcastIfn, d.Interface);
        w.PutU32(IpvsWire.DaemonSyncId, d.SyncId);
        if (d.MaxLength != 0)
        {
            w.PutU16(IpvsWire.DaemonSyncMaxlen, d.MaxLength);
        }
        if (d.MulticastGroup is { } group)
        {
            if (group.AddressFamily == AddressFamily.InterNetworkV6)
            {
                Span<byte> b = stackalloc byte[16];
                group.TryWriteBytes(b, out _);
                w.PutBytes(IpvsWire.DaemonMcastGroup6, b);
            }
            else
            {
                Span<byte> b = stackalloc byte[4];
                group.TryWriteBytes(b, out _);
                w.PutBytes(IpvsWire.DaemonMcastGroup, b); // in_addr: network order as it stands
            }
        }
        if (d.MulticastPort != 0)
        {
            w.PutU16(IpvsWire.DaemonMcastPort, d.MulticastPort); // host order: the kernel applies htons itself
        }
        if (d.MulticastTtl != 0)
        {
            w.PutU8(IpvsWire.DaemonMcastTtl, d.MulticastTtl);
        }
        w.EndNested(n);
    }

    private static ushort Af(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? IpvsWire.AF_INET6 : IpvsWire.AF_INET;

    private static uint Seconds(TimeSpan t) => (uint)t.TotalSeconds;
}
