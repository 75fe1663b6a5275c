using System.CommandLine;
using System.Diagnostics;
using Ipvs.Cli.Formats;
using Ipvs.Cli.Output;
using Ipvs.Netlink;

namespace Ipvs.Cli.Commands;

/// <summary>
/// ipvs restore: reads a whole rules file (ipvsadm or JSON), checks every line against the
/// running kernel's capabilities, and only then applies it in batches, stopping at the first
/// refusal and saying exactly what was applied; --atomic undoes it instead.
/// </summary>
internal static class RestoreCommand
{
    // Changes per batch when showing progress: large enough to keep the batch speed (the
    // library sends up to 1,024 requests per syscall), small enough for a live bar.
    private const int ProgressChunk = 4096;

    // Below this many changes a bar would only flicker.
    private const int ProgressThreshold = 2000;

    public static Command Create(CliConsole console, KernelAccess kernel)
    {
        var file = new Argument<string>("FILE") { Description = "The rules file; - reads standard input." };
        var format = new Option<string>("--format", "-f")
        {
            Description = "Input format: auto (JSON when the file starts with '{', else ipvsadm), ipvsadm (the -S/-R rules) or json (ipvs save -o json).",
            HelpName = "auto|ipvsadm|json",
            DefaultValueFactory = _ => "auto",
        };
        CommonOptions.OneOf(format, "auto", "ipvsadm", "json");
        var atomic = new Option<bool>("--atomic") { Description = "All or nothing: if the kernel refuses a change part-way, undo the changes already applied." };
        var flush = new Option<bool>("--flush") { Description = "Clear the whole table first (ipvsadm -C), as part of the same apply (undone too with --atomic)." };
        var check = new Option<bool>("--check") { Description = "Read and check the file against the kernel's capabilities, apply nothing." };
        var command = new Command("restore", "Apply a rules file: check all of it first, then apply it in batches.") { file, format, atomic, flush, check };
        command.SetAction((parse, ct) => CliApp.Guard(console, async () =>
        {
            string path = parse.GetValue(file)!;
            string source = path == "-" ? "<stdin>" : path;
            var ops = RestoreInput.Load(Read(console, path), source, Enum.Parse<InputFormat>(parse.GetValue(format)!, ignoreCase: true));
            using var lease = kernel.Open(parse.GetValue(CliApp.NetnsOption));
            var client = lease.Client;
            Validate(ops, client.Capabilities);
            if (parse.GetValue(check))
            {
                console.Out.WriteLine($"{source}: {ops.Count} change(s), all valid; nothing applied (--check)");
                return ExitCodes.Ok;
            }
            if (parse.GetValue(flush))
            {
                ops = [new LocatedOperation(new Ipvs.Desired.SourceLocation("--flush", 0), IpvsOperation.Flush()), .. ops];
            }
            return await Apply(console, client, ops, parse.GetValue(atomic), ct).ConfigureAwait(false);
        }));
        return command;
    }

    private static byte[] Read(CliConsole console, string path)
    {
        if (path == "-")
        {
            using var stdin = console.OpenInput();
            using var m = new MemoryStream();
            stdin.CopyTo(m);
            return m.ToArray();
        }
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"{path}: {e.Message}");
        }
    }

    // The library checks each batch before sending it; checking the whole file here first
    // means a bad line late in a large file cannot leave the first batches applied.
    private static void Validate(IReadOnlyList<LocatedOperation> ops, KernelCapabilities caps)
    {
        var errors = new List<string>();
        foreach (var op in ops)
        {
            try
            {
                op.Operation.Validate(caps);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                errors.Add($"{op.Location}: {ErrorText.Plain(e)}");
            }
        }
        if (errors.Count > 0)
        {
            throw new BadInputException(errors);
        }
    }

    private static async Task<int> Apply(CliConsole console, IIpvsClient client, IReadOnlyList<LocatedOperation> ops, bool atomic, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        // The kernel takes every request of a send, even after one it refuses; the journal lets
        // the apply undo those, so "stopped at line N" means exactly the lines before N.
        var journal = await UndoJournal.CaptureAsync(client, ct).ConfigureAwait(false);
        var bar = console.ErrorIsTerminal && ops.Count >= ProgressThreshold ? new ProgressBar(console.Err, "restoring", ops.Count) : null;
        int chunk = bar is null ? ops.Count : ProgressChunk;
        int applied = 0;
        OperationResult? failure = null;
        LocatedOperation? failed = null;
        var afterFailure = new List<IReadOnlyList<IpvsOperation>>();
        for (int start = 0; start < ops.Count && failure is null; start += chunk)
        {
            var slice = ops.Skip(start).Take(chunk).ToList();
            BatchResult result;
            try
            {
                result = await client.ExecuteAsync([.. slice.Select(o => o.Operation)], new BatchOptions { StopOnError = true }, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                bar?.Clear();
                console.Error($"interrupted: {applied} of {ops.Count} change(s) applied");
                throw;
            }
            for (int i = 0; i < result.Count; i++)
            {
                if (result[i].Succeeded)
                {
                    var inverse = journal.Record(result[i].Operation);
                    if (failure is null)
                    {
                        applied++;
                    }
                    else
                    {
                        afterFailure.Add(inverse);
                    }
                }
                else if (failure is null && result[i].State != OperationState.NotAttempted)
                {
                    failure = result[i];
                    failed = slice[i];
                }
            }
            bar?.Report(applied);
        }
        bar?.Clear();
        if (failure is not { } f)
        {
            if (console.ErrorIsTerminal)
            {
                console.Err.WriteLine($"ipvs: applied {applied} change(s) in {clock.Elapsed.TotalSeconds:0.00} s");
            }
            return ExitCodes.Ok;
        }
        string what = f.State == OperationState.Unknown
            ? $"the kernel's answer was lost ({f.ToException()!.Message}); that change may or may not be applied"
            : f.ToException()!.Message;
        console.Error($"{failed!.Location}: {what}");
        if (atomic)
        {
            return await RollBack(console, client, journal).ConfigureAwait(false);
        }
        if (afterFailure.Count > 0 && !await Undo(console, client, afterFailure).ConfigureAwait(false))
        {
            return ExitCodes.Failure;
        }
        console.Error($"applied {applied} of {ops.Count} change(s), those before {failed.Location}; the rest were not applied (use --atomic for all or nothing)");
        return ExitCodes.Failure;
    }

    // Undoes the changes after the refused one that the kernel took in the same send, latest first.
    private static async Task<bool> Undo(CliConsole console, IIpvsClient client, List<IReadOnlyList<IpvsOperation>> steps)
    {
        var inverse = new List<IpvsOperation>();
        for (int i = steps.Count - 1; i >= 0; i--)
        {
            inverse.AddRange(steps[i]);
        }
        var undo = await client.ExecuteAsync(inverse, null, CancellationToken.None).ConfigureAwait(false);
        if (undo.Succeeded)
        {
            return true;
        }
        console.Error($"the kernel also applied {steps.Count} change(s) after the refused one (they were in the same batch), and undoing them failed:");
        foreach (var r in undo.Where(r => !r.Succeeded))
        {
            console.Error($"  {r.Operation}: {r.ToException()?.Message}");
        }
        return false;
    }

    private static async Task<int> RollBack(CliConsole console, IIpvsClient client, UndoJournal journal)
    {
        if (journal.Count == 0)
        {
            console.Error("nothing had been applied; the table is unchanged");
            return ExitCodes.Failure;
        }
        // Undo even if interrupted now: leaving half a restore is what --atomic promises not to.
        var undo = await client.ExecuteAsync(journal.UndoOperations(), null, CancellationToken.None).ConfigureAwait(false);
        if (undo.Succeeded)
        {
            console.Error($"rolled back the {journal.Count} change(s) the kernel had applied; the table is as it was");
            return ExitCodes.Failure;
        }
        foreach (var r in undo.Where(r => !r.Succeeded))
        {
            console.Error($"rollback step failed: {r.Operation}: {r.ToException()?.Message}");
        }
        console.Error("the rollback is incomplete; compare `ipvs save` with what you expect");
        return ExitCodes.Failure;
    }
}
