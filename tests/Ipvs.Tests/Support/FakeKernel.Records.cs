namespace Ipvs.Tests.Support;

// Table entries, parsed from request nests and encoded in the order ip_vs_genl_fill_* writes them.
internal sealed partial class FakeKernel
{
    /// <summary>ip_vs_genl_parse_service's identity: AF and FWMARK, or AF, PROTOCOL, ADDR, PORT.</summary>
    internal sealed record Identity(ushort Af, ushort Protocol, string AddrHex, ushort Port, uint Fwmark, bool IsFwmark)
    {
        public static Identity From(ServiceKey k)
        {
            var addr = new byte[16];
            k.Address?.GetAddressBytes().CopyTo(addr, 0);
            ushort af = k.Family == AddressFamily.InterNetworkV6 ? IpvsWire.AF_INET6 : IpvsWire.AF_INET;
            return k.IsFirewallMark
                ? new Identity(af, 6, Convert.ToHexString(new byte[16]), 0, k.FirewallMark, true)
                : new Identity(af, (ushort)k.Protocol, Convert.ToHexString(addr), k.Port, 0, false);
        }

        public static Identity? Parse(ReadOnlySpan<byte> nest)
        {
            ushort? af = null, proto = null, port = null;
            uint? mark = null;
            byte[]? addr = null;
            var a = new AttributeReader(nest);
            while (a.MoveNext())
            {
                switch (a.Type)
                {
                    case IpvsWire.SvcAf: af = a.GetU16(); break;
                    case IpvsWire.SvcProtocol: proto = a.GetU16(); break;
                    case IpvsWire.SvcPort: port = a.GetBe16(); break;
                    case IpvsWire.SvcFwmark: mark = a.GetU32(); break;
                    case IpvsWire.SvcAddr:
                        // nla_memcpy: at most 16 bytes, the rest zero-filled.
                        addr = new byte[16];
                        a.Value[..Math.Min(16, a.Value.Length)].CopyTo(addr);
                        break;
                }
            }
            if (af is null || (mark is null && (proto is null || port is null || addr is null)))
            {
                return null;
            }
            return mark is uint fw
                ? new Identity(af.Value, 6, Convert.ToHexString(new byte[16]), 0, fw, true)
                : new Identity(af.Value, proto!.Value, Convert.ToHexString(addr!), port!.Value, 0, false);
        }

        public byte[] Encode()
        {
            var parts = new List<byte[]> { Nla.U16(IpvsWire.SvcAf, Af) };
            if (IsFwmark)
            {
                parts.Add(Nla.U32(IpvsWire.SvcFwmark, Fwmark));
            }
            else
            {
                parts.Add(Nla.U16(IpvsWire.SvcProtocol, Protocol));
                parts.Add(Nla.Attr(IpvsWire.SvcAddr, Convert.FromHexString(AddrHex)));
                parts.Add(Nla.Be16(IpvsWire.SvcPort, Port));
            }
            return Bytes.Concat([.. parts]);
        }
    }

    internal sealed record ServiceSettings(string Scheduler, string? Pe, uint Flags, uint Mask, uint Timeout, byte[] Netmask)
    {
        // full_entry: SCHED_NAME, FLAGS, TIMEOUT and NETMASK are all required.
        public static ServiceSettings? Parse(ReadOnlySpan<byte> nest)
        {
            string? sched = null, pe = null;
            byte[]? flags = null, mask = null;
            uint? timeout = null;
            var a = new AttributeReader(nest);
            while (a.MoveNext())
            {
                switch (a.Type)
                {
                    case IpvsWire.SvcSchedName: sched = a.GetString(); break;
                    case IpvsWire.SvcPeName: pe = a.GetString(); break;
                    case IpvsWire.SvcFlags: flags = new byte[8]; a.Value[..Math.Min(8, a.Value.Length)].CopyTo(flags); break;
                    case IpvsWire.SvcTimeout: timeout = a.GetU32(); break;
                    case IpvsWire.SvcNetmask: mask = a.Value.ToArray(); break;
                }
            }
            if (sched is null || flags is null || timeout is null || mask is not { Length: 4 })
            {
                return null;
            }
            return new ServiceSettings(sched, string.IsNullOrEmpty(pe) ? null : pe,
                BinaryPrimitives.ReadUInt32LittleEndian(flags), BinaryPrimitives.ReadUInt32LittleEndian(flags.AsSpan(4)), timeout.Value, mask);
        }
    }

    /// <summary>What every service reports as its connection count in STATS64 (STATS says 3).</summary>
    public const ulong Stats64Connections = 5_000_000_003;

    private sealed class FakeService(Identity id)
    {
        public Identity Id { get; } = id;

        public ServiceSettings? Settings { get; set; }

        public List<FakeDest> Destinations { get; } = [];

        public bool Matches(Identity other) => Id.IsFwmark == other.IsFwmark && (Id.IsFwmark
            ? Id.Af == other.Af && Id.Fwmark == other.Fwmark
            : Id == other);

        // ip_vs_genl_fill_service order; flags carry HASHED and a full mask.
        public byte[] Encode()
        {
            var s = Settings!;
            var stats = new IpvsStats(3, 4, 5, 600, 700, 1, 2, 3, 40, 50);
            return Nla.Nest(IpvsWire.CmdAttrService,
                Id.Encode(),
                Nla.Str(IpvsWire.SvcSchedName, s.Scheduler),
                s.Pe is null ? [] : Nla.Str(IpvsWire.SvcPeName, s.Pe),
                Nla.Attr(IpvsWire.SvcFlags, Bytes.Concat(LE32(s.Flags | (uint)ServiceFlags.Hashed), LE32(uint.MaxValue))),
                Nla.U32(IpvsWire.SvcTimeout, s.Timeout),
                Nla.Attr(IpvsWire.SvcNetmask, s.Netmask),
                Nla.Stats32(IpvsWire.SvcStats, stats),
                Nla.Stats64(IpvsWire.SvcStats64, stats with { Connections = Stats64Connections }));
        }
    }

    internal sealed record FakeDest(ushort Af, byte[] Addr, ushort Port, uint Forwarding, uint Weight, uint Upper, uint Lower, byte TunnelType, ushort TunnelPort, ushort TunnelFlags)
    {
        public static FakeDest? Parse(ReadOnlySpan<byte> nest, bool full)
        {
            byte[]? addr = null;
            ushort? port = null;
            ushort af = 0, tport = 0, tflags = 0;
            byte ttype = 0;
            uint? fwd = null, weight = null, upper = null, lower = null;
            var a = new AttributeReader(nest);
            while (a.MoveNext())
            {
                switch (a.Type)
                {
                    case IpvsWire.DestAddr: addr = new byte[16]; a.Value[..Math.Min(16, a.Value.Length)].CopyTo(addr); break;
                    case IpvsWire.DestPort: port = a.GetBe16(); break;
                    case IpvsWire.DestAddrFamily: af = a.GetU16(); break;
                    case IpvsWire.DestFwdMethod: fwd = a.GetU32() & 7; break;
                    case IpvsWire.DestWeight: weight = a.GetU32(); break;
                    case IpvsWire.DestUThresh: upper = a.GetU32(); break;
                    case IpvsWire.DestLThresh: lower = a.GetU32(); break;
                    case IpvsWire.DestTunType: ttype = a.GetU8(); break;
                    case IpvsWire.DestTunPort: tport = a.GetBe16(); break;
                    case IpvsWire.DestTunFlags: tflags = a.GetU16(); break;
                }
            }
            if (addr is null || port is null || (full && (fwd is null || weight is null || upper is null || lower is null)))
            {
                return null;
            }
            return new FakeDest(af, addr, port.Value, fwd ?? 0, weight ?? 0, upper ?? 0, lower ?? 0, ttype, tport, tflags);
        }

        public bool SameKey(FakeDest o) => Af == o.Af && Port == o.Port && Addr.AsSpan().SequenceEqual(o.Addr);

        // ip_vs_genl_fill_dest order.
        public byte[] Encode() => Nla.Nest(IpvsWire.CmdAttrDest,
            Nla.Attr(IpvsWire.DestAddr, Addr),
            Nla.Be16(IpvsWire.DestPort, Port),
            Nla.U32(IpvsWire.DestFwdMethod, Forwarding),
            Nla.U32(IpvsWire.DestWeight, Weight),
            Nla.U8(IpvsWire.DestTunType, TunnelType),
            Nla.Be16(IpvsWire.DestTunPort, TunnelPort),
            Nla.U16(IpvsWire.DestTunFlags, TunnelFlags),
            Nla.U32(IpvsWire.DestUThresh, Upper),
            Nla.U32(IpvsWire.DestLThresh, Lower),
            Nla.U32(IpvsWire.DestActiveConns, 7),
            Nla.U32(IpvsWire.DestInactConns, 8),
            Nla.U32(IpvsWire.DestPersistConns, 9),
            Nla.U16(IpvsWire.DestAddrFamily, Af),
            Nla.Stats32(IpvsWire.DestStats, default),
            Nla.Stats64(IpvsWire.DestStats64, default));
    }

    private sealed record FakeDaemon(uint State, string Interface, uint SyncId, ushort MaxLength, byte[]? Group, ushort Port, byte Ttl)
    {
        public static FakeDaemon? Parse(ReadOnlySpan<byte> nest)
        {
            uint? state = null, syncId = null;
            string? ifn = null;
            ushort maxlen = 0, port = 0;
            byte ttl = 0;
            byte[]? group = null;
            var a = new AttributeReader(nest);
            while (a.MoveNext())
            {
                switch (a.Type)
                {
                    case IpvsWire.DaemonState: state = a.GetU32(); break;
                    case IpvsWire.DaemonMcastIfn: ifn = a.GetString(); break;
                    case IpvsWire.DaemonSyncId: syncId = a.GetU32(); break;
                    case IpvsWire.DaemonSyncMaxlen: maxlen = a.GetU16(); break;
                    case IpvsWire.DaemonMcastGroup: group = a.Value.ToArray(); break;
                    case IpvsWire.DaemonMcastGroup6: group = a.Value.ToArray(); break;
                    case IpvsWire.DaemonMcastPort: port = a.GetU16(); break;
                    case IpvsWire.DaemonMcastTtl: ttl = a.GetU8(); break;
                }
            }
            if (state is null || ifn is null || syncId is null)
            {
                return null;
            }
            // start_sync_thread's defaults: 224.0.0.81, port 8848, ttl 1, maxlen 1500 - 28.
            return new FakeDaemon(state.Value, ifn, syncId.Value, maxlen == 0 ? (ushort)1472 : maxlen,
                group ?? [224, 0, 0, 81], port == 0 ? (ushort)8848 : port, ttl == 0 ? (byte)1 : ttl);
        }

        public byte[] Encode() => Nla.Nest(IpvsWire.CmdAttrDaemon,
            Nla.U32(IpvsWire.DaemonState, State),
            Nla.Str(IpvsWire.DaemonMcastIfn, Interface),
            Nla.U32(IpvsWire.DaemonSyncId, SyncId),
            Nla.U16(IpvsWire.DaemonSyncMaxlen, MaxLength),
            Nla.U16(IpvsWire.DaemonMcastPort, Port),
            Nla.U8(IpvsWire.DaemonMcastTtl, Ttl),
            Nla.Attr(Group!.Length == 16 ? IpvsWire.DaemonMcastGroup6 : IpvsWire.DaemonMcastGroup, Group));
    }

    private static byte[] LE32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }
}
