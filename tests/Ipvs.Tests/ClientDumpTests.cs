using Ipvs.Tests.Support;
using static Ipvs.Tests.Support.TestClient;

namespace Ipvs.Tests;

/// <summary>
/// DumpServicesAsync and DumpDestinationsAsync: the table read as ipvsadm reads it (one service
/// dump, then one destination dump per service), with no requests beyond those dumps.
/// </summary>
public class ClientDumpTests
{
    private static readonly ServiceKey Web = ServiceKey.Parse("tcp:10.0.0.1:80");

    [Fact]
    public async Task DumpServices_reads_a_listing_over_several_datagrams_once_in_kernel_order()
    {
        var kernel = new FakeKernel { DumpEntriesPerDatagram = 3 };
        using var client = Open(kernel);
        await client.ExecuteAsync(Enumerable.Range(1, 20).Select(i => IpvsOperation.AddService(Service($"tcp:10.0.0.{i}:80", "rr"))).ToArray()).Bounded();
        int dumpsBefore = kernel.Dumps;

        var services = await client.DumpServicesAsync().Bounded();

        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"tcp:10.0.0.{i}:80"), services.Select(s => s.Key.ToString()));
        Assert.All(services, s => Assert.Equal("rr", s.Service.Scheduler.Name));
        Assert.Equal(1, kernel.Dumps - dumpsBefore);
    }

    [Fact]
    public async Task DumpServices_lists_a_service_the_kernel_sends_twice_once()
    {
        var kernel = new FakeKernel { DumpEntriesPerDatagram = 3 };
        using var client = Open(kernel);
        await client.ExecuteAsync(Enumerable.Range(1, 5).Select(i => IpvsOperation.AddService(Service($"tcp:10.0.0.{i}:80"))).ToArray()).Bounded();
        kernel.RepeatInNextServiceDumps = 1;

        var services = await client.DumpServicesAsync().Bounded();

        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"tcp:10.0.0.{i}:80"), services.Select(s => s.Key.ToString()));
    }

    [Fact]
    public async Task DumpServices_does_not_read_again_what_a_dump_missed_unlike_GetServices()
    {
        var kernel = new FakeKernel { DumpEntriesPerDatagram = 3 };
        using var client = Open(kernel);
        await client.ExecuteAsync(Enumerable.Range(1, 20).Select(i => IpvsOperation.AddService(Service($"tcp:10.0.0.{i}:80"))).ToArray()).Bounded();
        kernel.MissInNextServiceDumps = 1;

        Assert.Equal(19, (await client.DumpServicesAsync().Bounded()).Count);
        kernel.MissInNextServiceDumps = 1;
        Assert.Equal(20, (await client.GetServicesAsync().Bounded()).Count);
    }

    [Fact]
    public async Task DumpDestinations_is_one_destination_dump_without_asking_for_the_service_first()
    {
        var kernel = new FakeKernel { DumpEntriesPerDatagram = 3 };
        using var client = Open(kernel);
        await client.AddServiceAsync(Service("tcp:10.0.0.1:80"));
        var added = Enumerable.Range(1, 8).Select(i => Dest($"192.168.0.{i}:80", i)).ToArray();
        Assert.True((await client.ExecuteAsync(added.Select(d => IpvsOperation.AddDestination(Web, d)).ToArray()).Bounded()).Succeeded);
        int sentBefore = kernel.IpvsMessages.Count;

        var dests = await client.DumpDestinationsAsync(Web).Bounded();

        Assert.Equal(added, dests.Select(d => d.Destination));
        var request = Assert.Single(kernel.IpvsMessages.Skip(sentBefore));
        Assert.Equal((byte)IpvsCommand.GetDest, request.Command);
        Assert.NotEqual(0, request.Flags & NetlinkConstants.NLM_F_DUMP);
        Assert.Equal(dests, await client.GetDestinationsAsync(Web).Bounded());
    }

    [Fact]
    public async Task DumpDestinations_of_a_missing_service_is_empty_as_the_kernel_answers()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        Assert.Empty(await client.DumpDestinationsAsync(Web).Bounded());
        await Assert.ThrowsAsync<IpvsException>(() => client.GetDestinationsAsync(Web)).Bounded();
    }

    [Fact]
    public async Task DumpDestinations_of_an_empty_key_is_refused_before_anything_is_sent()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        int sentBefore = kernel.Sent.Count;
        await Assert.ThrowsAsync<ArgumentException>(() => client.DumpDestinationsAsync(default)).Bounded();
        Assert.Equal(sentBefore, kernel.Sent.Count);
    }

    [Fact]
    public async Task The_dumps_wait_for_the_socket_and_honour_cancellation()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.DumpServicesAsync(new CancellationToken(true))).Bounded();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.DumpDestinationsAsync(Web, new CancellationToken(true))).Bounded();
        client.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.DumpServicesAsync()).Bounded();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.DumpDestinationsAsync(Web)).Bounded();
    }

    private static async Task<(FakeKernel Kernel, IpvsClient Client, Destination[] Added)> TwentyDestinationsAsync(int perDatagram)
    {
        var kernel = new FakeKernel { DumpEntriesPerDatagram = perDatagram };
        var client = Open(kernel);
        await client.AddServiceAsync(Service("tcp:10.0.0.1:80"));
        var added = Enumerable.Range(1, 20).Select(i => Dest($"192.168.0.{i}:80", i)).ToArray();
        Assert.True((await client.ExecuteAsync(added.Select(d => IpvsOperation.AddDestination(Web, d)).ToArray()).Bounded()).Succeeded);
        return (kernel, client, added);
    }

    [Theory]
    [InlineData(100)] // every entry in one chunk, the repeat in the chunk the ending call sends
    [InlineData(3)]
    public async Task A_destination_the_kernel_sends_twice_is_listed_once_by_every_read(int perDatagram)
    {
        var (kernel, client, added) = await TwentyDestinationsAsync(perDatagram);
        using var _ = client;

        kernel.RepeatInNextDestinationDumps = 1;
        Assert.Equal(added, (await client.DumpDestinationsAsync(Web).Bounded()).Select(d => d.Destination));
        kernel.RepeatInNextDestinationDumps = 1;
        Assert.Equal(added, (await client.GetDestinationsAsync(Web).Bounded()).Select(d => d.Destination));
        kernel.RepeatInNextDestinationDumps = 1;
        Assert.Equal(added, (await client.GetTableAsync().Bounded()).Single().Destinations.Select(d => d.Destination));
    }

    [Fact]
    public async Task GetDestinations_and_GetTable_read_again_a_dump_of_several_chunks_that_missed_a_destination_and_DumpDestinations_does_not()
    {
        var (kernel, client, added) = await TwentyDestinationsAsync(3);
        using var _ = client;

        kernel.MissInNextDestinationDumps = 1;
        Assert.Equal(19, (await client.DumpDestinationsAsync(Web).Bounded()).Count);
        kernel.MissInNextDestinationDumps = 1;
        Assert.Equal(added, (await client.GetDestinationsAsync(Web).Bounded()).Select(d => d.Destination));
        kernel.MissInNextDestinationDumps = 1;
        Assert.Equal(added, (await client.GetTableAsync().Bounded()).Single().Destinations.Select(d => d.Destination));
    }

    [Fact]
    public async Task Reads_whose_entries_fit_one_chunk_are_one_dump_each_though_the_kernel_ends_them_in_a_second_datagram()
    {
        var (kernel, client, added) = await TwentyDestinationsAsync(100);
        using var _ = client;

        int before = kernel.Dumps;
        Assert.Equal(added, (await client.GetDestinationsAsync(Web).Bounded()).Select(d => d.Destination));
        Assert.Single(await client.GetServicesAsync().Bounded());
        Assert.Single(await client.GetTableAsync().Bounded()); // services, destinations, service keys again
        Assert.Equal(1 + 1 + 3, kernel.Dumps - before);
    }
}
