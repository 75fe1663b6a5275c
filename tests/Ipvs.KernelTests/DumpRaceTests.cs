using System.Net;
using Ipvs.Kernel;
using Ipvs.KernelTests.Infrastructure;
using Ipvs.Model;
using Ipvs.Netlink;
using static Ipvs.KernelTests.Infrastructure.KernelLab;

namespace Ipvs.KernelTests;

/// <summary>
/// A destination dump against the real kernel, with another client changing the service at the
/// one moment that matters: after the request was sent, before the reply is read. The kernel fills
/// the first chunk of a dump while the request is sent, and continues the walk (by position) when
/// that chunk is read; a destination added in between goes to the head of the service's list and
/// shifts the walk back by one. A daemon reconciling a table while another process reads it hits
/// this by chance (a kernel lab test did, reading a table while `ipvs run` reloaded); the hook here
/// makes it happen on every read.
/// </summary>
public sealed class DumpRaceTests
{
    private static readonly ServiceKey Web = ServiceKey.Tcp("10.8.0.1:80");

    [Fact]
    public async Task A_destination_added_between_the_dump_request_and_its_reply_is_sent_twice_by_the_kernel_and_listed_once_by_every_read()
    {
        await using var ns = await Netns.CreateAsync();
        using var writer = ns.OpenClient();
        var stable = Enumerable.Range(1, 6).Select(i => new Destination($"172.28.0.{i}:80", 1)).ToArray();
        (await writer.ExecuteAsync([IpvsOperation.AddService(new VirtualService(Web)), .. stable.Select(d => IpvsOperation.AddDestination(Web, d))], cancellationToken: Ct)).ThrowIfFailed();
        int added = 0;
        var transport = new HookedTransport(NetlinkSocket.Open(ns.Path, 1 << 20, 1 << 20), () =>
        {
            // Runs on the reader's thread, inside its read: a second client (its own socket) changes the table.
            writer.AddDestinationAsync(Web, new Destination($"172.27.0.{++added}:80", 1), Ct).GetAwaiter().GetResult();
        });
        using var reader = IpvsClient.Open(transport, new IpvsClientOptions { NetworkNamespace = ns.Name });
        var stableKeys = stable.Select(d => d.Key).ToHashSet();

        // The kernel's side: the entries received outnumber the destinations by one.
        transport.Armed = true;
        var once = await reader.DumpDestinationsAsync(Web, Ct);
        transport.Armed = false;
        Assert.Equal(1, added);
        Assert.Equal(stable.Length + 1, transport.EntriesReceived);
        Assert.Equal(stableKeys, once.Select(d => d.Key).ToHashSet());
        Assert.Equal(stable.Length, once.Count);

        // GetDestinationsAsync and GetTableAsync read again while reads differ; every read they
        // return names each destination once and holds every destination nobody removed.
        foreach (var read in new Func<Task<IReadOnlyList<DestinationInfo>>>[]
        {
            () => reader.GetDestinationsAsync(Web, Ct),
            async () => (await reader.GetTableAsync(Ct)).Single().Destinations,
        })
        {
            int before = added;
            transport.Armed = true;
            var got = await read();
            transport.Armed = false;
            Assert.True(added > before, "the hook never ran");
            Assert.Equal(got.Count, got.Select(d => d.Key).Distinct().Count());
            Assert.Superset(stableKeys, got.Select(d => d.Key).ToHashSet());
        }

        // The real ipvsadm reads the table this left: every destination once.
        var saved = await ns.SaveAsync();
        Assert.Equal(stable.Length + added, saved.Count(l => l.StartsWith("-a ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_destination_deleted_between_two_chunks_of_a_long_dump_makes_the_kernel_skip_one_and_GetDestinations_reads_again()
    {
        await using var ns = await Netns.CreateAsync();
        using var writer = ns.OpenClient();
        var stable = Enumerable.Range(1, 300).Select(i => new Destination($"172.26.{i / 200}.{i % 200 + 1}:80", 1)).ToArray();
        var gone = new Destination("172.25.0.1:80", 1);
        (await writer.ExecuteAsync([IpvsOperation.AddService(new VirtualService(Web)), .. stable.Select(d => IpvsOperation.AddDestination(Web, d))], cancellationToken: Ct)).ThrowIfFailed();
        var transport = new HookedTransport(NetlinkSocket.Open(ns.Path, 1 << 20, 1 << 20), () =>
            // The first chunk (with this destination, at the head of the list) is already queued.
            writer.DeleteDestinationAsync(Web, gone.Key, Ct).GetAwaiter().GetResult());
        using var reader = IpvsClient.Open(transport, new IpvsClientOptions { NetworkNamespace = ns.Name });
        var stableKeys = stable.Select(d => d.Key).ToHashSet();

        // One dump, as ipvsadm reads: the walk resumed one place too far and a destination went unseen.
        await writer.AddDestinationAsync(Web, gone, Ct);
        transport.ArmOnce();
        var once = await reader.DumpDestinationsAsync(Web, Ct);
        Assert.Equal(stable.Length, transport.EntriesReceived); // 301 destinations, one deleted, one skipped
        Assert.Contains(gone.Key, once.Select(d => d.Key));
        Assert.Equal(stable.Length - 1, once.Count(d => stableKeys.Contains(d.Key)));

        // GetDestinationsAsync and GetTableAsync read a dump of several chunks again, until two reads agree.
        foreach (var read in new Func<Task<IReadOnlyList<DestinationInfo>>>[]
        {
            () => reader.GetDestinationsAsync(Web, Ct),
            async () => (await reader.GetTableAsync(Ct)).Single().Destinations,
        })
        {
            await writer.AddDestinationAsync(Web, gone, Ct);
            transport.ArmOnce();
            var got = await read();
            Assert.False(transport.Armed, "the hook never ran");
            Assert.Equal(stableKeys, got.Select(d => d.Key).ToHashSet());
            Assert.Equal(stable.Length, got.Count);
        }
    }

    // The real socket, with a hook run after each destination dump request is sent (while armed)
    // and a count of the dump entries the kernel sent back.
    private sealed class HookedTransport(NetlinkSocket socket, Action afterDumpSent) : INetlinkTransport
    {
        private bool _once;

        public bool Armed;

        /// <summary>Runs the hook after the next destination dump request only.</summary>
        public void ArmOnce() => (Armed, _once) = (true, true);

        public int EntriesReceived { get; private set; }

        public int SendBufferSize => socket.SendBufferSize;

        public int ReceiveBufferSize => socket.ReceiveBufferSize;

        public TimeSpan ReceiveTimeout { set => socket.ReceiveTimeout = value; }

        public void Send(ReadOnlySpan<byte> datagram)
        {
            socket.Send(datagram);
            var reader = new NetlinkMessageReader(datagram);
            if (reader.MoveNext()
                && (reader.Header.Flags & NetlinkConstants.NLM_F_DUMP) == NetlinkConstants.NLM_F_DUMP
                && reader.Payload.Length > 0
                && reader.Payload[0] == (byte)IpvsCommand.GetDest)
            {
                EntriesReceived = 0;
                if (Armed)
                {
                    Armed = !_once;
                    afterDumpSent();
                }
            }
        }

        public int Receive(Span<byte> buffer)
        {
            int n = socket.Receive(buffer);
            Count(buffer[..Math.Max(n, 0)]);
            return n;
        }

        public int ReceiveMany(Span<byte> buffer, int slot, Span<int> lengths)
        {
            int received = socket.ReceiveMany(buffer, slot, lengths);
            for (int i = 0; i < received; i++)
            {
                Count(buffer.Slice(i * slot, lengths[i]));
            }
            return received;
        }

        private void Count(ReadOnlySpan<byte> datagram)
        {
            var reader = new NetlinkMessageReader(datagram);
            while (reader.MoveNext())
            {
                if (reader.Header.Type >= 0x10 /* NLMSG_MIN_TYPE: not a control message */ && reader.Payload.Length > 0 && reader.Payload[0] == (byte)IpvsCommand.NewDest)
                {
                    EntriesReceived++;
                }
            }
        }

        public void Dispose() => socket.Dispose();
    }
}
