using Ipvs.Tests.Support;
using static Ipvs.Tests.Support.TestClient;

namespace Ipvs.Tests;

/// <summary>The combiner: concurrent single operations share sends, keep their own results and order.</summary>
public class ClientConcurrencyTests
{
    private static ServiceKey Svc(int t) => ServiceKey.Parse($"tcp:10.0.0.{t + 1}:80");

    private static string Backend(int t, int i) => $"10.{t + 1}.{i / 250}.{i % 250 + 1}:80";

    [Fact]
    public async Task Sixteen_callers_times_500_single_operations_all_get_their_own_results_and_share_sends()
    {
        const int Tasks = 16, PerTask = 500;
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        Assert.True((await client.ExecuteAsync(Enumerable.Range(0, Tasks).Select(t => IpvsOperation.AddService(new VirtualService(Svc(t)))).ToArray())).Succeeded);
        int sendsBefore = kernel.IpvsSends.Count;
        int messagesBefore = kernel.IpvsMessages.Count;
        kernel.SendDelay = TimeSpan.FromMilliseconds(1);

        // Every tenth operation repeats the one before it and must fail alone with EEXIST.
        static bool Duplicate(int i) => i % 10 == 9;
        var outcomes = new int[Tasks, PerTask];
        var callers = Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            for (int i = 0; i < PerTask; i++)
            {
                try
                {
                    await client.AddDestinationAsync(Svc(t), Dest(Backend(t, Duplicate(i) ? i - 1 : i)));
                }
                catch (IpvsException e)
                {
                    outcomes[t, i] = e.Errno;
                }
            }
        })).ToArray();
        await Task.WhenAll(callers).Bounded(60);

        for (int t = 0; t < Tasks; t++)
        {
            for (int i = 0; i < PerTask; i++)
            {
                Assert.True((Duplicate(i) ? Errno.EEXIST : 0) == outcomes[t, i], $"caller {t} operation {i}: errno {outcomes[t, i]}");
            }
            // Each caller's own operations reached the kernel in the caller's order.
            int task = t;
            Assert.Equal(Enumerable.Range(0, PerTask).Where(i => !Duplicate(i)).Select(i => Backend(task, i)), kernel.DestinationsOf(Svc(t)));
        }
        int messages = kernel.IpvsMessages.Count - messagesBefore;
        int sends = kernel.IpvsSends.Count - sendsBefore;
        Assert.Equal(Tasks * PerTask, messages);
        TestContext.Current.TestOutputHelper?.WriteLine($"{messages} operations in {sends} sends");
        Assert.True(sends < messages, $"{sends} sends for {messages} operations: nothing was combined");
        // Each shared send still asks for exactly one ACK, on its last message.
        Assert.All(kernel.IpvsSends.Skip(sendsBefore), s => Assert.Equal(1, s.Messages.Count(m => m.Ack)));
    }

    [Fact]
    public async Task A_queued_operation_cancelled_before_it_is_sent_is_never_sent()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await client.AddServiceAsync(Service("tcp:10.0.0.1:80"));
        while (kernel.SendEntered.Wait(0))
        {
        }
        kernel.SendGate.Reset();

        // The first caller holds the socket, stuck inside its send...
        var first = Task.Run(() => client.AddServiceAsync(Service("tcp:10.0.0.2:80")));
        Assert.True(await kernel.SendEntered.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        // ...so the second waits in the queue, and is cancelled there.
        using var cts = new CancellationTokenSource();
        var queued = client.AddServiceAsync(Service("tcp:10.0.0.3:80"), cts.Token);
        Assert.False(queued.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued).Bounded();

        kernel.SendGate.Set();
        await first.Bounded();
        await client.AddServiceAsync(Service("tcp:10.0.0.4:80")).Bounded(); // a later combining pass must skip it

        var sentKeys = kernel.IpvsMessages
            .Where(m => m.Command == (byte)IpvsCommand.NewService)
            .Select(m => IpvsReplies.Service(m.Attributes).Key.ToString());
        Assert.Equal(["tcp:10.0.0.1:80", "tcp:10.0.0.2:80", "tcp:10.0.0.4:80"], sentKeys);
        Assert.Equal(3, kernel.ServiceCount);
    }

    [Fact]
    public async Task An_operation_cancelled_after_another_caller_sent_it_still_reports_its_outcome()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await client.AddServiceAsync(Service("tcp:10.0.0.9:80"));
        while (kernel.SendEntered.Wait(0))
        {
        }
        using var permits = new SemaphoreSlim(0);
        kernel.SendPermits = permits;

        // A holds the socket in its send; B and C queue behind it.
        var a = Task.Run(() => client.AddServiceAsync(Service("tcp:10.0.0.1:80")));
        Assert.True(await kernel.SendEntered.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        using var cts = new CancellationTokenSource();
        var b = client.AddServiceAsync(Service("tcp:10.0.0.2:80"));
        var c = client.AddServiceAsync(Service("tcp:10.0.0.9:80"), cts.Token); // a duplicate: EEXIST
        permits.Release();
        await a.Bounded();

        // B's caller now sends B and C together; C is cancelled while that send is under way.
        Assert.True(await kernel.SendEntered.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        await cts.CancelAsync();
        permits.Release();

        await b.Bounded();
        var e = await Assert.ThrowsAsync<IpvsException>(() => c).Bounded(); // its real outcome, not a cancellation
        Assert.Equal(Errno.EEXIST, e.Errno);
        Assert.Equal(2, kernel.IpvsSends[^1].Messages.Count);
    }

    [Fact]
    public async Task An_operation_whose_token_is_already_cancelled_is_not_sent()
    {
        var kernel = new FakeKernel();
        using var client = Open(kernel);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.AddServiceAsync(Service("tcp:10.0.0.1:80"), new CancellationToken(true))).Bounded();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ExecuteAsync([IpvsOperation.Flush()], null, new CancellationToken(true))).Bounded();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetServicesAsync(new CancellationToken(true))).Bounded();
        await client.FlushAsync().Bounded(); // the cancelled one left nothing behind in the queue
        Assert.Equal([(byte)IpvsCommand.Flush], kernel.IpvsMessages.Select(m => m.Command));
    }

    [Fact]
    public async Task Disposing_while_callers_wait_fails_them_with_ObjectDisposedException_instead_of_hanging()
    {
        var kernel = new FakeKernel();
        var client = Open(kernel);
        while (kernel.SendEntered.Wait(0))
        {
        }
        kernel.SendGate.Reset();
        var first = Task.Run(() => client.AddServiceAsync(Service("tcp:10.0.0.1:80")));
        Assert.True(await kernel.SendEntered.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));

        // Callers already queued when Dispose starts may be served first or refused; they must not hang.
        var before = new List<Task> { client.GetInfoAsync(), client.ExecuteAsync([IpvsOperation.AddService(Service("tcp:10.0.0.2:80"))]) };

        // Dispose on its own thread (the pool may be busy with other tests), and wait until it blocks on the gate.
        var dispose = new TaskCompletionSource();
        var disposer = new Thread(() =>
        {
            client.Dispose();
            dispose.SetResult();
        }) { IsBackground = true };
        disposer.Start();
        await BlockedAsync(disposer);
        Assert.False(dispose.Task.IsCompleted, "Dispose must let the call in progress finish first");

        // Callers arriving while Dispose waits are refused.
        var after = new List<Task>();
        for (int i = 3; i <= 7; i++)
        {
            after.Add(client.AddServiceAsync(Service($"tcp:10.0.0.{i}:80")));
        }
        after.Add(client.GetServicesAsync());
        after.Add(client.ExecuteAsync([IpvsOperation.Flush()]));
        after.Add(client.GetInfoAsync());
        after.Add(client.GetTableAsync());

        kernel.SendGate.Set();
        await dispose.Task.Bounded();
        await first.Bounded(); // the call in progress completed normally
        foreach (var t in before)
        {
            var e = await Record.ExceptionAsync(() => t.Bounded());
            Assert.True(e is null or ObjectDisposedException, $"unexpected {e}");
        }
        foreach (var t in after)
        {
            await Assert.ThrowsAsync<ObjectDisposedException>(() => t).Bounded();
        }
        Assert.True(kernel.Disposed);
        Assert.DoesNotContain(kernel.IpvsMessages, m => m.Command == (byte)IpvsCommand.Flush);
    }

    // Blocked for good (not just spinning or yielding): waiting for 20 samples in a row over 100 ms.
    private static async Task BlockedAsync(Thread thread)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int inARow = 0;
        while (inARow < 20)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the thread never blocked");
            inARow = (thread.ThreadState & ThreadState.WaitSleepJoin) != 0 ? inARow + 1 : 0;
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Calls_after_Dispose_throw_ObjectDisposedException()
    {
        var kernel = new FakeKernel();
        var client = Open(kernel);
        client.Dispose();
        client.Dispose(); // twice is fine

        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.AddServiceAsync(Service("tcp:10.0.0.1:80"))).Bounded();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.ExecuteAsync([IpvsOperation.Flush()])).Bounded();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetServicesAsync()).Bounded();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetInfoAsync()).Bounded();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetTableAsync()).Bounded();
        Assert.Empty(kernel.IpvsSends);
    }

    [Fact]
    public async Task Reads_and_writes_from_many_tasks_interleave_without_deadlock()
    {
        var kernel = new FakeKernel { DumpEntriesPerDatagram = 4 };
        using var client = Open(kernel);
        var callers = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            var key = Svc(t);
            for (int i = 0; i < 60; i++)
            {
                await client.AddServiceAsync(new VirtualService(key));
                await client.AddDestinationAsync(key, Dest(Backend(t, i)));
                Assert.Equal(Backend(t, i), Assert.Single(await client.GetDestinationsAsync(key)).Key.ToString());
                Assert.Contains(await client.GetServicesAsync(), s => s.Key == key);
                var batch = await client.ExecuteAsync([IpvsOperation.Zero(key), IpvsOperation.DeleteService(key)]);
                Assert.True(batch.Succeeded);
            }
        })).ToArray();
        await Task.WhenAll(callers).Bounded(60);
        Assert.Equal(0, kernel.ServiceCount);
    }
}
