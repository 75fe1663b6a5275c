using Ipvs.Tests.Support;

namespace Ipvs.Tests;

/// <summary>
/// Garbage, truncated and mutated replies fed to every decoder: the only exception allowed out is
/// <see cref="NetlinkDecodeException"/>, and every walk terminates (each step consumes at least a
/// header, which is checked, and the whole sample runs under a deadline).
/// </summary>
public class DecoderRobustnessTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    // Valid, kernel-shaped datagrams to start mutating from.
    private static readonly byte[][] Seeds = BuildSeeds();

    // Values that sit on the boundaries of length checks, written over u16/u32 fields.
    private static readonly Gen<int> EdgeInt = Gen.OneOf(
        0, 1, 3, 4, 5, 8, 15, 16, 17, 19, 20, 24, 0x7FFF, 0x8000, 0xFFFF, 0x10000,
        -1, -4, -16, int.MinValue, int.MaxValue, int.MaxValue - 4, int.MaxValue - 7);

    private static readonly Gen<byte[]> Garbage = Gen.Byte.Array[0, 160];

    // A seed, truncated at any point, with up to four bytes or 16/32-bit fields overwritten.
    private static readonly Gen<byte[]> Mutated =
        from seed in Gen.Int[0, Seeds.Length - 1].Select(i => Seeds[i])
        from cut in Gen.Int[0, seed.Length]
        from edits in Gen.Select(Gen.Int[0, 2], Gen.Int[0, seed.Length], Gen.Int.Uniform, EdgeInt, Gen.Bool).Array[0, 4]
        select Mutate(seed, cut, edits);

    private static readonly Gen<byte[]> AnyInput = Gen.Frequency((1, Garbage), (3, Mutated));

    [Fact]
    public async Task Message_and_attribute_readers_throw_only_NetlinkDecodeException_and_terminate()
    {
        await Run(() => AnyInput.Sample(bytes =>
        {
            OnlyDecodeErrors(() => WalkMessages(bytes));
            OnlyDecodeErrors(() => WalkAttributes(bytes, 0));
        }, iter: 4_000));
    }

    [Fact]
    public async Task IpvsReplies_decoders_throw_only_NetlinkDecodeException_and_terminate()
    {
        await Run(() => AnyInput.Sample(bytes =>
        {
            // Whole datagrams, as the connection hands them over (attributes after the genl header)...
            OnlyDecodeErrors(() =>
            {
                var r = new NetlinkMessageReader(bytes);
                while (r.MoveNext())
                {
                    if (r.Payload.Length >= 4)
                    {
                        DecodeAll(r.Payload[4..].ToArray());
                    }
                }
            });
            // ...and the raw bytes as attributes and as nests.
            DecodeAll(bytes);
        }, iter: 8_000));
    }

    [Fact]
    public async Task ParseError_throws_only_NetlinkDecodeException_and_terminates()
    {
        var flags = Gen.OneOf<ushort>(0, NetlinkConstants.NLM_F_CAPPED, NetlinkConstants.NLM_F_ACK_TLVS,
            NetlinkConstants.NLM_F_CAPPED | NetlinkConstants.NLM_F_ACK_TLVS);
        // struct nlmsgerr with the echoed header's nlmsg_len set to boundary values.
        var structured =
            from errno in Gen.Int
            from echoedLength in Gen.Frequency((1, Gen.Int), (3, EdgeInt))
            from tail in Gen.Byte.Array[0, 48]
            select Bytes.Concat(BitConverter.GetBytes(errno), BitConverter.GetBytes(echoedLength), new byte[12], tail);
        var payloads = Gen.Frequency((1, Garbage), (1, Mutated.Select(m => m.Length > 16 ? m[16..] : m)), (2, structured));

        await Run(() => Gen.Select(payloads, flags).Sample((payload, f) =>
        {
            OnlyDecodeErrors(() => NetlinkConnection.ParseError(payload, f));
        }, iter: 40_000));
    }

    [Fact]
    public void ParseError_with_an_echoed_length_near_int_MaxValue_throws_only_NetlinkDecodeException()
    {
        for (int len = int.MaxValue - 6; len <= int.MaxValue - 3; len++)
        {
            var payload = Bytes.Concat(BitConverter.GetBytes(-Errno.EINVAL), BitConverter.GetBytes(len), new byte[12], Nla.Str(1, "x"));
            var e = Record.Exception(() => NetlinkConnection.ParseError(payload, NetlinkConstants.NLM_F_ACK_TLVS));
            Assert.True(e is null or NetlinkDecodeException, $"echoed nlmsg_len 0x{len:X8}: {e}");
        }
    }

    [Fact]
    public void Every_truncation_of_every_valid_reply_decodes_or_throws_NetlinkDecodeException()
    {
        foreach (var seed in Seeds)
        {
            for (int cut = 0; cut <= seed.Length; cut++)
            {
                var bytes = seed[..cut];
                OnlyDecodeErrors(() => WalkMessages(bytes));
                OnlyDecodeErrors(() => DecodeAsReplies(bytes));
            }
        }
    }

    [Fact]
    public void The_seed_replies_are_valid_and_decode()
    {
        // Guards the fuzzers above: mutating invalid seeds would prove little.
        Assert.Equal([2, 1, 1, 1, 1, 1, 2], Seeds.Select(DecodeAsReplies));
    }

    // ---------------------------------------------------------------- helpers

    private static async Task Run(Action sample)
    {
        // A decoder that loops forever would hang the sample: bound it.
        await Task.Run(sample).WaitAsync(Deadline, TestContext.Current.CancellationToken);
    }

    private static void OnlyDecodeErrors(Action decode)
    {
        try
        {
            decode();
        }
        catch (NetlinkDecodeException)
        {
        }
    }

    // Each message decoded as what its command says it is, as the client does.
    private static int DecodeAsReplies(byte[] datagram)
    {
        int decoded = 0;
        var r = new NetlinkMessageReader(datagram);
        while (r.MoveNext())
        {
            if (r.Header.Type == NetlinkConstants.NLMSG_ERROR)
            {
                NetlinkConnection.ParseError(r.Payload, r.Header.Flags);
                decoded++;
                continue;
            }
            if (r.Header.Type == NetlinkConstants.NLMSG_DONE || r.Payload.Length < 4)
            {
                continue;
            }
            var attrs = r.Payload[4..];
            switch ((IpvsCommand)r.Payload[0])
            {
                case IpvsCommand.NewService: IpvsReplies.Service(attrs); break;
                case IpvsCommand.NewDest: IpvsReplies.Destination(attrs, AddressFamily.InterNetwork); break;
                case IpvsCommand.NewDaemon: IpvsReplies.Daemon(attrs); break;
                case IpvsCommand.SetConfig: IpvsReplies.Timeouts(attrs); break;
                case IpvsCommand.SetInfo: IpvsReplies.Info(attrs); break;
                default: continue;
            }
            decoded++;
        }
        return decoded;
    }

    private static void DecodeAll(byte[] attributes)
    {
        OnlyDecodeErrors(() => IpvsReplies.Service(attributes));
        OnlyDecodeErrors(() => IpvsReplies.ServiceNest(attributes));
        OnlyDecodeErrors(() => IpvsReplies.Destination(attributes, AddressFamily.InterNetwork));
        OnlyDecodeErrors(() => IpvsReplies.Destination(attributes, AddressFamily.InterNetworkV6));
        OnlyDecodeErrors(() => IpvsReplies.DestinationNest(attributes, AddressFamily.InterNetwork));
        OnlyDecodeErrors(() => IpvsReplies.DestinationNest(attributes, AddressFamily.InterNetworkV6));
        OnlyDecodeErrors(() => IpvsReplies.Stats(attributes));
        OnlyDecodeErrors(() => IpvsReplies.Daemon(attributes));
        OnlyDecodeErrors(() => IpvsReplies.Timeouts(attributes));
        OnlyDecodeErrors(() => IpvsReplies.Info(attributes));
    }

    private static void WalkMessages(byte[] bytes)
    {
        var r = new NetlinkMessageReader(bytes);
        int steps = 0;
        while (r.MoveNext())
        {
            Assert.True(++steps <= bytes.Length / NetlinkConstants.NLMSG_HDRLEN, "the message reader did not advance");
            Assert.True(r.Payload.Length <= bytes.Length - NetlinkConstants.NLMSG_HDRLEN);
            if (r.Header.Type == NetlinkConstants.NLMSG_ERROR)
            {
                var payload = r.Payload.ToArray();
                var flags = r.Header.Flags;
                OnlyDecodeErrors(() => NetlinkConnection.ParseError(payload, flags));
            }
            else if (r.Payload.Length >= 4)
            {
                WalkAttributes(r.Payload[4..].ToArray(), 0);
            }
        }
    }

    // Every getter on every attribute, recursing into anything that could be a nest.
    private static void WalkAttributes(byte[] bytes, int depth)
    {
        var a = new AttributeReader(bytes);
        int steps = 0;
        while (a.MoveNext())
        {
            Assert.True(++steps <= bytes.Length / NetlinkConstants.NLA_HDRLEN, "the attribute reader did not advance");
            Assert.InRange(a.Type, 0, NetlinkConstants.NLA_TYPE_MASK);
            var value = a.Value.ToArray();
            TryGet(value, r => r.GetU8());
            TryGet(value, r => r.GetU16());
            TryGet(value, r => r.GetBe16());
            TryGet(value, r => r.GetU32());
            TryGet(value, r => r.GetBe32());
            TryGet(value, r => r.GetU64());
            TryGet(value, r => r.GetString());
            TryGet(value, r => r.GetAddress(ipv6: false));
            TryGet(value, r => r.GetAddress(ipv6: true));
            if (depth < 6 && value.Length >= NetlinkConstants.NLA_HDRLEN)
            {
                OnlyDecodeErrors(() => WalkAttributes(value, depth + 1));
            }
        }
    }

    private delegate object Getter(AttributeReader reader);

    private static void TryGet(byte[] value, Getter get)
    {
        // Re-wrap the value as a single attribute so the getter sees exactly these bytes.
        var attr = Nla.Attr(1, value);
        OnlyDecodeErrors(() =>
        {
            var a = new AttributeReader(attr);
            Assert.True(a.MoveNext());
            get(a);
        });
    }

    private static byte[] Mutate(byte[] seed, int cut, (int Kind, int At, int Random, int Edge, bool UseEdge)[] edits)
    {
        var b = seed[..cut];
        foreach (var (kind, at, random, edge, useEdge) in edits)
        {
            int v = useEdge ? edge : random;
            int width = kind switch { 0 => 1, 1 => 2, _ => 4 };
            if (at + width > b.Length)
            {
                continue;
            }
            switch (width)
            {
                case 1: b[at] = (byte)v; break;
                case 2: BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), (ushort)v); break;
                default: BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(at), v); break;
            }
        }
        return b;
    }

    private static byte[][] BuildSeeds()
    {
        const ushort F = 0x25;
        var stats = new IpvsStats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        byte[] Svc(params byte[][] identity) => Nla.Nest(IpvsWire.CmdAttrService,
            Bytes.Concat(identity),
            Nla.Str(IpvsWire.SvcSchedName, "wlc"),
            Nla.Str(IpvsWire.SvcPeName, "sip"),
            Nla.Attr(IpvsWire.SvcFlags, Bytes.Hex("03000000 ffffffff")),
            Nla.U32(IpvsWire.SvcTimeout, 300),
            Nla.U32(IpvsWire.SvcNetmask, 64),
            Nla.Stats32(IpvsWire.SvcStats, stats),
            Nla.Stats64(IpvsWire.SvcStats64, stats, pad: true));
        var v6Service = Svc(
            Nla.U16(IpvsWire.SvcAf, IpvsWire.AF_INET6),
            Nla.U16(IpvsWire.SvcProtocol, 6),
            Nla.Addr16(IpvsWire.SvcAddr, IPAddress.Parse("2001:db8::1")),
            Nla.Be16(IpvsWire.SvcPort, 443));
        var markService = Svc(Nla.U16(IpvsWire.SvcAf, IpvsWire.AF_INET), Nla.U32(IpvsWire.SvcFwmark, 9));
        var dest = Nla.Nest(IpvsWire.CmdAttrDest,
            Nla.Addr16(IpvsWire.DestAddr, IPAddress.Parse("10.0.0.5")),
            Nla.Be16(IpvsWire.DestPort, 80),
            Nla.U32(IpvsWire.DestFwdMethod, 2),
            Nla.U32(IpvsWire.DestWeight, 1),
            Nla.U8(IpvsWire.DestTunType, 1),
            Nla.Be16(IpvsWire.DestTunPort, 6080),
            Nla.U16(IpvsWire.DestTunFlags, 1),
            Nla.U32(IpvsWire.DestUThresh, 10),
            Nla.U32(IpvsWire.DestLThresh, 5),
            Nla.U32(IpvsWire.DestActiveConns, 1),
            Nla.U32(IpvsWire.DestInactConns, 2),
            Nla.U32(IpvsWire.DestPersistConns, 3),
            Nla.U16(IpvsWire.DestAddrFamily, IpvsWire.AF_INET),
            Nla.Stats32(IpvsWire.DestStats, stats),
            Nla.Stats64(IpvsWire.DestStats64, stats));
        var daemon = Nla.Nest(IpvsWire.CmdAttrDaemon,
            Nla.U32(IpvsWire.DaemonState, 1),
            Nla.Str(IpvsWire.DaemonMcastIfn, "eth0"),
            Nla.U32(IpvsWire.DaemonSyncId, 1),
            Nla.U16(IpvsWire.DaemonSyncMaxlen, 1472),
            Nla.U16(IpvsWire.DaemonMcastPort, 8848),
            Nla.U8(IpvsWire.DaemonMcastTtl, 1),
            Nla.Addr16(IpvsWire.DaemonMcastGroup6, IPAddress.Parse("ff02::81")));
        const ushort Multi = NetlinkConstants.NLM_F_MULTI;
        return
        [
            Bytes.Concat(Nla.Genl(F, Multi, 1, (byte)IpvsCommand.NewService, v6Service),
                Nla.Genl(F, Multi, 1, (byte)IpvsCommand.NewService, markService), Nla.Done(1)),
            Bytes.Concat(Nla.Genl(F, Multi, 2, (byte)IpvsCommand.NewDest, dest), Nla.Done(2)),
            Nla.Genl(F, Multi, 3, (byte)IpvsCommand.NewDaemon, daemon),
            Nla.Genl(F, 0, 4, (byte)IpvsCommand.SetConfig,
                Nla.U32(IpvsWire.CmdAttrTimeoutTcp, 900), Nla.U32(IpvsWire.CmdAttrTimeoutTcpFin, 120), Nla.U32(IpvsWire.CmdAttrTimeoutUdp, 300)),
            Nla.Genl(F, 0, 5, (byte)IpvsCommand.SetInfo, Nla.U32(IpvsWire.InfoVersion, 0x010201), Nla.U32(IpvsWire.InfoConnTabSize, 4096)),
            Nla.Error(6, Errno.EINVAL, text: "Attribute failed policy validation"),
            Bytes.Concat(Nla.Error(7, Errno.EINVAL), Nla.Error(8, Errno.EINVAL, Nla.Genl(F, 5, 8, 1, Nla.U32(1, 1))[..16], "x")),
        ];
    }
}
