using Ipvs.Tests.Support;

namespace Ipvs.Tests;

/// <summary>
/// Model → request encoding → reply decoding gives the model back, for random valid values. The
/// kernel echoes the attributes it stored in the same layout it reads them, so encoding a request
/// and decoding its nest as a reply is the round trip that matters.
/// </summary>
public class ModelRoundTripProperties
{
    private const ushort Family = 0x25;

    [Fact]
    public void Services_round_trip_through_request_encoding_and_reply_decoding()
    {
        Gen.Select(Gens.AnyService, Gen.Bool).Sample((service, edit) =>
        {
            var op = edit ? IpvsOperation.EditService(service) : IpvsOperation.AddService(service);
            var decoded = IpvsReplies.ServiceNest(TopLevel(op, IpvsWire.CmdAttrService)).Service;
            Assert.Equal(service, decoded);
            Assert.Equal(service.Netmask, decoded.Netmask);
            Assert.Equal(service.Scheduler.Name, decoded.Scheduler.Name);
        }, iter: 3000);
    }

    [Fact]
    public void Service_keys_round_trip_through_every_request_that_names_a_service()
    {
        Gens.AnyKey.Sample(key =>
        {
            foreach (var op in new[]
            {
                IpvsOperation.DeleteService(key),
                IpvsOperation.Zero(key),
                IpvsOperation.DeleteDestination(key, DestinationKey.Parse("10.0.0.1:1")),
            })
            {
                Assert.Equal(key, IpvsReplies.ServiceNest(TopLevel(op, IpvsWire.CmdAttrService)).Key);
            }
            using var w = new NetlinkWriter();
            IpvsRequests.WriteGetDestinations(w, Family, 1, key);
            Assert.Equal(key, IpvsReplies.Service(Attributes(w)).Key);
            w.Reset();
            IpvsRequests.WriteGetService(w, Family, 1, key);
            Assert.Equal(key, IpvsReplies.Service(Attributes(w)).Key);
        }, iter: 2000);
    }

    [Fact]
    public void Destinations_round_trip_through_request_encoding_and_reply_decoding()
    {
        Gen.Select(Gens.AnyKey, Gens.AnyDestination, Gen.Bool).Sample((service, destination, edit) =>
        {
            var op = edit ? IpvsOperation.EditDestination(service, destination) : IpvsOperation.AddDestination(service, destination);
            Assert.Equal(service, IpvsReplies.ServiceNest(TopLevel(op, IpvsWire.CmdAttrService)).Key);
            var decoded = IpvsReplies.DestinationNest(TopLevel(op, IpvsWire.CmdAttrDest), service.Family).Destination;
            Assert.Equal(destination, decoded);

            var key = IpvsReplies.DestinationNest(TopLevel(IpvsOperation.DeleteDestination(service, destination.Key), IpvsWire.CmdAttrDest), service.Family).Key;
            Assert.Equal(destination.Key, key);
        }, iter: 3000);
    }

    [Fact]
    public void Sync_daemons_round_trip_through_request_encoding_and_reply_decoding()
    {
        Gens.AnyDaemon.Sample(daemon =>
        {
            var decoded = IpvsReplies.Daemon(Attributes(IpvsOperation.StartSyncDaemon(daemon)));
            Assert.Equal(daemon, decoded);
        }, iter: 2000);
    }

    [Fact]
    public void Timeouts_round_trip_through_request_encoding_and_reply_decoding()
    {
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue]).Sample((tcp, fin, udp) =>
        {
            var t = Timeouts.FromSeconds(tcp, fin, udp);
            Assert.Equal(t, IpvsReplies.Timeouts(Attributes(IpvsOperation.SetTimeouts(t))));
        }, iter: 1000);
    }

    [Fact]
    public void Every_encoded_request_is_one_aligned_message_whose_length_matches_the_writer()
    {
        Gen.Select(Gens.AnyService, Gens.AnyDestination, Gens.AnyDaemon).Sample((service, destination, daemon) =>
        {
            using var w = new NetlinkWriter(16);
            var ops = new[]
            {
                IpvsOperation.AddService(service),
                IpvsOperation.AddDestination(service.Key, destination),
                IpvsOperation.StartSyncDaemon(daemon),
                IpvsOperation.DeleteDestination(service.Key, destination.Key),
            };
            for (int i = 0; i < ops.Length; i++)
            {
                IpvsRequests.Write(w, Family, (uint)i, ops[i]);
            }
            var r = new NetlinkMessageReader(w.WrittenSpan);
            int n = 0;
            while (r.MoveNext())
            {
                Assert.Equal(0, r.Header.Length % 4);
                Assert.Equal(w.MessageOffset(n + 1) - w.MessageOffset(n), r.Header.Length);
                Assert.Equal((byte)ops[n].Command, r.Payload[0]);
                n++;
            }
            Assert.Equal(ops.Length, n);
        }, iter: 1000);
    }

    // The value of the first top-level attribute of that type in the request for op.
    private static byte[] TopLevel(IpvsOperation op, ushort type)
    {
        var attrs = Attributes(op);
        var a = new AttributeReader(attrs);
        while (a.MoveNext())
        {
            if (a.Type == type)
            {
                Assert.True(a.IsNested, "IPVS command attributes are nests and must carry NLA_F_NESTED");
                return a.Value.ToArray();
            }
        }
        Assert.Fail($"the {op.Command} request has no attribute {type}");
        return [];
    }

    private static byte[] Attributes(IpvsOperation op)
    {
        using var w = new NetlinkWriter();
        IpvsRequests.Write(w, Family, 1, op);
        return Attributes(w);
    }

    private static byte[] Attributes(NetlinkWriter w)
    {
        var r = new NetlinkMessageReader(w.WrittenSpan);
        Assert.True(r.MoveNext());
        return r.Payload[4..].ToArray();
    }
}
