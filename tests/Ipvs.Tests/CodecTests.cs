using Ipvs.Tests.Support;

namespace Ipvs.Tests;

/// <summary>NetlinkWriter, NetlinkMessageReader and AttributeReader: round trips, alignment, nest lengths.</summary>
public class CodecTests
{
    // A random attribute tree: leaves of every wire type, nests up to three deep.
    private abstract record Node(ushort Type);

    private sealed record U8(ushort Type, byte V) : Node(Type);

    private sealed record U16(ushort Type, ushort V) : Node(Type);

    private sealed record U32(ushort Type, uint V) : Node(Type);

    private sealed record U64(ushort Type, ulong V) : Node(Type);

    private sealed record Be16(ushort Type, ushort V) : Node(Type);

    private sealed record Be32(ushort Type, uint V) : Node(Type);

    private sealed record Str(ushort Type, string V) : Node(Type);

    private sealed record Raw(ushort Type, byte[] V) : Node(Type);

    private sealed record Nest(ushort Type, Node[] Children) : Node(Type);

    private static readonly Gen<ushort> AttrType = Gen.UShort[1, NetlinkConstants.NLA_TYPE_MASK];

    private static readonly Gen<Node> Leaf = Gen.OneOf<Node>(
        Gen.Select(AttrType, Gen.Byte, (t, v) => (Node)new U8(t, v)),
        Gen.Select(AttrType, Gen.UShort, (t, v) => (Node)new U16(t, v)),
        Gen.Select(AttrType, Gen.UInt, (t, v) => (Node)new U32(t, v)),
        Gen.Select(AttrType, Gen.ULong, (t, v) => (Node)new U64(t, v)),
        Gen.Select(AttrType, Gen.UShort, (t, v) => (Node)new Be16(t, v)),
        Gen.Select(AttrType, Gen.UInt, (t, v) => (Node)new Be32(t, v)),
        Gen.Select(AttrType, Gen.String[Gen.Char[' ', '~'], 0, 24], (t, v) => (Node)new Str(t, v)),
        Gen.Select(AttrType, Gen.Byte.Array[0, 40], (t, v) => (Node)new Raw(t, v)));

    private static readonly Gen<Node> Tree = Gen.Recursive<Node>((depth, self) => depth >= 3
        ? Leaf
        : Gen.Frequency((3, Leaf), (1, Gen.Select(AttrType, self.Array[0, 5], (t, c) => (Node)new Nest(t, c)))));

    // Several messages per writer, each a (type, flags, command, attributes) tuple.
    private static readonly Gen<(ushort Type, ushort Flags, byte Command, Node[] Attributes)[]> Messages =
        Gen.Select(Gen.UShort[NetlinkConstants.GENL_ID_CTRL, ushort.MaxValue], Gen.UShort, Gen.Byte, Tree.Array[0, 8]).Array[1, 4];

    [Fact]
    public void Random_attribute_trees_round_trip_through_NetlinkWriter_and_the_readers()
    {
        Messages.Sample(messages =>
        {
            // A tiny initial capacity forces the pooled buffer to grow mid-message.
            using var w = new NetlinkWriter(16);
            for (int round = 0; round < 2; round++)
            {
                // Round 2 reuses the writer after Reset: pooled bytes from round 1 must not leak through.
                w.Reset();
                for (int i = 0; i < messages.Length; i++)
                {
                    var (type, flags, cmd, attrs) = messages[i];
                    int m = w.BeginMessage(type, flags, 1000u + (uint)i);
                    w.WriteGenericHeader(cmd, 1);
                    foreach (var a in attrs)
                    {
                        Write(w, a);
                    }
                    w.EndMessage(m);
                }
                Assert.Equal(messages.Length, w.MessageCount);
                Assert.Equal(w.Length, w.MessageOffset(w.MessageCount));

                var reader = new NetlinkMessageReader(w.WrittenSpan);
                int index = 0;
                int offset = 0;
                while (reader.MoveNext())
                {
                    var (type, flags, cmd, attrs) = messages[index];
                    var h = reader.Header;
                    Assert.Equal(offset, w.MessageOffset(index));
                    Assert.Equal(0, h.Length % 4);
                    Assert.Equal((type, flags, 1000u + (uint)index, 0u), (h.Type, h.Flags, h.Sequence, h.PortId));
                    Assert.Equal([cmd, 1, 0, 0], reader.Payload[..4].ToArray());
                    var body = reader.Payload[4..];
                    CheckLayout(body, 20);
                    Assert.Equal(Describe(attrs), Describe(Read(body, attrs)));
                    offset += h.Length;
                    index++;
                }
                Assert.Equal(messages.Length, index);
                Assert.Equal(w.Length, offset);
            }
        }, iter: 500);
    }

    [Fact]
    public void A_nest_length_covers_its_children_including_the_padding_of_the_last_child()
    {
        using var w = new NetlinkWriter();
        int n = w.BeginNested(1);
        w.PutU8(2, 7);
        w.EndNested(n);
        // nla_len 12 = 4 (header) + 8 (u8 attribute padded); type 1 | NLA_F_NESTED.
        Bytes.Equal(Bytes.Hex("0c00 0180 | 0500 0200 07 000000"), w.WrittenSpan);
    }

    [Fact]
    public void Nests_inside_nests_are_back_patched_innermost_first()
    {
        using var w = new NetlinkWriter();
        int outer = w.BeginNested(3);
        int inner = w.BeginNested(4);
        w.PutU16(5, 0x0102);
        w.EndNested(inner);
        int empty = w.BeginNested(6);
        w.EndNested(empty);
        w.PutString(7, "ab");
        w.EndNested(outer);
        Bytes.Equal(Bytes.Hex(
            "1c00 0380" +              // outer: 4 + 12 + 4 + 8 = 28
            "0c00 0480 0600 0500 0201 0000" + // inner: 4 + u16 padded to 8
            "0400 0680" +              // empty nest: header only
            "0700 0700 616200 00"),    // "ab\0" padded
            w.WrittenSpan);
    }

    [Fact]
    public void Every_attribute_value_is_padded_to_four_bytes_with_zeros()
    {
        using var w = new NetlinkWriter(8);
        // Dirty the pooled buffer first so that padding left unwritten would show.
        w.PutBytes(1, Enumerable.Repeat((byte)0xEE, 64).ToArray());
        w.Reset();
        w.PutU8(1, 0xAA);
        w.PutU16(2, 0xBBBB);
        w.PutBytes(3, [1, 2, 3]);
        w.PutString(4, "");
        w.PutBytes(5, []);
        Bytes.Equal(Bytes.Hex(
            "0500 0100 aa 000000" +
            "0600 0200 bbbb 0000" +
            "0700 0300 010203 00" +
            "0500 0400 00 000000" +
            "0400 0500"), w.WrittenSpan);
    }

    [Fact]
    public void PutAddress_writes_a_16_byte_nf_inet_addr_with_IPv4_in_the_first_four_bytes()
    {
        using var w = new NetlinkWriter();
        w.PutAddress(3, IPAddress.Parse("10.0.0.1"));
        w.PutAddress(3, IPAddress.Parse("2001:db8::1"));
        Bytes.Equal(Bytes.Hex(
            "1400 0300 0a000001 00000000 00000000 00000000" +
            "1400 0300 20010db8 00000000 00000000 00000001"), w.WrittenSpan);
    }

    [Fact]
    public void Big_endian_and_host_order_integers_are_written_as_the_kernel_reads_them()
    {
        using var w = new NetlinkWriter();
        w.PutBe16(4, 80);
        w.PutU16(1, 10);
        w.PutBe32(9, 0xFFFFFF00);
        w.PutU32(9, 64);
        w.PutU64(4, 0x0102030405060708);
        Bytes.Equal(Bytes.Hex(
            "0600 0400 0050 0000" +
            "0600 0100 0a00 0000" +
            "0800 0900 ffffff00" +
            "0800 0900 40000000" +
            "0c00 0400 08070605 04030201"), w.WrittenSpan);
    }

    [Fact]
    public void The_reader_masks_NLA_F_NESTED_and_NLA_F_NET_BYTEORDER_off_the_type()
    {
        var bytes = Bytes.Concat(Nla.Attr(0xC005, [1, 2, 3, 4]), Nla.Attr(0x4006, [9]), Nla.Attr(0x0007, []));
        var a = new AttributeReader(bytes);
        Assert.True(a.MoveNext());
        Assert.Equal(5, a.Type);
        Assert.True(a.IsNested);
        Assert.True(a.MoveNext());
        Assert.Equal(6, a.Type);
        Assert.False(a.IsNested);
        Assert.Equal(9, a.GetU8());
        Assert.True(a.MoveNext());
        Assert.Equal(7, a.Type);
        Assert.True(a.Value.IsEmpty);
        Assert.False(a.MoveNext());
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(4, 2)]
    [InlineData(8, 4)]
    [InlineData(0, 1)]
    public void Typed_getters_refuse_a_wrong_length_with_NetlinkDecodeException_naming_the_attribute(int actual, int wanted)
    {
        var bytes = Nla.Attr(9, new byte[actual]);
        NetlinkDecodeException e = wanted switch
        {
            1 => Assert.Throws<NetlinkDecodeException>(() => Get(bytes, r => r.GetU8())),
            2 => Assert.Throws<NetlinkDecodeException>(() => Get(bytes, r => r.GetBe16())),
            4 => Assert.Throws<NetlinkDecodeException>(() => Get(bytes, r => r.GetU32())),
            _ => Assert.Throws<NetlinkDecodeException>(() => Get(bytes, r => r.GetU64())),
        };
        Assert.Contains("attribute 9", e.Message, StringComparison.Ordinal);
        Assert.Equal(Errno.EBADMSG, e.Errno);
    }

    [Fact]
    public void GetString_stops_at_the_first_NUL_and_accepts_a_missing_terminator()
    {
        var bytes = Bytes.Concat(Nla.Attr(1, "wlc\0junk"u8), Nla.Attr(2, "rr"u8));
        var a = new AttributeReader(bytes);
        Assert.True(a.MoveNext());
        Assert.Equal("wlc", a.GetString());
        Assert.True(a.MoveNext());
        Assert.Equal("rr", a.GetString());
    }

    [Fact]
    public void GetAddress_reads_IPv4_from_the_first_four_bytes_of_a_16_byte_value()
    {
        var bytes = Nla.Addr16(1, IPAddress.Parse("192.0.2.7"));
        var a = new AttributeReader(bytes);
        Assert.True(a.MoveNext());
        Assert.Equal(IPAddress.Parse("192.0.2.7"), a.GetAddress(ipv6: false));
        Assert.Equal(IPAddress.Parse("c000:207::"), a.GetAddress(ipv6: true));
    }

    [Fact]
    public void The_last_attribute_and_message_of_a_buffer_may_lack_their_padding()
    {
        // The kernel pads, but the readers must not insist on it at the very end.
        var attrs = Nla.Attr(1, [0xAB]).AsSpan(0, 5).ToArray();
        var a = new AttributeReader(attrs);
        Assert.True(a.MoveNext());
        Assert.Equal(0xAB, a.GetU8());
        Assert.False(a.MoveNext());

        var message = Nla.Message(NetlinkConstants.NLMSG_DONE, 0, 9, [1, 2, 3, 4, 5]);
        var r = new NetlinkMessageReader(message.AsSpan(0, 21));
        Assert.True(r.MoveNext());
        Assert.Equal(5, r.Payload.Length);
        Assert.False(r.MoveNext());
    }

    [Theory]
    [InlineData("0300 0100")]          // nla_len below the header size
    [InlineData("0900 0100 0000 0000")] // nla_len beyond the buffer
    [InlineData("0800 01")]            // header cut short
    public void Malformed_attribute_headers_throw_NetlinkDecodeException(string hex)
    {
        var bytes = Bytes.Hex(hex);
        Assert.Throws<NetlinkDecodeException>(() =>
        {
            var a = new AttributeReader(bytes);
            while (a.MoveNext())
            {
            }
        });
    }

    [Theory]
    [InlineData("0f000000 0300 0000 00000000 00000000")] // nlmsg_len below the header size
    [InlineData("14000000 0300 0000 00000000 00000000")] // nlmsg_len beyond the buffer
    [InlineData("10000000 0300 0000 00000000 000000")]   // header cut short
    [InlineData("00000080 0300 0000 00000000 00000000")] // negative nlmsg_len
    public void Malformed_message_headers_throw_NetlinkDecodeException(string hex)
    {
        var bytes = Bytes.Hex(hex);
        Assert.Throws<NetlinkDecodeException>(() =>
        {
            var r = new NetlinkMessageReader(bytes);
            while (r.MoveNext())
            {
            }
        });
    }

    // ---------------------------------------------------------------- helpers

    private delegate T Getter<out T>(AttributeReader reader);

    private static T Get<T>(byte[] bytes, Getter<T> get)
    {
        var a = new AttributeReader(bytes);
        a.MoveNext();
        return get(a);
    }

    private static void Write(NetlinkWriter w, Node node)
    {
        switch (node)
        {
            case U8 n: w.PutU8(n.Type, n.V); break;
            case U16 n: w.PutU16(n.Type, n.V); break;
            case U32 n: w.PutU32(n.Type, n.V); break;
            case U64 n: w.PutU64(n.Type, n.V); break;
            case Be16 n: w.PutBe16(n.Type, n.V); break;
            case Be32 n: w.PutBe32(n.Type, n.V); break;
            case Str n: w.PutString(n.Type, n.V); break;
            case Raw n: w.PutBytes(n.Type, n.V); break;
            case Nest n:
                int token = w.BeginNested(n.Type);
                foreach (var c in n.Children)
                {
                    Write(w, c);
                }
                w.EndNested(token);
                break;
        }
    }

    // Decodes with the getter the expected shape calls for.
    private static Node[] Read(ReadOnlySpan<byte> attributes, Node[] shape)
    {
        var result = new List<Node>();
        var a = new AttributeReader(attributes);
        int i = 0;
        while (a.MoveNext())
        {
            Assert.True(i < shape.Length, "more attributes decoded than written");
            var s = shape[i++];
            Assert.Equal(s is Nest, a.IsNested);
            result.Add(s switch
            {
                U8 => new U8(a.Type, a.GetU8()),
                U16 => new U16(a.Type, a.GetU16()),
                U32 => new U32(a.Type, a.GetU32()),
                U64 => new U64(a.Type, a.GetU64()),
                Be16 => new Be16(a.Type, a.GetBe16()),
                Be32 => new Be32(a.Type, a.GetBe32()),
                Str => new Str(a.Type, a.GetString()),
                Raw => new Raw(a.Type, a.Value.ToArray()),
                Nest n => new Nest(a.Type, Read(a.Value, n.Children)),
                _ => throw new InvalidOperationException(),
            });
        }
        return [.. result];
    }

    private static string Describe(IEnumerable<Node> nodes) => string.Join(",", nodes.Select(Describe));

    private static string Describe(Node n) => n switch
    {
        Raw r => $"Raw({r.Type},{Convert.ToHexString(r.V)})",
        Nest x => $"Nest({x.Type},[{Describe(x.Children)}])",
        _ => n.ToString(),
    };

    // Independent of the readers: every attribute starts 4-aligned (relative to the message), its
    // padding is zero, and a nest's nla_len covers exactly its aligned children.
    private static void CheckLayout(ReadOnlySpan<byte> attrs, int baseOffset)
    {
        int o = 0;
        while (o < attrs.Length)
        {
            Assert.Equal(0, (baseOffset + o) % 4);
            int len = BinaryPrimitives.ReadUInt16LittleEndian(attrs[o..]);
            ushort type = BinaryPrimitives.ReadUInt16LittleEndian(attrs[(o + 2)..]);
            Assert.InRange(len, 4, attrs.Length - o);
            int padded = (len + 3) & ~3;
            Assert.True(o + padded <= attrs.Length, $"attribute at {baseOffset + o} has no room for its padding");
            Assert.True(attrs[(o + len)..(o + padded)].IndexOfAnyExcept((byte)0) < 0, "padding must be zero");
            if ((type & NetlinkConstants.NLA_F_NESTED) != 0)
            {
                var value = attrs[(o + 4)..(o + len)];
                Assert.Equal(0, value.Length % 4);
                CheckLayout(value, baseOffset + o + 4);
            }
            o += padded;
        }
        Assert.Equal(attrs.Length, o);
    }
}
