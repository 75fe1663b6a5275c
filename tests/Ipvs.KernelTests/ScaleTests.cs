using System.Diagnostics;
using Ipvs.KernelTests.Infrastructure;
using Ipvs.Model;
using static Ipvs.KernelTests.Infrastructure.KernelLab;

namespace Ipvs.KernelTests;

/// <summary>
/// Big tables and many callers. Never run beside other tests (the whole suite runs one test at a
/// time, see xunit.runner.json; this collection keeps it so under -parallel too): IPVS keeps one
/// service hash table for all namespaces and a service dump resumes by a position counted over every
/// namespace's services, so mass changes in one namespace disturb ipvsadm's dumps in another.
/// </summary>
[CollectionDefinition(nameof(ScaleTests), DisableParallelization = true)]
public sealed class ScaleCollection;

[Collection(nameof(ScaleTests))]
public sealed class ScaleTests(ITestOutputHelper output)
{
    private const int Tasks = 16;
    private const int Units = 1000;      // 10 operations each: 10,000 operations in all
    private const int OpsPerUnit = 10;

    [Fact]
    public async Task SixteenConcurrentCallers_TenThousandMixedOperations_OnOneClient_NoneLost()
    {
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        int done = 0;
        var clock = Stopwatch.StartNew();

        async Task Caller(int t)
        {
            // Callers own disjoint services, so the final table is known whatever the interleaving.
            for (int u = t; u < Units; u += Tasks)
            {
                var (s, tmp, d1, d2, d3) = Unit(u);
                await client.AddServiceAsync(new VirtualService(s), Ct);
                await client.AddDestinationAsync(s, new Destination(d1), Ct);
                await client.AddDestinationAsync(s, new Destination(d2), Ct);
                await client.AddDestinationAsync(s, new Destination(d3) { Forwarding = ForwardingMethod.DirectRoute }, Ct);
                await client.EditServiceAsync(new VirtualService(s) { Scheduler = "rr", PersistenceTimeout = 60 }, Ct);
                await client.EditDestinationAsync(s, new Destination(d1) with { Weight = 5 }, Ct);
                await client.DeleteDestinationAsync(s, d2, Ct);
                var dests = await client.GetDestinationsAsync(s, Ct);
                Assert.Equal(2, dests.Count);
                await client.AddServiceAsync(new VirtualService(tmp) { Scheduler = "sh" }, Ct);
                await client.DeleteServiceAsync(tmp, Ct);
                Interlocked.Add(ref done, OpsPerUnit);
            }
        }

        var all = Task.WhenAll(Enumerable.Range(0, Tasks).Select(t => Task.Run(() => Caller(t), Ct)));
        try
        {
            await all.WaitAsync(TimeSpan.FromSeconds(150), Ct);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"deadlock or lost reply: {Volatile.Read(ref done)} of {Units * OpsPerUnit} operations finished in 150 s");
        }
        output.WriteLine($"{Units * OpsPerUnit} operations from {Tasks} callers in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(Units * OpsPerUnit, done);

        var expected = new List<string>(Units * 3);
        var table = await client.GetTableAsync(Ct);
        Assert.Equal(Units, table.Count);
        var byKey = table.ToDictionary(e => e.Key);
        for (int u = 0; u < Units; u++)
        {
            var (s, _, d1, _, d3) = Unit(u);
            var entry = byKey[s];
            Assert.Equal(new VirtualService(s) { Scheduler = "rr", PersistenceTimeout = 60 }, entry.Info.Service);
            DestinationTests.AssertSameDestinations(
                [new Destination(d1) with { Weight = 5 }, new Destination(d3) { Forwarding = ForwardingMethod.DirectRoute }],
                entry.Destinations.Select(d => d.Destination));
            expected.Add($"-A -t {s.Address}:80 -s rr -p 60");
            expected.Add($"-a -t {s.Address}:80 -r {d1} -m -w 5");
            expected.Add($"-a -t {s.Address}:80 -r {d3} -g -w 1");
        }
        var saved = await ns.SaveAsync();
        Assert.Equal(Units * 3, saved.Length);
        Lines.SameSet(expected, saved, "ipvsadm -Sn after the concurrent run");
    }

    [Fact]
    public async Task ServiceDumps_WhileAnotherNamespaceChurns_ListEachServiceOnce()
    {
        // IPVS hashes the services of all namespaces into one table and resumes a dump by a position
        // counted over all of them: services added elsewhere mid-dump make the kernel send some of ours
        // twice (ipvsadm lists them twice). The client must still list each service once.
        await using var ns = await Netns.CreateAsync();
        await using var busy = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        using var churner = busy.OpenClient();
        var small = Enumerable.Range(0, 40).Select(i => ServiceKey.Tcp($"10.0.0.{i + 1}:80")).ToArray();
        var large = Enumerable.Range(0, 400).Select(i => ServiceKey.Udp($"10.1.{i / 200}.{i % 200 + 1}:53")).ToArray();
        (await client.ExecuteAsync(small.Select(k => IpvsOperation.AddService(new VirtualService(k))).ToArray(), cancellationToken: Ct)).ThrowIfFailed();

        using var stop = new CancellationTokenSource();
        int rounds = 0;
        var churn = Task.Run(async () =>
        {
            for (int round = 0; !stop.IsCancellationRequested; round++)
            {
                var keys = Enumerable.Range(0, 200).Select(i => ServiceKey.Tcp($"10.{round % 200}.{i / 200}.{i % 200 + 1}:80")).ToArray();
                (await churner.ExecuteAsync(keys.Select(k => IpvsOperation.AddService(new VirtualService(k))).ToArray(), cancellationToken: CancellationToken.None)).ThrowIfFailed();
                (await churner.ExecuteAsync(keys.Select(k => IpvsOperation.DeleteService(k)).ToArray(), cancellationToken: CancellationToken.None)).ThrowIfFailed();
                rounds = round + 1;
            }
        }, CancellationToken.None);
        try
        {
            // A table that fits one dump chunk: every read is exact.
            int reads = 0;
            for (var end = DateTime.UtcNow.AddSeconds(3); DateTime.UtcNow < end; reads++)
            {
                var services = await client.GetServicesAsync(Ct);
                Assert.Equal(small.Select(k => k.ToString()).Order(StringComparer.Ordinal), services.Select(s => s.Key.ToString()).Order(StringComparer.Ordinal));
            }
            // A table of several chunks: never a repeat (a read may still miss a service the resumed
            // walk skipped; GetTableAsync re-reads until two service lists agree).
            (await client.ExecuteAsync(large.Select(k => IpvsOperation.AddService(new VirtualService(k))).ToArray(), cancellationToken: Ct)).ThrowIfFailed();
            int missed = 0;
            for (var end = DateTime.UtcNow.AddSeconds(3); DateTime.UtcNow < end; reads++)
            {
                var services = await client.GetServicesAsync(Ct);
                Assert.Equal(services.Count, services.Select(s => s.Key).Distinct().Count());
                missed += services.Count < small.Length + large.Length ? 1 : 0;
                var table = await client.GetTableAsync(Ct);
                Assert.Equal(table.Count, table.Select(s => s.Key).Distinct().Count());
            }
            output.WriteLine($"{reads} reads during {rounds} rounds of 200 adds and 200 deletes in another namespace; {missed} plain service reads of the large table missed a service");
            Assert.True(rounds > 0, "the other namespace never changed");
        }
        finally
        {
            stop.Cancel();
            await churn;
        }
    }

    private static (ServiceKey Service, ServiceKey Temporary, DestinationKey D1, DestinationKey D2, DestinationKey D3) Unit(int u)
    {
        int a = u / 250, b = u % 250 + 1;
        return (ServiceKey.Tcp($"10.{a}.{b}.1:80"), ServiceKey.Udp($"10.{a}.{b}.2:53"),
            DestinationKey.Parse($"172.16.{a}.{b}:8080"), DestinationKey.Parse($"172.17.{a}.{b}:8080"), DestinationKey.Parse($"172.18.{a}.{b}:80"));
    }

    [Fact]
    public async Task Batch_TenThousandServicesTimesTenDestinations_InOneCall()
    {
        const int services = 10_000, perService = 10;
        await using var ns = await Netns.CreateAsync();
        using var client = ns.OpenClient();
        var ops = new List<IpvsOperation>(services * (perService + 1));
        var expected = new HashSet<string>(services * (perService + 1), StringComparer.Ordinal);
        for (int i = 0; i < services; i++)
        {
            var vip = $"10.100.{i / 100}.{i % 100 + 1}";
            var key = ServiceKey.Tcp($"{vip}:80");
            ops.Add(IpvsOperation.AddService(new VirtualService(key) { Scheduler = (i % 3) switch { 0 => "wlc", 1 => "rr", _ => "wrr" } }));
            expected.Add($"-A -t {vip}:80 -s {(i % 3) switch { 0 => "wlc", 1 => "rr", _ => "wrr" }}");
            for (int j = 0; j < perService; j++)
            {
                ops.Add(IpvsOperation.AddDestination(key, new Destination($"172.20.{j}.1:8080", j + 1)));
                expected.Add($"-a -t {vip}:80 -r 172.20.{j}.1:8080 -m -w {j + 1}");
            }
        }

        var clock = Stopwatch.StartNew();
        var result = await client.ExecuteAsync(ops, cancellationToken: Ct);
        var applyTime = clock.Elapsed;
        Assert.Equal(ops.Count, result.Count);
        Assert.True(result.Succeeded, $"{result.Applied} applied, {result.Failed} failed, {result.Unknown} unknown, {result.NotAttempted} not attempted");

        clock.Restart();
        var table = await client.GetTableAsync(Ct);
        var readTime = clock.Elapsed;
        Assert.Equal(services, table.Count);
        Assert.Equal(services * (perService + 1), table.Count + table.Sum(e => e.Destinations.Count));
        var read = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in table)
        {
            read.Add($"-A -t {e.Key.Address}:80 -s {e.Info.Service.Scheduler}");
            foreach (var d in e.Destinations)
            {
                Assert.Equal(ForwardingMethod.Masquerade, d.Destination.Forwarding);
                read.Add($"-a -t {e.Key.Address}:80 -r {d.Key} -m -w {d.Destination.Weight}");
            }
        }
        Assert.True(expected.SetEquals(read), "the table read back differs from the batch");

        clock.Restart();
        var saved = await ns.SaveAsync();
        var saveTime = clock.Elapsed;
        Assert.Equal(services * (perService + 1), saved.Length);
        Assert.True(expected.SetEquals(saved), "ipvsadm -Sn differs from the batch: " + string.Join(", ", saved.Where(l => !expected.Contains(l)).Take(5)));
        output.WriteLine($"apply {ops.Count} ops: {applyTime.TotalSeconds:F2} s; GetTableAsync: {readTime.TotalSeconds:F2} s; ipvsadm -Sn: {saveTime.TotalSeconds:F2} s");
    }
}
