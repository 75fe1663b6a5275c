namespace Ipvs.ScriptingTests;

/// <summary>
/// Scripts run as programs: live objects change the (in-memory) kernel at once, and the run ends
/// with an exit code. The real-kernel proof is tests/Ipvs.KernelTests/Scripting.
/// </summary>
public sealed class ImperativeTests : IDisposable
{
    private readonly Scripts _scripts = new();
    private readonly FakeIpvs _kernel = new();

    public void Dispose() => _scripts.Dispose();

    [Fact]
    public async Task The_thesis_fig13_script_runs_as_written_and_changes_the_weight_at_once()
    {
        var log = new StringWriter();
        var result = await Scripts.RunFile(Path.Combine(Scripts.Examples, "fig13-objects.csx"), _kernel, log);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            [
                "add-service tcp:10.0.0.1:80 wrr 0",
                "add-dest tcp:10.0.0.1:80 192.168.0.1:80 weight 1 Masquerade",
                "add-dest tcp:10.0.0.1:80 192.168.0.2:80 weight 3 Masquerade",
                "edit-dest tcp:10.0.0.1:80 192.168.0.1:80 weight 3 Masquerade",
            ],
            _kernel.Changes);
        var text = log.ToString();
        Assert.Contains("s.Addr => 10.0.0.1", text, StringComparison.Ordinal);
        Assert.Contains("d1.Weight => 1", text, StringComparison.Ordinal);
        Assert.Contains("d1.Weight => 3", text, StringComparison.Ordinal);
        Assert.Contains("s.Dests.Contains(d1) => True", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_detached_object_changes_nothing_until_it_is_added()
    {
        var result = await _scripts.Run(
            """
            var s = new Service("10.0.0.1", port: 8080, protocol: Udp, scheduler: "rr", persistence: 60);
            s.Scheduler = "wrr";
            var d = new Dest("192.168.0.1", port: 8080, forwarding: Dr);
            d.Weight = 7;
            if ((await Client.GetTableAsync()).Count != 0) return 9;
            s.Add();
            s.AddDest(d);
            return 0;
            """, _kernel);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            ["add-service udp:10.0.0.1:8080 wrr 60", "add-dest udp:10.0.0.1:8080 192.168.0.1:8080 weight 7 DirectRoute"],
            _kernel.Changes);
    }

    [Fact]
    public async Task Setters_on_added_objects_edit_the_kernel_and_reads_are_live()
    {
        _kernel.Counts[DestinationKey.Parse("192.168.0.1:80")] = (12, 600);
        var log = new StringWriter();
        var result = await _scripts.Run(
            """
            var s = new Service("10.0.0.1:80").Add();
            var web1 = s.AddDest(new Dest("192.168.0.1:80"));
            var web2 = new Dest("192.168.0.2:80");
            s.AddDest(web2);
            s.Scheduler = "wrr";
            s.Persistence = 300;
            web1.Weight = 3;
            web1.UpperThreshold = 100;
            Log($"conns {web1.ActiveConns} {web1.InactConns} {web1.PersistConns}; service conns {s.Stats.Connections}");
            Log($"contains by value: {s.Dests.Contains(new Dest("192.168.0.2:80"))}; same object back: {ReferenceEquals(s.Dests[0], web1)}");
            s.DelDest(web2);
            Log($"after DelDest: {s.Dests.Count} left, web2 added: {web2.IsAdded}, contains: {s.Dests.Contains(web2)}");
            web2.Weight = 5;   // detached now: local only
            s.Remove();
            Log($"after Remove: web1 added: {web1.IsAdded}");
            """, _kernel, log);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            [
                "add-service tcp:10.0.0.1:80 wlc 0",
                "add-dest tcp:10.0.0.1:80 192.168.0.1:80 weight 1 Masquerade",
                "add-dest tcp:10.0.0.1:80 192.168.0.2:80 weight 1 Masquerade",
                "edit-service tcp:10.0.0.1:80 wrr 0",
                "edit-service tcp:10.0.0.1:80 wrr 300",
                "edit-dest tcp:10.0.0.1:80 192.168.0.1:80 weight 3 Masquerade",
                "edit-dest tcp:10.0.0.1:80 192.168.0.1:80 weight 3 Masquerade",
                "delete-dest tcp:10.0.0.1:80 192.168.0.2:80",
                "delete-service tcp:10.0.0.1:80",
            ],
            _kernel.Changes);
        Assert.Empty(_kernel.Table);
        var text = log.ToString();
        Assert.Contains("conns 12 600 0; service conns 7", text, StringComparison.Ordinal);
        Assert.Contains("contains by value: True; same object back: True", text, StringComparison.Ordinal);
        Assert.Contains("after DelDest: 1 left, web2 added: False, contains: False", text, StringComparison.Ordinal);
        Assert.Contains("after Remove: web1 added: False", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_kernel_refusal_ends_the_script_with_exit_1_at_the_call()
    {
        var result = await _scripts.Run(
            """
            new Service("10.0.0.1:80").Add();
            new Service("10.0.0.1:80").Add();
            """, _kernel);
        Assert.Equal(ScriptExitCodes.Failed, result.ExitCode);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(new SourceLocation(_scripts.Path("main.csx"), 2, 1), error.Location);
        Assert.Contains("IpvsException", error.Message, StringComparison.Ordinal);
        Assert.Contains("Service already exists", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_script_that_does_not_compile_never_runs()
    {
        var result = await _scripts.Run(
            """
            new Service("10.0.0.1:80").Add();
            this is not C#;
            """, _kernel);
        Assert.Equal(ScriptExitCodes.BadScript, result.ExitCode);
        Assert.NotEmpty(result.Diagnostics);
        Assert.All(result.Diagnostics, d => Assert.Equal(2, d.Location?.Line));
        Assert.Empty(_kernel.Changes);
    }

    [Theory]
    [InlineData("return 4;", 4)]
    [InlineData("Exit(3); Log(\"not reached\");", 3)]
    [InlineData("Log(Args[0] + Args[1]);", 0)]
    [InlineData("throw new Exception(\"x\");", 1)]
    public async Task The_exit_code_is_the_scripts(string code, int exit)
    {
        var result = await _scripts.Run(code, _kernel, null, "a", "b");
        Assert.Equal(exit, result.ExitCode);
    }

    [Fact]
    public async Task Cancelling_interrupts_a_sleeping_script_with_exit_130()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Scripts.Ct);
        var path = _scripts.Write("main.csx", "Log(\"started\");\nwhile (true) { Sleep(60); }\n");
        var log = new SynchronizedLog();
        var run = ScriptEvaluator.RunAsync(path, [], _kernel, new RunOptions { Log = log }, cts.Token);
        while (!log.ToString().Contains("started", StringComparison.Ordinal))
        {
            if (run.IsCompleted)
            {
                Assert.Fail($"the script ended before it slept: {await run}");
            }
            await Task.Delay(20, Scripts.Ct);
        }
        var started = System.Diagnostics.Stopwatch.StartNew();
        await cts.CancelAsync();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10), Scripts.Ct);
        Assert.Equal(ScriptExitCodes.Interrupted, result.ExitCode);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Cancelling_before_the_script_starts_also_gives_exit_130()
    {
        var path = _scripts.Write("main.csx", "new Service(\"10.0.0.1:80\").Add();\n");
        var result = await ScriptEvaluator.RunAsync(path, [], _kernel, null, new CancellationToken(canceled: true));
        Assert.Equal(ScriptExitCodes.Interrupted, result.ExitCode);
        Assert.Empty(_kernel.Changes);
    }

    [Fact]
    public async Task Declaring_a_virtual_server_while_running_as_a_program_is_a_located_error()
    {
        var result = await _scripts.Run("var x = 1;\nVirtualServer(\"10.0.0.1:80\");\n", _kernel);
        Assert.Equal(ScriptExitCodes.Failed, result.ExitCode);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(2, error.Location?.Line);
        Assert.Contains("ipvs check|plan|apply", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_fig18_loop_removes_a_dead_server_adds_the_sorry_server_and_puts_them_back()
    {
        // Two web servers on this host that the test turns on and off; the script checks them over HTTP.
        await using var web1 = await TinyHttpServer.StartAsync();
        await using var web2 = await TinyHttpServer.StartAsync();
        var log = new SynchronizedLog();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Scripts.Ct);
        var run = ScriptEvaluator.RunAsync(
            Path.Combine(Scripts.Examples, "fig18-imperative.csx"),
            ["--vip", "10.0.0.1:80", "--sorry", "127.0.0.3:80", "--interval", "0.05", "--rounds", "2000", $"127.0.0.1:{web1.Port}", $"127.0.0.1:{web2.Port}"],
            _kernel,
            new RunOptions { Log = log },
            cts.Token);
        string[] Dests() => [.. _kernel.Table.SelectMany(e => e.Destinations).Select(d => d.Key.ToString()).Order(StringComparer.Ordinal)];
        async Task Until(Func<bool> condition, string what, int seconds = 20)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!condition())
            {
                if (run.IsCompleted)
                {
                    Assert.Fail($"the script ended while waiting for {what}: {await run}\n{log}");
                }
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(seconds), $"timed out waiting for {what}; table {string.Join(", ", Dests())}\n{log}");
                await Task.Delay(20, Scripts.Ct);
            }
        }

        await Until(() => Dests().Length == 2, "both servers in", seconds: 90); // compiling comes first
        web1.Stop();
        await Until(() => Dests().SequenceEqual([$"127.0.0.1:{web2.Port}"]), "web1 out");
        web1.Start();
        await Until(() => Dests().Length == 2, "web1 back");
        web1.Stop();
        web2.Stop();
        await Until(() => Dests().SequenceEqual(["127.0.0.3:80"]), "the sorry server alone");
        web2.Start();
        await Until(() => Dests().SequenceEqual([$"127.0.0.1:{web2.Port}"]), "web2 back and the sorry server out");

        await cts.CancelAsync();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10), Scripts.Ct);
        Assert.True(result.ExitCode == ScriptExitCodes.Interrupted, result.ToString());
        Assert.Contains($"127.0.0.1:{web1.Port} is down", log.ToString(), StringComparison.Ordinal);
        Assert.Contains("sorry server 127.0.0.3:80 added", log.ToString(), StringComparison.Ordinal);
    }
}
