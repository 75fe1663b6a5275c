using System.Net.Sockets;
using Ipvs.Model;
using Ipvs.Netlink;

namespace Ipvs.Kernel;

/// <summary>
/// Decodes IPVS replies. Whatever the bytes, the only exception that leaves is
/// <see cref="NetlinkDecodeException"/>: model validation failures are rethrown as decode errors,
/// because a value the model refuses is a malformed reply from the library's point of view.
/// </summary>
internal static class IpvsReplies
{
    private static readonly string[] KnownNames =
        ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos", "none"];

    /// <summary>Decodes the top-level attributes of a NEW_SERVICE reply.</summary>
    public static VirtualServiceInfo Service(ReadOnlySpan<byte> attributes)
    {
        var top = new AttributeReader(attributes);
        while (top.MoveNext())
        {
            if (top.Type == IpvsWire.CmdAttrService)
            {
                return ServiceNest(top.Value);
            }
        }
        ThrowHelper.ThrowMissingAttribute("service", "IPVS_CMD_ATTR_SERVICE");
        return null;
    }

    /// <summary>Decodes only the identity of a NEW_SERVICE reply: cheaper when the settings are not needed.</summary>
    public static ServiceKey ServiceIdentity(ReadOnlySpan<byte> attributes)
    {
        var top = new AttributeReader(attributes);
        while (top.MoveNext())
        {
            if (top.Type != IpvsWire.CmdAttrService)
            {
                continue;
            }
            var identity = new ServiceIdentityFields();
            var a = top.Nested();
            while (a.MoveNext())
            {
                identity.TryRead(in a);
            }
            return identity.ToKey();
        }
        ThrowHelper.ThrowMissingAttribute("service", "IPVS_CMD_ATTR_SERVICE");
        return default;
    }

    public static VirtualServiceInfo ServiceNest(ReadOnlySpan<byte> nest)
    {
        var identity = new ServiceIdentityFields();
        string? scheduler = null;
        string? pe = null;
        uint flags = 0;
        uint timeout = 0;
        ReadOnlySpan<byte> netmask = default;
        IpvsStats stats32 = default, stats64 = default;
        bool has64 = false;

        var a = new AttributeReader(nest);
        while (a.MoveNext())
        {
            if (identity.TryRead(in a))
            {
                continue;
            }
            switch (a.Type)
            {
                case IpvsWire.SvcSchedName: scheduler = a.GetString(KnownNames); break;
                case IpvsWire.SvcPeName: pe = a.GetString(); break;
                case IpvsWire.SvcFlags:
                    if (a.Value.Length < 8)
                    {
                        ThrowHelper.ThrowAttributeSize(a.Type, 8, a.Value.Length);
                    }
                    // ipvsadm takes flags & mask; the kernel always sends a full mask.
                    flags = BinaryPrimitives.ReadUInt32LittleEndian(a.Value) & BinaryPrimitives.ReadUInt32LittleEndian(a.Value[4..]);
                    break;
                case IpvsWire.SvcTimeout: timeout = a.GetU32(); break;
                case IpvsWire.SvcNetmask:
                    if (a.Value.Length != 4)
                    {
                        ThrowHelper.ThrowAttributeSize(a.Type, 4, a.Value.Length);
                    }
                    netmask = a.Value;
                    break;
                case IpvsWire.SvcStats: stats32 = Stats(a.Value); break;
                case IpvsWire.SvcStats64: stats64 = Stats(a.Value); has64 = true; break;
            }
        }
        var key = identity.ToKey();
        var family = key.Family;
        try
        {
            bool persistent = (flags & (uint)ServiceFlags.Persistent) != 0;
            var service = new VirtualService(key)
            {
                Scheduler = new Scheduler(scheduler ?? "none"),
                Flags = (ServiceFlags)flags,
                PersistenceTimeout = persistent ? timeout : 0,
                Netmask = netmask.IsEmpty
                    ? Netmask.Full(family)
                    : Netmask.FromWire(family, family == AddressFamily.InterNetworkV6
                        ? BinaryPrimitives.ReadUInt32LittleEndian(netmask)
                        : BinaryPrimitives.ReadUInt32BigEndian(netmask)),
                PersistenceEngine = pe,
            };
            return new VirtualServiceInfo(service, has64 ? stats64 : stats32);
        }
        catch (ArgumentException e)
        {
            throw new NetlinkDecodeException("service reply holds an invalid value: " + e.Message);
        }
    }

    // The identity attributes of a service nest, shared by the full and the key-only decoders.
    private ref struct ServiceIdentityFields
    {
        private ushort _af, _protocol, _port;
        private uint _mark;
        private ReadOnlySpan<byte> _address;
        private bool _hasAddress;

        public bool TryRead(in AttributeReader a)
        {
            switch (a.Type)
            {
                case IpvsWire.SvcAf: _af = a.GetU16(); return true;
                case IpvsWire.SvcProtocol: _protocol = a.GetU16(); return true;
                case IpvsWire.SvcAddr: _address = a.Value; _hasAddress = true; return true;
                case IpvsWire.SvcPort: _port = a.GetBe16(); return true;
                case IpvsWire.SvcFwmark: _mark = a.GetU32(); return true;
                default: return false;
            }
        }

        public readonly ServiceKey ToKey()
        {
            var family = Family(_af, "service");
            if (_mark == 0 && !_hasAddress)
            {
                ThrowHelper.ThrowMissingAttribute("service", "IPVS_SVC_ATTR_ADDR");
            }
            return Model.ServiceKey.FromKernel(family, _protocol, _mark == 0 ? Address(_address, family) : null, _port, _mark);
        }
    }

    /// <summary>Decodes the top-level attributes of a NEW_DEST reply.</summary>
    public static DestinationInfo Destination(ReadOnlySpan<byte> attributes, AddressFamily serviceFamily)
    {
        var top = new AttributeReader(attributes);
        while (top.MoveNext())
        {
            if (top.Type == IpvsWire.CmdAttrDest)
            {
                return DestinationNest(top.Value, serviceFamily);
            }
        }
        ThrowHelper.ThrowMissingAttribute("destination", "IPVS_CMD_ATTR_DEST");
        return null;
    }

    public static DestinationInfo DestinationNest(ReadOnlySpan<byte> nest, AddressFamily serviceFamily)
    {
        ReadOnlySpan<byte> address = default;
        bool hasAddress = false;
        ushort af = 0;
        ushort port = 0;
        uint fwd = 0, weight = 0, upper = 0, lower = 0, active = 0, inactive = 0, persistent = 0;
        byte tunType = 0;
        ushort tunPort = 0, tunFlags = 0;
        IpvsStats stats32 = default, stats64 = default;
        bool has64 = false;

        var a = new AttributeReader(nest);
        while (a.MoveNext())
        {
            switch (a.Type)
            {
                case IpvsWire.DestAddr: address = a.Value; hasAddress = true; break;
                case IpvsWire.DestPort: port = a.GetBe16(); break;
                case IpvsWire.DestFwdMethod: fwd = a.GetU32() & 0x7; break;
                case IpvsWire.DestWeight: weight = a.GetU32(); break;
                case IpvsWire.DestUThresh: upper = a.GetU32(); break;
                case IpvsWire.DestLThresh: lower = a.GetU32(); break;
                case IpvsWire.DestActiveConns: active = a.GetU32(); break;
                case IpvsWire.DestInactConns: inactive = a.GetU32(); break;
                case IpvsWire.DestPersistConns: persistent = a.GetU32(); break;
                case IpvsWire.DestAddrFamily: af = a.GetU16(); break;
                case IpvsWire.DestTunType: tunType = a.GetU8(); break;
                case IpvsWire.DestTunPort: tunPort = a.GetBe16(); break;
                case IpvsWire.DestTunFlags: tunFlags = a.GetU16(); break;
                case IpvsWire.DestStats: stats32 = Stats(a.Value); break;
                case IpvsWire.DestStats64: stats64 = Stats(a.Value); has64 = true; break;
            }
        }
        if (!hasAddress)
        {
            ThrowHelper.ThrowMissingAttribute("destination", "IPVS_DEST_ATTR_ADDR");
        }
        // Kernels before 3.18 send no address family: the destination then shares the service's.
        var family = af == 0 ? serviceFamily : Family(af, "destination");
        if (!Enum.IsDefined((ForwardingMethod)fwd) || !Enum.IsDefined((TunnelType)tunType) || weight > int.MaxValue)
        {
            ThrowHelper.ThrowInvalidValue($"destination reply holds an invalid forwarding method {fwd}, tunnel type {tunType} or weight {weight}");
        }
        try
        {
            var d = new Destination(new DestinationKey(Address(address, family), port))
            {
                Forwarding = (ForwardingMethod)fwd,
                Weight = (int)weight,
                UpperThreshold = upper,
                LowerThreshold = lower,
                TunnelType = (TunnelType)tunType,
                TunnelPort = tunPort,
                TunnelFlags = (TunnelFlags)tunFlags,
            };
            return new DestinationInfo(d, active, inactive, persistent, has64 ? stats64 : stats32);
        }
        catch (ArgumentException e)
        {
            throw new NetlinkDecodeException("destination reply holds an invalid value: " + e.Message);
        }
    }

    /// <summary>
    /// Statistics from either nest: STATS mixes u32 and u64 fields, STATS64 is all u64, so each field
    /// is read by its length. PAD (11) and unknown attributes are skipped.
    /// </summary>
    public static IpvsStats Stats(ReadOnlySpan<byte> nest)
    {
        Span<ulong> v = stackalloc ulong[11];
        var a = new AttributeReader(nest);
        while (a.MoveNext())
        {
            if (a.Type is >= IpvsWire.StatsConns and <= IpvsWire.StatsOutBps)
            {
                v[a.Type] = a.Value.Length switch
                {
                    4 => a.GetU32(),
                    8 => a.GetU64(),
                    _ => Invalid(a.Type, a.Value.Length),
                };
            }
        }
        return new IpvsStats(v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]);
    }

    public static SyncDaemon Daemon(ReadOnlySpan<byte> attributes)
    {
        var top = new AttributeReader(attributes);
        while (top.MoveNext())
        {
            if (top.Type != IpvsWire.CmdAttrDaemon)
            {
                continue;
            }
            uint state = 0, syncId = 0;
            string ifname = "";
            ushort maxlen = 0, mport = 0;
            byte ttl = 0;
            IPAddress? group = null;
            var a = top.Nested();
            while (a.MoveNext())
            {
                switch (a.Type)
                {
                    case IpvsWire.DaemonState: state = a.GetU32(); break;
                    case IpvsWire.DaemonMcastIfn: ifname = a.GetString(); break;
                    case IpvsWire.DaemonSyncId: syncId = a.GetU32(); break;
                    case IpvsWire.DaemonSyncMaxlen: maxlen = a.GetU16(); break;
                    case IpvsWire.DaemonMcastGroup: group = a.GetAddress(ipv6: false); break;
                    case IpvsWire.DaemonMcastGroup6: group = a.GetAddress(ipv6: true); break;
                    case IpvsWire.DaemonMcastPort: mport = a.GetU16(); break;
                    case IpvsWire.DaemonMcastTtl: ttl = a.GetU8(); break;
                }
            }
            return new SyncDaemon((SyncDaemonState)state, ifname)
            {
                SyncId = syncId,
                MaxLength = maxlen,
                MulticastGroup = group,
                MulticastPort = mport,
                MulticastTtl = ttl,
            };
        }
        ThrowHelper.ThrowMissingAttribute("daemon", "IPVS_CMD_ATTR_DAEMON");
        return null;
    }

    public static Timeouts Timeouts(ReadOnlySpan<byte> attributes)
    {
        uint tcp = 0, fin = 0, udp = 0;
        var a = new AttributeReader(attributes);
        while (a.MoveNext())
        {
            switch (a.Type)
            {
                case IpvsWire.CmdAttrTimeoutTcp: tcp = a.GetU32(); break;
                case IpvsWire.CmdAttrTimeoutTcpFin: fin = a.GetU32(); break;
                case IpvsWire.CmdAttrTimeoutUdp: udp = a.GetU32(); break;
            }
        }
        return new Timeouts(TimeSpan.FromSeconds(tcp), TimeSpan.FromSeconds(fin), TimeSpan.FromSeconds(udp));
    }

    public static IpvsInfo Info(ReadOnlySpan<byte> attributes)
    {
        uint version = 0, size = 0;
        var a = new AttributeReader(attributes);
        while (a.MoveNext())
        {
            switch (a.Type)
            {
                case IpvsWire.InfoVersion: version = a.GetU32(); break;
                case IpvsWire.InfoConnTabSize: size = a.GetU32(); break;
            }
        }
        // IP_VS_VERSION_CODE packs major.minor.patch as 0x00MMmmpp.
        return new IpvsInfo(new Version((int)(version >> 16) & 0xFF, (int)(version >> 8) & 0xFF, (int)version & 0xFF), size);
    }

    private static AddressFamily Family(ushort af, string what) => af switch
    {
        IpvsWire.AF_INET => AddressFamily.InterNetwork,
        IpvsWire.AF_INET6 => AddressFamily.InterNetworkV6,
        _ => throw new NetlinkDecodeException($"{what} reply has unknown address family {af}"),
    };

    private static IPAddress Address(ReadOnlySpan<byte> value, AddressFamily family)
    {
        int need = family == AddressFamily.InterNetworkV6 ? 16 : 4;
        if (value.Length < need)
        {
            ThrowHelper.ThrowAttributeSize(IpvsWire.SvcAddr, need, value.Length);
        }
        return new IPAddress(value[..need]);
    }

    private static ulong Invalid(ushort type, int length)
    {
        ThrowHelper.ThrowAttributeSize(type, 8, length);
        return 0;
    }
}
