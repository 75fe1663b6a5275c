using Ipvs.KernelTests.Infrastructure;

namespace Ipvs.KernelTests.Keepalived;

/// <summary>What one configuration gave: both tables as ipvsadm lists them, and what happened on the way.</summary>
internal sealed record OracleOutcome(
    string File,
    TableListings? Keepalived,
    TableListings? Ours,
    OracleRun? Run,
    Exception? Failure);

/// <summary>
/// Runs every configuration of the valid corpus at once, each in its own namespaces: keepalived's
/// checkers spend most of the time waiting for their first check (a random delay up to
/// delay_loop, 60 s by default), so the runs overlap that wait. When every run has converged (or
/// given up) the tables are read, with nothing changing any more: the kernel resumes a service
/// dump by position in a table shared by all namespaces, so a read while another namespace adds
/// services can repeat or skip one.
/// </summary>
public sealed class KeepalivedOracle : IAsyncDisposable
{
    // A check that fails is retried after delay_before_retry (1-3 s here) before keepalived takes
    // the server out; reading the tables no sooner than this after the last run converged gives
    // such a failure time to show.
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<OracleRun> _runs = [];
    private Dictionary<string, OracleOutcome>? _outcomes;

    public static string Corpus(string kind) => Path.Combine(KernelLab.RepoRoot, "tests", "Ipvs.KeepalivedTests", "corpus", kind);

    public static IReadOnlyList<string> ValidFiles() =>
        [.. Directory.GetFiles(Corpus("valid"), "*.conf").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    // IPVS_ORACLE_ONLY=PATTERN (a file-name glob) runs only those configurations, for debugging;
    // the others then fail with "not run".
    private static IEnumerable<string> FilesToRun() =>
        Environment.GetEnvironmentVariable("IPVS_ORACLE_ONLY") is { Length: > 0 } only
            ? ValidFiles().Where(f => System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(only, f))
            : ValidFiles();

    /// <summary>When each phase of the run ended, from its start.</summary>
    internal string Timeline { get; private set; } = "";

    internal async Task<OracleOutcome> OutcomeAsync(string file)
    {
        await _gate.WaitAsync(KernelLab.Ct);
        try
        {
            _outcomes ??= await RunAllAsync(KernelLab.Ct);
        }
        finally
        {
            _gate.Release();
        }
        return _outcomes.GetValueOrDefault(file) ?? new OracleOutcome(file, null, null, null, new InvalidOperationException("not run (IPVS_ORACLE_ONLY)"));
    }

    private async Task<Dictionary<string, OracleOutcome>> RunAllAsync(CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        string Since() => $"{(DateTime.UtcNow - started).TotalSeconds:0.0} s";
        // The lab has one CPU, so the pool starts with one thread; the responders must answer
        // within keepalived's connect_timeout while nineteen runs start.
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));

        var failures = new Dictionary<string, Exception>(StringComparer.Ordinal);
        var runs = new List<(string File, OracleRun? Run)>();
        foreach (var file in FilesToRun())
        {
            try
            {
                runs.Add((file, new OracleRun(Path.Combine(Corpus("valid"), file))));
            }
            catch (Exception e) when (e is InvalidOperationException or IOException)
            {
                failures[file] = e;
                runs.Add((file, null));
            }
        }
        var live = runs.Where(r => r.Run is not null).Select(r => r.Run!).ToList();
        lock (_runs)
        {
            _runs.AddRange(live);
        }
        await OracleRun.CreateNamespacesAsync(live);

        await Task.WhenAll(live.Select(async run =>
        {
            try
            {
                await run.StartAsync(ct);
                await run.ConvergeAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                lock (failures)
                {
                    failures[run.Name] = e;
                }
            }
        }));
        var startedAll = live.Select(r => r.Started - started).DefaultIfEmpty().Max();
        var converged = Since();
        var lastConverged = live.Select(r => r.Started + (r.Converged ?? TimeSpan.Zero)).DefaultIfEmpty(DateTime.UtcNow).Max();
        if (lastConverged + Settle > DateTime.UtcNow)
        {
            await Task.Delay(lastConverged + Settle - DateTime.UtcNow, ct);
        }

        var outcomes = new Dictionary<string, OracleOutcome>(StringComparer.Ordinal);
        foreach (var (file, run) in runs)
        {
            if (run is null || failures.ContainsKey(file))
            {
                outcomes[file] = new OracleOutcome(file, null, null, run, failures.GetValueOrDefault(file));
                continue;
            }
            try
            {
                var (keepalived, ours) = await run.SnapshotAsync();
                outcomes[file] = new OracleOutcome(file, keepalived, ours, run, null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                outcomes[file] = new OracleOutcome(file, null, null, run, e);
            }
        }
        var read = Since();
        await StopAllAsync();
        Timeline = $"all keepalived started {startedAll.TotalSeconds:0.0} s, all converged {converged}, tables read {read}, all stopped {Since()}";
        return outcomes;
    }

    private async Task StopAllAsync()
    {
        OracleRun[] runs;
        lock (_runs)
        {
            runs = [.. _runs];
            _runs.Clear();
        }
        if (runs.Length == 0)
        {
            return;
        }
        await Task.WhenAll(runs.Select(r => r.StopAsync()));
        await OracleRun.DeleteNamespacesAsync(runs);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAllAsync();
        _gate.Dispose();
    }
}
