using Ipvs.Tests.Support;
using static Ipvs.Tests.Support.TestClient;

namespace Ipvs.Tests;

/// <summary>
/// The client when the kernel side misbehaves: lost and late replies, stale sequence numbers,
/// receive-queue overflow (ENOBUFS), dumps split over datagrams or flagged NLM_F_DUMP_INTR.
/// </summary>
public class ClientFaultTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(150);
    private static readonly ServiceKey Web = ServiceKey.Parse("tcp:10.0.0.1:80");

    [Fact]
    public async Task A_read_without_a_reply_throws_NetlinkTimeoutException_after_the_reply_timeout()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel, Short);
        kernel.HoldReplies = true;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<NetlinkTimeoutException>(() => client.GetInfoAsync()).Bounded();

        Assert.True(clock.Elapsed >= Short * 0.9, $"gave up after {clock.Elapsed}");
        Assert.Equal(Errno.ETIMEDOUT, e.Errno);
        Assert.Contains("outcome is unknown", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dump_without_a_reply_throws_NetlinkTimeoutException()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel, Short);
        kernel.HoldReplies = true;
        await Assert.ThrowsAsync<NetlinkTimeoutException>(() => client.GetServicesAsync()).Bounded();
        await Assert.ThrowsAsync<NetlinkTimeoutException>(() => client.GetSyncDaemonsAsync()).Bounded();
    }

    [Fact]
    public async Task A_batch_without_replies_reports_every_operation_Unknown_with_ETIMEDOUT()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel, Short);
        kernel.HoldReplies = true;

        var result = await client.ExecuteAsync(
        [
            IpvsOperation.AddService(Service("tcp:10.0.0.1:80")),
            IpvsOperation.AddService(Service("tcp:10.0.0.2:80")),
        ]).Bounded();

        Assert.All(result, r => Assert.Equal((OperationState.Unknown, Errno.ETIMEDOUT), (r.State, r.Errno)));
        Assert.Equal(2, result.Unknown);
        Assert.Contains("2 unknown", Assert.Throws<IpvsBatchException>(result.ThrowIfFailed).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_single_write_without_a_reply_fails_with_ETIMEDOUT()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel, Short);
        kernel.HoldReplies = true;
        var e = await Assert.ThrowsAnyAsync<NetlinkException>(() => client.AddServiceAsync(Service("tcp:10.0.0.1:80"))).Bounded();
        Assert.Equal(Errno.ETIMEDOUT, e.Errno);
    }

    [Fact]
    public async Task A_late_reply_to_a_timed_out_request_is_ignored_by_later_requests()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel, Short);
        await client.AddServiceAsync(Service("tcp:10.0.0.1:80"));

        // The duplicate's EEXIST is held back until after the client gave up on it...
        kernel.HoldReplies = true;
        var lost = await client.ExecuteAsync([IpvsOperation.AddService(Service("tcp:10.0.0.1:80"))]).Bounded();
        Assert.Equal(OperationState.Unknown, lost[0].State);
        var info = client.GetInfoAsync();
        await Assert.ThrowsAsync<NetlinkTimeoutException>(() => info).Bounded();
        kernel.HoldReplies = false;
        kernel.ReleaseHeld();

        // ...and then arrives, together with a stale info reply, ahead of the answers to new requests.
        var result = await client.ExecuteAsync([IpvsOperation.AddService(Service("tcp:10.0.0.2:80"))]).Bounded();
        Assert.Equal(OperationState.Applied, result[0].State);
        Assert.Equal(new Version(1, 2, 1), (await client.GetInfoAsync().Bounded()).Version);
        Assert.Equal(2, (await client.GetServicesAsync().Bounded()).Count);
    }

    [Fact]
    public async Task Stale_replies_with_old_sequence_numbers_are_ignored_by_batches_requests_and_dumps()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);

        kernel.InjectStaleReplies = true;
        var batch = await client.ExecuteAsync([IpvsOperation.AddService(Service("tcp:10.0.0.1:80")), IpvsOperation.Flush(), IpvsOperation.AddService(Service("fwmark:1"))]).Bounded();
        Assert.True(batch.Succeeded);

        kernel.InjectStaleReplies = true;
        await client.AddServiceAsync(Service("tcp:10.0.0.3:80")).Bounded();

        kernel.InjectStaleReplies = true;
        Assert.Equal(ServiceKey.Parse("fwmark:1"), (await client.GetServiceAsync(ServiceKey.Parse("fwmark:1")).Bounded()).Key);

        kernel.InjectStaleReplies = true;
        var all = await client.GetServicesAsync().Bounded();
        Assert.Equal(["fwmark:1", "tcp:10.0.0.3:80"], all.Select(s => s.Key.ToString()));

        kernel.InjectStaleReplies = true;
        Assert.Equal(Timeouts.FromSeconds(900, 120, 300), await client.GetTimeoutsAsync().Bounded());
    }

    [Fact]
    public async Task ENOBUFS_makes_unanswered_requests_Unknown_and_is_fenced_by_an_acknowledged_NOOP()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await client.AddServiceAsync(Service("tcp:10.0.0.1:80"));
        kernel.OverflowAfter(0); // the receive queue overflowed: every reply of the next send is lost

        var result = await client.ExecuteAsync(
        [
            IpvsOperation.AddService(Service("tcp:10.0.0.2:80")),
            IpvsOperation.AddService(Service("tcp:10.0.0.1:80")), // its EEXIST is lost too
            IpvsOperation.AddService(Service("tcp:10.0.0.3:80")),
        ]).Bounded();

        Assert.All(result, r => Assert.Equal((OperationState.Unknown, Errno.ENOBUFS), (r.State, r.Errno)));
        // The fence: an NLMSG_NOOP asking for an ACK, sent after the batch, with a newer sequence.
        var last = kernel.Sent[^1];
        var fence = Assert.Single(last.Messages);
        Assert.Equal(NetlinkConstants.NLMSG_NOOP, fence.Type);
        Assert.Equal(NetlinkConstants.NLM_F_REQUEST | NetlinkConstants.NLM_F_ACK, fence.Flags);
        var batchSequences = kernel.IpvsMessages.TakeLast(3).Select(m => m.Sequence).ToList();
        Assert.DoesNotContain(fence.Sequence, batchSequences);
        Assert.InRange(fence.Sequence - batchSequences[^1], 1u, (uint)int.MaxValue); // newer, allowing for wrap-around
        Assert.Equal(3, kernel.ServiceCount); // the kernel applied them; the client just cannot know

        // The connection is still in step afterwards.
        Assert.Equal(3, (await client.GetServicesAsync().Bounded()).Count);
    }

    [Fact]
    public async Task ENOBUFS_after_some_replies_keeps_the_errors_already_received()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await client.AddServiceAsync(Service("tcp:10.0.0.1:80"));
        kernel.OverflowAfter(1); // the first reply (the EEXIST) is read, then the queue overflows

        var result = await client.ExecuteAsync(
        [
            IpvsOperation.AddService(Service("tcp:10.0.0.1:80")),
            IpvsOperation.AddService(Service("tcp:10.0.0.2:80")),
        ]).Bounded();

        Assert.Equal((OperationState.Failed, Errno.EEXIST), (result[0].State, result[0].Errno));
        Assert.Equal((OperationState.Unknown, Errno.ENOBUFS), (result[1].State, result[1].Errno));
    }

    [Fact]
    public async Task ENOBUFS_during_a_read_surfaces_as_an_error_and_the_next_read_works()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        kernel.OverflowAfter(0);
        var e = await Assert.ThrowsAnyAsync<NetlinkException>(() => client.GetInfoAsync()).Bounded();
        Assert.Equal(Errno.ENOBUFS, e.Errno);
        Assert.Equal(new Version(1, 2, 1), (await client.GetInfoAsync().Bounded()).Version);
    }

    [Fact]
    public async Task A_dump_split_over_several_datagrams_is_read_up_to_NLMSG_DONE()
    {
        var kernel = new FakeKernel { DumpEntriesPerDatagram = 3 };
        using var client = Open(kernel);
        await client.AddServiceAsync(Service("tcp:10.0.0.1:80"));
        var ops = Enumerable.Range(1, 8).Select(i => IpvsOperation.AddDestination(Web, Dest($"192.168.0.{i}:80"))).ToArray();
        Assert.True((await client.ExecuteAsync(ops).Bounded()).Succeeded);
        int receivesBefore = kernel.Receives;

        var dests = await client.DumpDestinationsAsync(Web).Bounded();

        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"192.168.0.{i}:80"), dests.Select(d => d.Key.ToString()));
        // 8 entries at 3 per datagram, then NLMSG_DONE in one of its own.
        Assert.Equal(3 + 1, kernel.Receives - receivesBefore);
        receivesBefore = kernel.Receives;

        // GetDestinationsAsync asks for the service first and reads a dump of several chunks twice,
        // the second read confirming that no destination went unseen.
        Assert.Equal(dests, await client.GetDestinationsAsync(Web).Bounded());
        Assert.Equal(1 + 2 * (3 + 1), kernel.Receives - receivesBefore);
    }

    [Fact]
    public async Task A_service_listing_in_one_datagram_is_read_once()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await client.ExecuteAsync(Enumerable.Range(1, 20).Select(i => IpvsOperation.AddService(Service($"tcp:10.0.0.{i}:80"))).ToArray()).Bounded();
        int dumpsBefore = kernel.Dumps;

        var services = await client.GetServicesAsync().Bounded();

        Assert.Equal(20, services.Count);
        Assert.Equal(1, kernel.Dumps - dumpsBefore);
    }

    [Fact]
    public async Task A_service_listing_over_several_datagrams_is_read_again_until_two_reads_agree()
    {
        var kernel = new FakeKernel { DumpEntriesPerDatagram = 3 };
        using var client = Open(kernel);
        await client.ExecuteAsync(Enumerable.Range(1, 20).Select(i => IpvsOperation.AddService(Service($"tcp:10.0.0.{i}:80"))).ToArray()).Bounded();
        int dumpsBefore = kernel.Dumps;
        kernel.MissInNextServiceDumps = 1; // the first read misses a live service

        var services = await client.GetServicesAsync().Bounded();

        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"tcp:10.0.0.{i}:80"), services.Select(s => s.Key.ToString()));
        Assert.Equal(3, kernel.Dumps - dumpsBefore); // 19 ≠ 20, then 20 = 20
    }

    [Fact]
    public async Task An_empty_dump_is_just_NLMSG_DONE()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        Assert.Empty(await client.GetServicesAsync().Bounded());
        Assert.Empty(await client.GetSyncDaemonsAsync().Bounded());
        Assert.Empty(await client.GetTableAsync().Bounded());
    }

    [Fact]
    public async Task A_dump_flagged_NLM_F_DUMP_INTR_is_restarted_and_returns_a_consistent_result()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await client.ExecuteAsync(Enumerable.Range(1, 5).Select(i => IpvsOperation.AddService(Service($"tcp:10.0.0.{i}:80"))).ToArray()).Bounded();
        await client.AddDestinationAsync(Web, Dest("192.168.0.1:80"));
        int dumpsBefore = kernel.Dumps;
        kernel.InterruptNextDumps = 1; // the interrupted attempt also shows a service that does not exist

        var services = await client.GetServicesAsync().Bounded();

        Assert.Equal(2, kernel.Dumps - dumpsBefore);
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"tcp:10.0.0.{i}:80"), services.Select(s => s.Key.ToString()));
        kernel.InterruptNextDumps = 1;
        Assert.Equal("192.168.0.1:80", Assert.Single(await client.GetDestinationsAsync(Web).Bounded()).Key.ToString());
        // The restart (of the destination dump here) is a new request with a new sequence number.
        var dumps = kernel.IpvsMessages.Where(m => (m.Flags & NetlinkConstants.NLM_F_DUMP) != 0).TakeLast(2).ToList();
        Assert.NotEqual(dumps[0].Sequence, dumps[1].Sequence);
    }

    [Fact]
    public async Task A_dump_interrupted_again_and_again_gives_up_with_EINTR()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await client.StartSyncDaemonAsync(new SyncDaemon(SyncDaemonState.Master, "eth0"));
        int dumpsBefore = kernel.Dumps;
        kernel.InterruptNextDumps = int.MaxValue;

        var e = await Assert.ThrowsAsync<IpvsException>(() => client.GetSyncDaemonsAsync()).Bounded();

        Assert.Equal(Errno.EINTR, e.Errno);
        Assert.Equal(9, kernel.Dumps - dumpsBefore); // the first attempt and 8 restarts
        kernel.InterruptNextDumps = 0;
        Assert.Single(await client.GetSyncDaemonsAsync().Bounded());
    }

    [Fact]
    public void A_request_without_a_kernel_handler_fails_with_EOPNOTSUPP_and_names_its_sequence()
    {
        // GET_DAEMON without NLM_F_DUMP has no doit in the kernel.
        using var w = new NetlinkWriter();
        int m = w.BeginMessage(FakeKernel.FamilyId, NetlinkConstants.NLM_F_REQUEST, 77);
        w.WriteGenericHeader((byte)IpvsCommand.GetDaemon, 1);
        w.EndMessage(m);
        using var connection = new NetlinkConnection(new FakeKernel(), TimeSpan.FromSeconds(5));
        var e = Assert.Throws<NetlinkException>(() => connection.Request(w, 77, "GetDaemon", null));
        Assert.Equal(Errno.EOPNOTSUPP, e.Errno);
        Assert.Equal(77u, e.Sequence);
    }
}
