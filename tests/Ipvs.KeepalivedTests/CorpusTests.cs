namespace Ipvs.KeepalivedTests;

/// <summary>
/// The corpus: corpus/valid/*.conf must parse without errors (keepalived 2.2.7 accepts them too,
/// see corpus/keepalived-t.md); corpus/invalid/*.conf must give exactly the errors listed in
/// FILE.expected ("error CODE FILE:LINE:COLUMN", one per line, in order). Files in the *.d
/// directories are only included by the others.
/// </summary>
public class CorpusTests
{
    // lab/run's host name: "@ipvs-lab" lines apply, as in the lab check.
    private static readonly KeepalivedParserOptions Strict = new() { ConfigId = "ipvs-lab" };
    private static readonly KeepalivedParserOptions Lenient = new() { ConfigId = "ipvs-lab", Mode = KeepalivedParseMode.Lenient };

    private static string Corpus(string kind) => Path.Combine(AppContext.BaseDirectory, "corpus", kind);

    public static TheoryData<string> Valid() => Files("valid");

    public static TheoryData<string> Invalid() => Files("invalid");

    private static TheoryData<string> Files(string kind) =>
        [.. Directory.GetFiles(Corpus(kind), "*.conf").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Fact]
    public void The_corpus_has_at_least_15_valid_and_10_invalid_configurations()
    {
        Assert.True(Valid().Count >= 15);
        Assert.True(Invalid().Count >= 10);
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public void A_valid_configuration_parses_without_errors_in_both_modes(string file)
    {
        var path = Path.Combine(Corpus("valid"), file);
        var strict = KeepalivedParser.ParseFile(path, Strict);
        Assert.True(strict.Succeeded, string.Join("\n", strict.Diagnostics));
        Assert.NotEmpty(strict.Config!.VirtualServers);
        Assert.All(strict.Warnings, w => Assert.Equal(DiagnosticCodes.NotHandled, w.Code));
        var lenient = KeepalivedParser.ParseFile(path, Lenient);
        Assert.Equal(strict.Diagnostics, lenient.Diagnostics);
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void An_invalid_configuration_gives_exactly_the_expected_errors(string file)
    {
        var path = Path.Combine(Corpus("invalid"), file);
        var expected = File.ReadAllLines(path + ".expected").Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var result = KeepalivedParser.ParseFile(path, Strict);
        Assert.Null(result.Config);
        var actual = result.Errors.Select(Format).ToList();
        Assert.True(expected.SequenceEqual(actual), $"expected:\n{string.Join("\n", expected)}\nactual:\n{string.Join("\n", result.Diagnostics)}");
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void In_lenient_mode_each_strict_error_is_a_warning_unless_keepalived_cannot_go_on(string file)
    {
        var path = Path.Combine(Corpus("invalid"), file);
        var strict = KeepalivedParser.ParseFile(path, Strict);
        var lenient = KeepalivedParser.ParseFile(path, Lenient);
        var fatal = new[] { DiagnosticCodes.IncludeCycle, DiagnosticCodes.MissingArgument, DiagnosticCodes.Unsupported };
        Assert.Equal(strict.Errors.Any(e => fatal.Contains(e.Code)), lenient.Config is null);
        Assert.All(lenient.Errors, e => Assert.Contains(e.Code, fatal));
    }

    [Fact]
    public void Keepalived_2_2_7_accepts_every_valid_file_and_we_reject_every_invalid_file_it_rejects()
    {
        // corpus/keepalived-t.results is written by lab-check-t.sh in the kernel lab.
        var rows = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "corpus", "keepalived-t.results"))
            .Select(l => l.Split('\t')).ToList();
        Assert.True(Valid().Count + Invalid().Count == rows.Count,
            "corpus/keepalived-t.results does not cover the corpus: run lab/run -- bash tests/Ipvs.KeepalivedTests/lab-check-t.sh");
        foreach (var row in rows)
        {
            var (kind, file, exit) = (row[0], row[1], int.Parse(row[2], System.Globalization.CultureInfo.InvariantCulture));
            var ours = KeepalivedParser.ParseFile(Path.Combine(Corpus(kind), file), Strict);
            if (kind == "valid")
            {
                Assert.True(exit == 0, $"keepalived -t exits {exit} for {file}");
            }
            else
            {
                Assert.False(ours.Succeeded, $"{file}: keepalived -t exits {exit}, and we accept it");
            }
        }
    }

    public static TheoryData<string> LiveRuns() =>
        [.. File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "corpus", "keepalived-live.results")).Select(l => l.Split('\t')[0]).Distinct()];

    [Theory]
    [MemberData(nameof(LiveRuns))]
    public void Lenient_mode_builds_the_table_that_a_real_keepalived_builds(string file)
    {
        // What keepalived 2.2.7 put into the kernel (ipvsadm -Sn), recorded by lab-check-t.sh.
        var real = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "corpus", "keepalived-live.results"))
            .Select(l => l.Split('\t')).Where(p => p[0] == file).Select(p => p[1]).Order(StringComparer.Ordinal).ToList();
        var config = KeepalivedParser.ParseFile(Path.Combine(Corpus("invalid"), file), Lenient).Config!;
        var ours = IpvsadmSave(config).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(real, ours);
    }

    // The lines of `ipvsadm -Sn` for a configuration (the forms the live corpus uses).
    private static IEnumerable<string> IpvsadmSave(KeepalivedConfig config)
    {
        static string Endpoint(IPAddress address, int port) =>
            address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";
        foreach (var vs in config.VirtualServers)
        {
            var service = vs.Id switch
            {
                VirtualServerAddress a => (vs.Protocol switch { IpvsProtocol.Udp => "-u", IpvsProtocol.Sctp => "--sctp-service", _ => "-t" }) + " " + Endpoint(a.Address, a.Port),
                VirtualServerFwmark f => $"-f {f.Mark}",
                _ => throw new NotSupportedException("groups are not in the live corpus"),
            };
            var persistent = vs.PersistenceTimeout > 0 ? $" -p {vs.PersistenceTimeout}" : "";
            yield return $"-A {service} -s {vs.Scheduler}{persistent}";
            foreach (var rs in vs.RealServers)
            {
                var method = rs.Method.Method switch { ForwardingMethod.Masquerade => "-m", ForwardingMethod.Tunnel => "-i", _ => "-g" };
                yield return $"-a {service} -r {Endpoint(rs.Address, rs.Port)} {method} -w {rs.Weight}";
            }
        }
    }

    private static string Format(Diagnostic d) => $"error {d.Code} {Path.GetFileName(d.Location.File)}:{d.Location.Line}:{d.Location.Column}";
}
