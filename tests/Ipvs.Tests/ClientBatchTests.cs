using Ipvs.Tests.Support;
using static Ipvs.Tests.Support.TestClient;

namespace Ipvs.Tests;

/// <summary>ExecuteAsync: per-operation results, splitting into sends, the ACK discipline, validation.</summary>
public class ClientBatchTests
{
    private static readonly ServiceKey Web = ServiceKey.Parse("tcp:10.0.0.1:80");

    private static IpvsOperation AddService(int i) => IpvsOperation.AddService(Service($"tcp:10.0.{i / 250}.{i % 250 + 1}:80"));

    [Fact]
    public async Task A_batch_with_one_failing_operation_reports_it_Failed_with_its_errno_and_all_others_Applied()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        var ops = new[]
        {
            IpvsOperation.AddService(Service("tcp:10.0.0.1:80")),
            IpvsOperation.AddDestination(Web, Dest("192.168.0.1:80")),
            IpvsOperation.AddService(Service("tcp:10.0.0.1:80")),             // EEXIST
            IpvsOperation.AddDestination(Web, Dest("192.168.0.2:80")),
            IpvsOperation.AddService(Service("fwmark:7")),
            IpvsOperation.SetTimeouts(Timeouts.FromSeconds(60, 0, 0)),
        };

        var result = await client.ExecuteAsync(ops).Bounded();

        Assert.Equal(
            [OperationState.Applied, OperationState.Applied, OperationState.Failed, OperationState.Applied, OperationState.Applied, OperationState.Applied],
            result.Select(r => r.State));
        Assert.Equal(Errno.EEXIST, result[2].Errno);
        Assert.All(result.Where((_, i) => i != 2), r => Assert.Equal(0, r.Errno));
        Assert.Same(ops[2], result[2].Operation);
        Assert.Equal((5, 1, 0, 0), (result.Applied, result.Failed, result.Unknown, result.NotAttempted));
        Assert.False(result.Succeeded);
        Assert.Equal(2, kernel.ServiceCount);
        Assert.Equal(["192.168.0.1:80", "192.168.0.2:80"], kernel.DestinationsOf(Web));

        // One send, and only its last message asks for the ACK that proves the rest applied.
        var send = Assert.Single(kernel.IpvsSends);
        Assert.Equal([false, false, false, false, false, true], send.Messages.Select(m => m.Ack));
        var sequences = send.Messages.Select(m => m.Sequence).ToList();
        Assert.Equal(Enumerable.Range(0, 6).Select(i => sequences[0] + (uint)i), sequences);

        var e = Assert.Throws<IpvsBatchException>(result.ThrowIfFailed);
        Assert.Same(result, e.Result);
        Assert.Contains("5 of 6 operations applied, 1 failed", e.Message, StringComparison.Ordinal);
        Assert.Contains("operation 3: Service already exists", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_whose_last_operation_fails_still_completes_on_its_error_reply()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        var result = await client.ExecuteAsync(
        [
            IpvsOperation.AddService(Service("tcp:10.0.0.1:80")),
            IpvsOperation.DeleteService(ServiceKey.Parse("fwmark:99")),
        ]).Bounded();
        Assert.Equal(OperationState.Applied, result[0].State);
        Assert.Equal((OperationState.Failed, Errno.ESRCH), (result[1].State, result[1].Errno));
        Assert.Equal("No such service", result[1].ToException()!.IpvsadmMessage);
    }

    [Fact]
    public async Task StopOnError_stops_after_the_send_that_failed_and_leaves_the_rest_NotAttempted()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        var ops = new[]
        {
            AddService(1), AddService(1),                 // send 1: the second fails (EEXIST)
            AddService(2), AddService(3),                 // send 2: never sent
            AddService(4),                                // send 3: never sent
        };

        var result = await client.ExecuteAsync(ops, new BatchOptions { StopOnError = true, MaxRequestsPerSend = 2 }).Bounded();

        Assert.Equal(
            [OperationState.Applied, OperationState.Failed, OperationState.NotAttempted, OperationState.NotAttempted, OperationState.NotAttempted],
            result.Select(r => r.State));
        Assert.Single(kernel.IpvsSends);
        Assert.Equal(1, kernel.ServiceCount);
        Assert.Contains("3 not attempted", Assert.Throws<IpvsBatchException>(result.ThrowIfFailed).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_StopOnError_later_sends_go_out_after_a_failure()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        var ops = new[] { AddService(1), AddService(1), AddService(2), AddService(3), AddService(4) };

        var result = await client.ExecuteAsync(ops, new BatchOptions { MaxRequestsPerSend = 2 }).Bounded();

        Assert.Equal(
            [OperationState.Applied, OperationState.Failed, OperationState.Applied, OperationState.Applied, OperationState.Applied],
            result.Select(r => r.State));
        Assert.Equal([2, 2, 1], kernel.IpvsSends.Select(s => s.Messages.Count));
        Assert.Equal(4, kernel.ServiceCount);
    }

    [Fact]
    public async Task Validation_refuses_the_whole_batch_before_anything_is_sent()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel, capabilities: new KernelCapabilities(new Version(5, 2)));
        int before = kernel.Sent.Count;

        var bad = await Assert.ThrowsAsync<ArgumentException>(() => client.ExecuteAsync(
        [
            IpvsOperation.AddService(Service("tcp:10.0.0.1:80")),
            IpvsOperation.AddDestination(Web, Dest("192.168.0.1:80")),
            IpvsOperation.AddDestination(Web, new Destination("192.168.0.2:80") { UpperThreshold = 5, LowerThreshold = 6 }),
        ]));
        Assert.Contains("Operation 3 of 3", bad.Message, StringComparison.Ordinal);
        Assert.Contains("192.168.0.2:80", bad.Message, StringComparison.Ordinal);

        await Assert.ThrowsAsync<IpvsNotSupportedException>(() => client.ExecuteAsync(
        [
            IpvsOperation.AddService(Service("tcp:10.0.0.1:80")),
            IpvsOperation.AddDestination(Web, new Destination("192.168.0.1:0") { Forwarding = ForwardingMethod.Tunnel, TunnelFlags = TunnelFlags.Checksum }),
        ]));
        await Assert.ThrowsAsync<ArgumentException>(() => client.ExecuteAsync([IpvsOperation.Flush(), IpvsOperation.DeleteService(default)]));
        var missing = await Assert.ThrowsAsync<ArgumentException>(() => client.ExecuteAsync([IpvsOperation.Flush(), null!]));
        Assert.Contains("Operation 2 of 2", missing.Message, StringComparison.Ordinal);

        Assert.Equal(before, kernel.Sent.Count);
        Assert.Equal(0, kernel.ServiceCount);
    }

    [Fact]
    public async Task A_small_send_buffer_splits_a_batch_and_only_the_last_message_of_each_send_asks_for_an_ACK()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        int size = MessageSize(AddService(0));
        // The kernel refuses datagrams above sk_sndbuf - 32: room for three messages and a half.
        kernel.SendBufferSize = 32 + 3 * size + size / 2;
        var ops = Enumerable.Range(0, 10).Select(AddService).ToArray();

        var result = await client.ExecuteAsync(ops).Bounded();

        Assert.True(result.Succeeded);
        var sends = kernel.IpvsSends;
        Assert.Equal([3, 3, 3, 1], sends.Select(s => s.Messages.Count));
        Assert.All(sends, s =>
        {
            Assert.True(s.Bytes.Length <= kernel.SendBufferSize - 32);
            Assert.Equal(Enumerable.Range(0, s.Messages.Count).Select(i => i == s.Messages.Count - 1), s.Messages.Select(m => m.Ack));
        });
        // Sequences are consecutive within a send and keep growing across sends, in operation order.
        Assert.All(sends, s => Assert.Equal(Enumerable.Range(0, s.Messages.Count).Select(i => s.Messages[0].Sequence + (uint)i), s.Messages.Select(m => m.Sequence)));
        var seqs = sends.SelectMany(s => s.Messages).Select(m => m.Sequence).ToList();
        Assert.All(seqs.Zip(seqs.Skip(1)), p => Assert.InRange(p.Second - p.First, 1u, (uint)int.MaxValue));
        Assert.Equal(10, kernel.ServiceCount);
    }

    [Fact]
    public async Task The_receive_buffer_bounds_how_many_requests_one_send_may_draw_errors_for()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        kernel.ReceiveBufferSize = 3 * 1024; // room for the error replies of three requests
        var result = await client.ExecuteAsync(Enumerable.Range(0, 7).Select(AddService).ToArray()).Bounded();
        Assert.True(result.Succeeded);
        Assert.Equal([3, 3, 1], kernel.IpvsSends.Select(s => s.Messages.Count));
    }

    [Fact]
    public async Task MaxRequestsPerSend_from_options_and_from_the_client_split_a_batch()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel, maxRequestsPerSend: 4);
        await client.ExecuteAsync(Enumerable.Range(0, 10).Select(AddService).ToArray()).Bounded();
        Assert.Equal([4, 4, 2], kernel.IpvsSends.Select(s => s.Messages.Count));

        await client.ExecuteAsync(Enumerable.Range(10, 5).Select(AddService).ToArray(), new BatchOptions { MaxRequestsPerSend = 5 }).Bounded();
        Assert.Equal([4, 4, 2, 5], kernel.IpvsSends.Select(s => s.Messages.Count)); // the batch's own setting wins
    }

    [Fact]
    public async Task A_batch_cancelled_between_sends_reports_the_unsent_rest_NotAttempted()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        while (kernel.SendEntered.Wait(0))
        {
        }
        using var cts = new CancellationTokenSource();
        kernel.SendGate.Reset();

        var batch = Task.Run(() => client.ExecuteAsync(Enumerable.Range(0, 6).Select(AddService).ToArray(), new BatchOptions { MaxRequestsPerSend = 2 }, cts.Token));
        Assert.True(await kernel.SendEntered.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        await cts.CancelAsync();
        kernel.SendGate.Set();
        var result = await batch.Bounded();

        Assert.Equal(
            [OperationState.Applied, OperationState.Applied, OperationState.NotAttempted, OperationState.NotAttempted, OperationState.NotAttempted, OperationState.NotAttempted],
            result.Select(r => r.State));
        Assert.Equal(2, kernel.ServiceCount);
    }

    [Fact]
    public async Task A_request_larger_than_the_send_buffer_is_reported_Failed_with_EMSGSIZE_and_never_sent()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        kernel.SendBufferSize = 32 + MessageSize(AddService(0)) - 1;

        var result = await client.ExecuteAsync([AddService(0)]).Bounded();

        Assert.Equal((OperationState.Failed, Errno.EMSGSIZE), (result[0].State, result[0].Errno));
        Assert.Empty(kernel.IpvsSends);
    }

    [Fact]
    public async Task A_request_too_large_to_send_after_applied_sends_is_reported_per_operation()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        var small = IpvsOperation.AddService(Service("fwmark:1"));
        var largeService = new VirtualService(ServiceKey.Parse("udp:[2001:db8::1]:53")) { PersistenceEngine = "sip", PersistenceTimeout = 60 };
        var large = IpvsOperation.AddService(largeService);
        kernel.SendBufferSize = 32 + MessageSize(large) - 1; // room for the small ones, not for the large one

        var result = await client.ExecuteAsync([small, large, IpvsOperation.AddService(Service("fwmark:2"))]).Bounded();

        Assert.Equal(OperationState.Applied, result[0].State);
        Assert.Equal((OperationState.Failed, Errno.EMSGSIZE), (result[1].State, result[1].Errno));
        Assert.Equal(OperationState.Applied, result[2].State);
        Assert.Equal(2, kernel.ServiceCount);

        // Through the combiner, the failure is the operation's own.
        var e = await Assert.ThrowsAsync<IpvsException>(() => client.AddServiceAsync(largeService)).Bounded();
        Assert.Equal(Errno.EMSGSIZE, e.Errno);
    }

    [Fact]
    public async Task An_empty_batch_sends_nothing()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        var result = await client.ExecuteAsync([]).Bounded();
        Assert.Empty(result);
        Assert.True(result.Succeeded);
        Assert.Empty(kernel.IpvsSends);
    }

    [Fact]
    public async Task Many_operations_in_one_batch_all_get_their_own_result()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        // Every third operation repeats the one before it and must fail with EEXIST.
        var ops = Enumerable.Range(0, 3000).Select(i => AddService(i % 3 == 2 ? i - 1 : i)).ToArray();

        var result = await client.ExecuteAsync(ops).Bounded();

        for (int i = 0; i < ops.Length; i++)
        {
            Assert.Equal(i % 3 == 2 ? (OperationState.Failed, Errno.EEXIST) : (OperationState.Applied, 0), (result[i].State, result[i].Errno));
        }
        Assert.Equal(2000, kernel.ServiceCount);
        Assert.Equal([1024, 1024, 952], kernel.IpvsSends.Select(s => s.Messages.Count));
    }

    private static int MessageSize(IpvsOperation op)
    {
        using var w = new NetlinkWriter();
        IpvsRequests.Write(w, 1, 1, op);
        return w.Length;
    }
}
