using System.Diagnostics;
using Ipvs.AdminTests.Generator;

namespace Ipvs.AdminTests;

/// <summary>
/// The differential run: a seeded stream of command lines, valid and invalid, goes to the real
/// ipvsadm in one network namespace (A) and to ours in another (B). After every command the
/// exit status, stdout and stderr must match, and so must the state listings (-Sn, -Ln
/// --exact, -Ln --thresholds, -Ln --persistent-conn, -Ln --tun-info, -L --timeout, -L --daemon).
/// </summary>
/// <remarks>
/// <para>Replay a failure with the seed and count it prints:
/// ADMIN_DIFF_SEED=S ADMIN_DIFF_COMMANDS=N tests/Ipvs.AdminTests/run-in-lab.sh -method '*Differential*'.</para>
/// <para>The seven state listings run as one -R script per side (one process instead of
/// seven). After every command both tables are also read through the library (no process):
/// they must hold the same, and when neither side's state (in kernel order) differs from the
/// state last listed, the listings after this command are the ones compared then, because a
/// listing is a function of that state alone; otherwise the listings are run and compared.</para>
/// <para>Two namespaces holding the same table can list it in different orders: --nosort
/// prints the kernel's hash order, which depends on the namespace, and ipvsadm's sort is not a
/// total order (its comparators subtract with wrap-around, so firewall marks from 2^31 up
/// compare cyclically) and so depends on that input order too. When A and B differ, the real
/// ipvsadm is run in B as well: ours must then match it exactly (same table, same order), and
/// A and B must hold the same services and servers (the listings equal up to service order).</para>
/// </remarks>
[Collection("differential")]
public sealed class DifferentialTests(ITestOutputHelper output)
{
    [Fact]
    public void Differential_random_commands_match_real_ipvsadm()
    {
        AdminLab.Require();
        int seed = Environment.GetEnvironmentVariable("ADMIN_DIFF_SEED") is { Length: > 0 } s ? int.Parse(s) : Random.Shared.Next(1, int.MaxValue);
        int count = Environment.GetEnvironmentVariable("ADMIN_DIFF_COMMANDS") is { Length: > 0 } c ? int.Parse(c) : 2000;
        string shardNote = "";
        // run-in-lab.sh may split the run over several labs (one per CPU): shard K of N takes
        // every command count/N and the seed seed+K, so each shard replays on its own.
        if (Environment.GetEnvironmentVariable("ADMIN_DIFF_SHARD") is { Length: > 0 } shard)
        {
            string[] kn = shard.Split('/');
            int k = int.Parse(kn[0]), n = int.Parse(kn[1]);
            shardNote = $" (shard {k + 1} of {n} of a {count}-command run with seed {seed})";
            count = count / n + (k < count % n ? 1 : 0);
            seed = unchecked((int)((uint)seed + (uint)k)) & int.MaxValue;
        }
        string replay = $"ADMIN_DIFF_SEED={seed} ADMIN_DIFF_COMMANDS={{0}} tests/Ipvs.AdminTests/run-in-lab.sh -method '*Differential*'";
        Log($"differential run: seed {seed}, {count} commands{shardNote} (replay: {string.Format(replay, count)})");

        var clock = Stopwatch.StartNew();
        using var pair = new DiffPair();
        using var probeA = new StateProbe(pair.NsA.Name);
        using var probeB = new StateProbe(pair.NsB.Name);
        var generator = new CommandGenerator(seed);
        var history = new Queue<string>();
        var stats = new Stats();
        string? listedA = null, listedB = null;
        for (int i = 0; i < count; i++)
        {
            var cmd = generator.Next();
            history.Enqueue($"#{i} {cmd}");
            if (history.Count > 12)
            {
                history.Dequeue();
            }
            var (real, ours) = pair.Run(cmd.Args, cmd.Stdin);
            var problems = new StringBuilder();
            CompareCommand(pair, cmd, real, ours, problems, stats);
            stats.Refused += real.ExitCode != 0 ? 1 : 0;
            var (total, succeeded) = stats.Kinds.GetValueOrDefault(cmd.Kind);
            stats.Kinds[cmd.Kind] = (total + 1, succeeded + (real.ExitCode == 0 ? 1 : 0));

            // After every command: the two tables must hold the same (read through the
            // library, cheaply). The listings are then compared whenever either side's state,
            // kernel order included, differs from the last one listed; otherwise they are, by
            // construction, the listings compared last.
            var stateA = probeA.Snapshot();
            var stateB = probeB.Snapshot();
            if (problems.Length == 0 && StateProbe.Unordered(stateA) != StateProbe.Unordered(stateB))
            {
                problems.Append("the tables differ after it (- real in A, + ours in B):\n")
                    .Append(Listings.Diff(StateProbe.Unordered(stateA), StateProbe.Unordered(stateB)));
            }
            string a = string.Join('\n', stateA), b = string.Join('\n', stateB);
            if (problems.Length == 0 && (a != listedA || b != listedB))
            {
                stats.Listed++;
                CompareState(pair, problems, stats);
                listedA = a;
                listedB = b;
            }
            else if (problems.Length == 0)
            {
                stats.Reused++;
            }

            if (problems.Length > 0)
            {
                Assert.Fail($"""
                    differential run diverged at command #{i} (seed {seed}):
                      {cmd}
                    {problems}
                    the commands up to it:
                    {string.Join('\n', history)}
                    replay: {string.Format(replay, i + 1)}
                    """);
            }
            if ((i + 1) % 250 == 0)
            {
                Log($"  {i + 1} commands, {clock.Elapsed.TotalSeconds:0} s");
            }
        }
        Log($"differential run: {count} commands identical (seed {seed}) in {clock.Elapsed.TotalSeconds:0.0} s; " +
            $"state listed after {stats.Listed} commands and unchanged after {stats.Reused}; " +
            $"{stats.Refused} commands refused by both; {stats.OrderOnly} comparisons needed the same-namespace check for service order");
        Log("  by kind (succeeded/generated): " + string.Join(", ", stats.Kinds.Select(k => $"{k.Key} {k.Value.Succeeded}/{k.Value.Total}")));
    }

    private sealed class Stats
    {
        public int Listed;
        public int Reused;
        public int Refused;
        public int OrderOnly;
        public SortedDictionary<string, (int Total, int Succeeded)> Kinds { get; } = new(StringComparer.Ordinal);
    }

    private static void CompareCommand(DiffPair pair, GeneratedCommand cmd, RunResult real, RunResult ours, StringBuilder problems, Stats stats)
    {
        if (real.ExitCode == ours.ExitCode && real.Stderr == ours.Stderr && real.Stdout != ours.Stdout && cmd.ReadOnly)
        {
            // Maybe only the service order differs: ask the real ipvsadm on our table.
            var reference = pair.RealInB.Run(cmd.Args, cmd.Stdin);
            if (reference == ours && Listings.SortServiceBlocks(real.Stdout) == Listings.SortServiceBlocks(reference.Stdout))
            {
                stats.OrderOnly++;
                return;
            }
            problems.Append("stdout differs (- real ipvsadm in B, + ours in B):\n").Append(Listings.Diff(reference.Stdout, ours.Stdout));
            problems.Append("(- real in A, + real in B, service blocks sorted):\n")
                .Append(Listings.Diff(Listings.SortServiceBlocks(real.Stdout), Listings.SortServiceBlocks(reference.Stdout)));
            return;
        }
        if (real.ExitCode != ours.ExitCode)
        {
            problems.Append($"exit status: real {real.ExitCode}, ours {ours.ExitCode}\n");
        }
        if (real.Stdout != ours.Stdout)
        {
            problems.Append("stdout differs (- real, + ours):\n").Append(Listings.Diff(real.Stdout, ours.Stdout));
        }
        if (real.Stderr != ours.Stderr)
        {
            problems.Append("stderr differs (- real, + ours):\n").Append(Listings.Diff(real.Stderr, ours.Stderr));
        }
        if (cmd.Kind == "restore" && real.ExitCode == 2)
        {
            problems.Append("the generated -R script has a line ipvsadm itself refuses (a generator bug)\n");
        }
    }

    // Lists the state on both sides.
    private static void CompareState(DiffPair pair, StringBuilder problems, Stats stats)
    {
        pair.Real.Begin(["-R"], Listings.StateScript);
        pair.Ours.Begin(["-R"], Listings.StateScript);
        string a = Flatten(pair.Real.End());
        string b = Flatten(pair.Ours.End());
        if (a == b)
        {
            return;
        }
        string reference = Flatten(pair.RealInB.Run(["-R"], Listings.StateScript));
        if (reference == b && Listings.SortServiceBlocks(a) == Listings.SortServiceBlocks(reference))
        {
            stats.OrderOnly++;
            return;
        }
        if (reference != b)
        {
            problems.Append("the state listings differ on the same table (- real ipvsadm in B, + ours in B):\n").Append(Listings.Diff(reference, b));
        }
        else
        {
            problems.Append("the tables differ (- real in A, + ours in B, service blocks sorted):\n")
                .Append(Listings.Diff(Listings.SortServiceBlocks(a), Listings.SortServiceBlocks(b)));
        }
    }

    private static string Flatten(RunResult r) => $"rc {r.ExitCode}\n{r.Stdout}--stderr--\n{r.Stderr}";

    private void Log(string line)
    {
        output.WriteLine(line);
        Console.WriteLine(line);
    }
}
