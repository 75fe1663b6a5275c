using System.Globalization;
using Ipvs.Keepalived;
using Ipvs.KernelTests.Infrastructure;
using static Ipvs.KernelTests.Infrastructure.KernelLab;

namespace Ipvs.KernelTests.Keepalived;

/// <summary>
/// The real keepalived 2.2.7 as the oracle of the keepalived import: for every configuration of
/// the valid corpus, with every real server healthy (real responders for each checker, a veth
/// away), keepalived's own table in one namespace must be exactly the table that
/// KeepalivedImport → Planner → Applier (what `ipvs apply keepalived.conf` does) builds in another:
/// `ipvsadm -Sn` (with the tunnel settings) and `-Ln --thresholds` equal, and `-L --timeout` and
/// `-L --daemon` where the configuration sets lvs_timeouts or lvs_sync_daemon. Every checker must
/// have probed its server, and keepalived must not have taken one out. And every file that
/// keepalived -t rejects, the strict import rejects too.
/// </summary>
public sealed class KeepalivedOracleTests(KeepalivedOracle oracle) : IClassFixture<KeepalivedOracle>
{
    public static TheoryData<string> ValidConfigurations() => [.. KeepalivedOracle.ValidFiles()];

    [Fact]
    public void The_valid_corpus_has_at_least_15_configurations()
    {
        Require();
        Assert.True(KeepalivedOracle.ValidFiles().Count >= 15, $"only {KeepalivedOracle.ValidFiles().Count} configurations in the valid corpus");
    }

    [Theory]
    [MemberData(nameof(ValidConfigurations))]
    public async Task Keepalived_and_ipvs_apply_build_the_same_table_from(string file)
    {
        Require();
        var outcome = await oracle.OutcomeAsync(file);
        var run = outcome.Run;
        string Context() => run is null ? "" :
            $"\n--- namespaces: {run}\n--- probes answered: {run.ProbeSummary}\n--- converged after: {run.Converged?.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) ?? "never"} s\n--- keepalived's log\n{run.Log}";
        if (outcome.Failure is { } failure)
        {
            Assert.Fail($"{file}: {failure}{Context()}");
        }
        Assert.True(run!.Report!.Succeeded, $"{file}: ipvs apply failed:\n{run.Report}");
        var (keepalived, ours) = (outcome.Keepalived!, outcome.Ours!);

        // Non-trivial: services with real servers in them.
        Assert.True(keepalived.Save.Any(l => l.StartsWith("-A ", StringComparison.Ordinal)) && keepalived.Save.Any(l => l.StartsWith("-a ", StringComparison.Ordinal)),
            $"{file}: keepalived built no table:\n{string.Join('\n', keepalived.Save)}{Context()}");
        Assert.True(run.Unprobed.Count == 0, $"{file}: keepalived never probed {string.Join(", ", run.Unprobed)}{Context()}");
        Assert.True(!run.Removals.Any(), $"{file}: keepalived took a server out:\n{string.Join('\n', run.Removals)}{Context()}");

        Lines.Equal(keepalived.Save, ours.Save, $"{file}: ipvsadm -Sn (keepalived expected, ipvs apply actual)");
        Lines.Equal(keepalived.Thresholds, ours.Thresholds, $"{file}: ipvsadm -Ln --thresholds");
        Lines.Equal(keepalived.Timeouts, ours.Timeouts, $"{file}: ipvsadm -L --timeout");
        Lines.Equal(keepalived.Daemons, ours.Daemons, $"{file}: ipvsadm -L --daemon");
        if (run.State.Timeouts is { } timeouts)
        {
            Assert.Equal(
                string.Create(CultureInfo.InvariantCulture, $"Timeout (tcp tcpfin udp): {timeouts.Tcp.TotalSeconds} {timeouts.TcpFin.TotalSeconds} {timeouts.Udp.TotalSeconds}"),
                ours.Timeouts.Single());
        }
        TestContext.Current.SendDiagnosticMessage($"{file}: {keepalived.Save.Length} rules equal (oracle run: {oracle.Timeline}), converged after {run.Converged?.TotalSeconds:0.0} s; probes {run.ProbeSummary}");
    }

    public static TheoryData<string> RecordedKeepalivedRejections() =>
        [.. Recorded().Where(r => r.Kind == "invalid" && r.Exit != 0).Select(r => r.File)];

    [Theory]
    [MemberData(nameof(RecordedKeepalivedRejections))]
    public void A_file_keepalived_t_rejects_is_rejected_by_the_strict_import(string file)
    {
        // keepalived -t costs about 3 s of CPU per file in the lab, so its verdicts come from the
        // recording of tests/Ipvs.KeepalivedTests/lab-check-t.sh (corpus/keepalived-t.results).
        Require();
        var result = KeepalivedImport.Load(Path.Combine(KeepalivedOracle.Corpus("invalid"), file), OracleRun.ParserOptions);
        Assert.Null(result.State);
        Assert.NotEmpty(result.Errors);
    }

    [Fact]
    public void Every_file_of_the_corpus_has_a_recorded_keepalived_t_verdict_and_the_valid_ones_pass_it()
    {
        Require();
        var recorded = Recorded();
        foreach (var kind in new[] { "valid", "invalid" })
        {
            var files = Directory.GetFiles(KeepalivedOracle.Corpus(kind), "*.conf").Select(Path.GetFileName).Order(StringComparer.Ordinal);
            Assert.Equal(files, recorded.Where(r => r.Kind == kind).Select(r => r.File).Order(StringComparer.Ordinal));
        }
        Assert.All(recorded.Where(r => r.Kind == "valid"), r => Assert.Equal(0, r.Exit));
    }

    private static List<(string Kind, string File, int Exit)> Recorded() =>
        [.. File.ReadAllLines(Path.Combine(KeepalivedOracle.Corpus(""), "keepalived-t.results"))
            .Select(l => l.Split('\t'))
            .Select(p => (p[0], p[1], int.Parse(p[2], CultureInfo.InvariantCulture)))];
}
