using static Ipvs.ChecksTests.Support.Targets;

namespace Ipvs.ChecksTests;

/// <summary>Program, file and C# checks.</summary>
public sealed class LocalProbeTests
{
    private static ProgramCheck Sh(string script, params string[] arguments) => new("/bin/sh", ["-c", script, .. arguments]);

    [Fact]
    public async Task A_program_check_passes_on_exit_status_0_and_fails_on_any_other_with_its_last_output()
    {
        Assert.True((await ProbeAsync(new ProgramCheck("/bin/true"), Local())).Passed);
        var result = await ProbeAsync(new ProgramCheck("/bin/false"), Local());
        Assert.Equal("exit status 1", result.Error);
        var noisy = await ProbeAsync(Sh("echo starting; echo 'backend: connection refused' >&2; exit 7"), Local());
        Assert.Equal("exit status 7: backend: connection refused", noisy.Error);
        Assert.Null(noisy.Weight);
    }

    [Fact]
    public async Task A_dynamic_weight_program_sets_the_weight_to_its_exit_status_minus_2()
    {
        var seven = await ProbeAsync(Sh("exit 7") with { DynamicWeight = true }, Local());
        Assert.Equal((true, (int?)5), (seven.Passed, seven.Weight));
        var zero = await ProbeAsync(Sh("exit 0") with { DynamicWeight = true }, Local());
        Assert.Equal((true, (int?)null), (zero.Passed, zero.Weight)); // 0: passes, weight unchanged
        var one = await ProbeAsync(Sh("exit 1") with { DynamicWeight = true }, Local());
        Assert.Equal((false, "exit status 1"), (one.Passed, one.Error));
        var two = await ProbeAsync(Sh("exit 2") with { DynamicWeight = true }, Local());
        Assert.Equal((true, (int?)0), (two.Passed, two.Weight));
    }

    [Fact]
    public async Task A_program_check_gets_its_arguments_verbatim_and_the_target_in_its_environment()
    {
        var check = Sh("""test "$1" = 'two words; $HOME' && test "$IPVS_SERVICE" = tcp:10.0.0.1:80 && test "$IPVS_DESTINATION" = 127.0.0.1:8080 && test "$IPVS_CHECK_TARGET" = 127.0.0.1:8080""", "sh", "two words; $HOME");
        var result = await ProbeAsync(check, Local(8080));
        Assert.True(result.Passed, result.Error);
    }

    [Fact]
    public async Task A_program_that_does_not_exist_fails_saying_it_cannot_run()
    {
        var result = await ProbeAsync(new ProgramCheck("/nonexistent/check"), Local());
        Assert.False(result.Passed);
        Assert.StartsWith("cannot run /nonexistent/check: ", result.Error);
    }

    [Fact]
    public async Task A_hung_program_check_is_killed_with_its_children_at_its_timeout()
    {
        var pids = Path.GetTempFileName();
        try
        {
            // The shell starts a background sleep, records both pids, then waits on a foreground sleep.
            var check = Sh("sleep 60 & echo $! > \"$0\"; echo $$ >> \"$0\"; sleep 60", pids) with { Timeout = TimeSpan.FromSeconds(1) };
            var result = await ProbeAsync(check, Local());
            Assert.Equal("timed out after 1 s, killed", result.Error);
            var started = File.ReadAllLines(pids).Select(int.Parse).ToArray();
            Assert.Equal(2, started.Length);
            foreach (var pid in started)
            {
                await WaitUntil(() => IsGone(pid), $"process {pid} is gone");
            }
            Assert.True(result.Latency < TimeSpan.FromSeconds(10), $"took {result.Latency}");
        }
        finally
        {
            File.Delete(pids);
        }
    }

    [Fact]
    public async Task A_program_check_runs_as_its_user_with_that_users_groups()
    {
        var result = await ProbeAsync(Sh("test \"$(id -un)\" = nobody && test \"$(id -u)\" = \"$(id -u nobody)\" && test \"$(id -g)\" = \"$(id -g nobody)\"") with { User = "nobody" }, Local());
        Assert.True(result.Passed, result.Error);
    }

    [Fact]
    public async Task A_program_check_as_a_user_that_does_not_exist_fails_clearly()
    {
        var result = await ProbeAsync(new ProgramCheck("/bin/true") { User = "no-such-user-ipvs" }, Local());
        Assert.Equal("the user 'no-such-user-ipvs' does not exist", result.Error);
    }

    [Fact]
    public async Task A_file_check_weight_is_the_files_number_times_the_multiplier_negated_by_reverse()
    {
        using var file = new TempFile("5\n");
        Assert.Equal((true, (int?)10), Passed(await ProbeAsync(new FileCheck(file.Path) { Weight = 2 }, Local())));
        Assert.Equal((true, (int?)-10), Passed(await ProbeAsync(new FileCheck(file.Path) { Weight = 2, Reverse = true }, Local())));
        file.Write("  0x1f trailing words");
        Assert.Equal((true, (int?)31), Passed(await ProbeAsync(new FileCheck(file.Path), Local())));
        file.Write("017");
        Assert.Equal((true, (int?)15), Passed(await ProbeAsync(new FileCheck(file.Path), Local())));
        file.Write("-3");
        Assert.Equal((true, (int?)-3), Passed(await ProbeAsync(new FileCheck(file.Path), Local())));
    }

    [Fact]
    public async Task A_file_check_reads_a_missing_or_empty_file_as_0_which_adds_nothing()
    {
        using var file = new TempFile("");
        Assert.Equal((true, (int?)0), Passed(await ProbeAsync(new FileCheck(file.Path) { Weight = 3 }, Local())));
        Assert.Equal((true, (int?)0), Passed(await ProbeAsync(new FileCheck(file.Path + ".missing") { Weight = 3 }, Local())));
    }

    [Fact]
    public async Task A_file_check_with_multiplier_0_is_a_flag_0_passes_anything_else_fails_or_the_reverse()
    {
        using var file = new TempFile("0");
        Assert.Equal((true, (int?)null), Passed(await ProbeAsync(new FileCheck(file.Path) { Weight = 0 }, Local())));
        Assert.False((await ProbeAsync(new FileCheck(file.Path) { Weight = 0, Reverse = true }, Local())).Passed);
        file.Write("1");
        var failed = await ProbeAsync(new FileCheck(file.Path) { Weight = 0 }, Local());
        Assert.Equal($"{file.Path} reads 1, not 0", failed.Error);
        Assert.True((await ProbeAsync(new FileCheck(file.Path) { Weight = 0, Reverse = true }, Local())).Passed);
    }

    [Fact]
    public async Task A_file_check_fails_on_a_number_outside_32_bits()
    {
        using var file = new TempFile("99999999999");
        var result = await ProbeAsync(new FileCheck(file.Path), Local());
        Assert.Equal($"{file.Path} holds a number outside the 32-bit range", result.Error);
    }

    [Fact]
    public async Task A_delegate_check_gets_the_target_and_timeouts_and_its_answer_decides()
    {
        CheckContext? seen = null;
        var check = new DelegateCheck((context, _) => { seen = context; return ValueTask.FromResult(true); })
        {
            ConnectTimeout = TimeSpan.FromSeconds(1),
            ReadTimeout = TimeSpan.FromSeconds(2),
        };
        var target = Local(8080);
        Assert.True((await ProbeAsync(check, target)).Passed);
        Assert.Equal(new CheckContext(Targets.Web, target.Destination, target.Endpoint) { ConnectTimeout = TimeSpan.FromSeconds(1), ReadTimeout = TimeSpan.FromSeconds(2) }, seen);
        var no = await ProbeAsync(new DelegateCheck((_, _) => ValueTask.FromResult(false)), target);
        Assert.Equal("the check returned false", no.Error);
    }

    [Fact]
    public async Task A_delegate_check_that_throws_fails_with_the_exceptions_message()
    {
        var check = new DelegateCheck((_, _) => throw new InvalidOperationException("backend says no"));
        Assert.Equal("backend says no", (await ProbeAsync(check, Local())).Error);
        var later = new DelegateCheck(async (_, ct) => { await Task.Yield(); throw new InvalidOperationException("later no"); });
        Assert.Equal("later no", (await ProbeAsync(later, Local())).Error);
    }

    [Fact]
    public async Task A_delegate_check_is_cancelled_at_its_timeouts_even_if_it_ignores_the_token()
    {
        var polite = new DelegateCheck(async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return true; })
        {
            ConnectTimeout = TimeSpan.FromMilliseconds(100),
            ReadTimeout = TimeSpan.FromMilliseconds(100),
        };
        Assert.Equal("timed out after 0.2 s", (await ProbeAsync(polite, Local())).Error);
        var rude = polite with { Probe = async (_, _) => { await Task.Delay(TimeSpan.FromSeconds(30), CancellationToken.None); return true; } };
        var result = await ProbeAsync(rude, Local());
        Assert.Equal("timed out after 0.2 s", result.Error);
        Assert.True(result.Latency < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Cancelling_the_caller_token_throws_instead_of_failing_the_check()
    {
        using var cancel = new CancellationTokenSource();
        var check = new DelegateCheck(async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return true; });
        var probe = Prober.ProbeAsync(check, Local(), CheckDefaults.Keepalived, cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe);
    }

    private static (bool, int?) Passed(ProbeResult result)
    {
        Assert.True(result.Passed || result.Error is not null);
        return (result.Passed, result.Weight);
    }

    // A process is gone when /proc no longer has it, or it is a zombie (killed, awaiting its reaper).
    private static bool IsGone(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return true;
        }
    }

    private sealed class TempFile : IDisposable
    {
        public TempFile(string content)
        {
            Path = System.IO.Path.GetTempFileName();
            Write(content);
        }

        public string Path { get; }

        public void Write(string content) => File.WriteAllText(Path, content);

        public void Dispose() => File.Delete(Path);
    }
}
