using Ipvs.Admin.Formatting;
using Ipvs.Admin.Options;
using Ipvs.Model;
using Ipvs.Netlink;

namespace Ipvs.Admin.Commands;

/// <summary>
/// -R, deliberately stricter than ipvsadm's: all of stdin is read, every line is parsed and
/// checked, and one bad line (reported with its number) means nothing is applied. The changes
/// then go through the library's batch API; listing lines print in their place. With
/// --atomic, a change the kernel refuses makes every applied change be undone.
/// </summary>
/// <remarks>
/// The script is read twice: once to check every line, then again to send the changes. A line in
/// the forms ipvsadm -S writes is read straight from its bytes (<see cref="RestoreFastPath"/>),
/// quickly and the same way both times, so nothing of it is kept in between; only what the full
/// parser read is kept (its operation or step). Keeping an operation per line instead was 15 MB
/// for 110,000 lines, all of it fresh pages (dear in the lab: ~60 µs each); reading a line again
/// costs about a microsecond.
/// </remarks>
internal static class RestoreCommand
{
    // Operations per batch when a long run of changes is sent in batches: the client reuses its
    // status array up to this many, and sends this many per datagram by default.
    private const int ChunkSize = 1024;

    internal abstract record Step(ScriptLine Line);

    internal sealed record ChangeStep(ScriptLine Line, IpvsOperation Operation) : Step(Line);

    internal sealed record ListStep(ScriptLine Line, CommandEntry Entry) : Step(Line);

    internal sealed record TextStep(ScriptLine Line, string Text) : Step(Line);

    public static int Run(KernelSession session, Terminal t, CommandEntry restore, Func<Stream> stdin)
    {
        byte[] input;
        using (var s = stdin())
        {
            input = ReadAll(s);
        }
        var script = new Script(input, restore.Program);
        int firstCode = script.Check(t, session.Client.Capabilities);
        if (firstCode != 0)
        {
            t.Err($"{restore.Program} -R: nothing applied\n");
            return firstCode;
        }
        return restore.Atomic ? RunAtomic(session, t, script, restore.Program) : RunPlain(session, t, script);
    }

    // All of a stream: into an array of the file's size when stdin is a file, else one grown by
    // doubling; without zeroing either way (MemoryStream would zero, then copy once more for
    // ToArray, and every fresh page is dear in the lab).
    private static byte[] ReadAll(Stream s)
    {
        long size = (s as Native.FdStream)?.Remaining() ?? 0;
        var buffer = GC.AllocateUninitializedArray<byte>(size is > 0 and < 1L << 30 ? (int)size : 64 * 1024);
        int length = 0;
        var probe = new byte[1];
        while (true)
        {
            if (length == buffer.Length)
            {
                // Full: the end if the size was right (a one-byte read finds nothing more).
                if (s.Read(probe, 0, 1) <= 0)
                {
                    return buffer;
                }
                var bigger = GC.AllocateUninitializedArray<byte>(buffer.Length * 2);
                buffer.AsSpan(0, length).CopyTo(bigger);
                buffer = bigger;
                buffer[length++] = probe[0];
                continue;
            }
            int n = s.Read(buffer, length, buffer.Length - length);
            if (n <= 0)
            {
                return buffer.AsSpan(0, length).ToArray();
            }
            length += n;
        }
    }

    // The same parse and checks as a command line; what ipvsadm would only find out from the
    // kernel, but the library refuses to send, is a bad line here.
    internal static Step Check(ScriptLine line, string program)
    {
        var argv = new List<string>(line.Words.Length + 1) { program };
        argv.AddRange(line.Words);
        var ce = CommandLineParser.Parse(argv);
        switch (ce.Command)
        {
            case Command.Help:
                return new TextStep(line, UsageText.Usage(ce.Program));
            case Command.Version:
                return new TextStep(line, UsageText.Version);
            case Command.HelpIpvs:
                return new TextStep(line, UsageText.HelpIpvs(ce.Program));
            case Command.Restore:
                throw AdminExit.TryHelp(program); // ipvsadm: no -R inside -R
        }
        OptionRules.Validate(ce);
        if (ce.Command is Command.List or Command.Save)
        {
            return new ListStep(line, ce);
        }
        var built = ModelMapping.Build(ce);
        return built.Emulated switch
        {
            Emulated.UnknownName => throw AdminExit.Fail(2, "Scheduler or persistence engine not found"),
            Emulated.ThresholdRange => throw AdminExit.Fail(2, "the lower threshold is above the upper threshold (the kernel refuses it: Numerical result out of range)"),
            _ => new ChangeStep(line, built.Operation!),
        };
    }

    private static int RunPlain(KernelSession session, Terminal t, Script script)
    {
        int result = 0;
        var run = new PlainRun(session, t);
        foreach (var item in script.Replay())
        {
            if (item.Operation is { } op)
            {
                run.Add(op, script.MustGoWhole(item.Run));
                continue;
            }
            result = run.Finish(result);
            if (item.Step is TextStep text)
            {
                t.Out(text.Text);
                return 0; // -h and -v end ipvsadm, in -R too
            }
            ListCommands.Run(session, t, ((ListStep)item.Step!).Entry);
            result = 0;
        }
        return run.Finish(result);
    }

    /// <summary>
    /// A run of changes between two other steps, sent as ipvsadm -R (ours) sends it: like
    /// ipvsadm, each refusal is printed and the status is that of the last line. The library
    /// checks a batch whole before its first send and refuses it whole; when the check showed
    /// that this run passes it, the run goes in batches of <see cref="ChunkSize"/> as it is read,
    /// which keeps the client's per-operation arrays small and reused (one batch of 110,000
    /// operations allocated some 6 MB of them: fresh pages). The kernel sees the same requests in
    /// the same order, and the output is the same: refusals are printed when the run ends, and an
    /// error of a send replaces them (the run's later changes are not sent), as it would have.
    /// </summary>
    private sealed class PlainRun(KernelSession session, Terminal t)
    {
        private readonly List<IpvsOperation> _pending = new(ChunkSize);
        private readonly List<string> _refusals = [];
        private int _count;
        private bool _whole;
        private bool _last;
        private string? _error;

        /// <summary>The next change of the run; <paramref name="whole"/>: the run goes as one batch.</summary>
        public void Add(IpvsOperation op, bool whole)
        {
            _count++;
            _whole = whole;
            if (_error is not null)
            {
                return; // a send failed: the run's later changes are not sent
            }
            _pending.Add(op);
            if (!whole && _pending.Count == ChunkSize)
            {
                Send();
            }
        }

        /// <summary>Sends what is left and reports the run; the status of the command so far.</summary>
        public int Finish(int result)
        {
            if (_count == 0)
            {
                return result; // no changes since the last step
            }
            if (_pending.Count > 0)
            {
                Send();
            }
            if (_error is not null)
            {
                t.Err(_error + "\n");
                result = 255;
            }
            else
            {
                foreach (string refusal in _refusals)
                {
                    t.Err(refusal + "\n");
                }
                result = _last ? 0 : 255;
            }
            _refusals.Clear();
            _count = 0;
            _error = null;
            return result;
        }

        private void Send()
        {
            BatchResult outcome;
            try
            {
                outcome = session.Client.ExecuteAsync(_pending).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is NetlinkException or ArgumentException or NotSupportedException)
            {
                _error = KernelErrors.Message(e);
                return;
            }
            finally
            {
                _pending.Clear();
            }
            for (int i = 0; i < outcome.Count; i++)
            {
                if (!outcome[i].Succeeded)
                {
                    _refusals.Add(KernelErrors.Message(outcome[i].ToException()!));
                }
            }
            _last = outcome[^1].Succeeded;
        }
    }

    private static int RunAtomic(KernelSession session, Terminal t, Script script, string program)
    {
        UndoJournal journal;
        try
        {
            journal = UndoJournal.CaptureAsync(session.Client).GetAwaiter().GetResult();
        }
        catch (NetlinkException e)
        {
            t.Err(KernelErrors.Message(e) + "\n");
            return 255;
        }
        var batch = new List<IpvsOperation>();
        var numbers = new List<int>();
        int result = 0;
        using var items = script.Replay().GetEnumerator();
        while (true)
        {
            bool more = items.MoveNext();
            if (more && items.Current.Operation is { } op)
            {
                batch.Add(op);
                numbers.Add(items.Current.Number);
                continue;
            }
            if (batch.Count > 0)
            {
                int failed = ApplyAtomic(session, journal, batch, numbers, out string? error);
                batch.Clear();
                numbers.Clear();
                if (failed != 0)
                {
                    return RollBack(session, t, journal, failed, error!, program);
                }
                result = 0;
            }
            switch (more ? items.Current.Step : null)
            {
                case null:
                    return result;
                case TextStep text:
                    t.Out(text.Text);
                    return 0;
                case ListStep list:
                    try
                    {
                        ListCommands.Run(session, t, list.Entry);
                    }
                    catch (AdminExit e)
                    {
                        // A listing that fails (say, of a missing service) fails the script.
                        return RollBack(session, t, journal, list.Line.Number, e.Stderr.TrimEnd('\n'), program);
                    }
                    break;
            }
        }
    }

    // Applies a run of changes, stopping at the first refusal; records the inverse of every
    // change the kernel applied. Returns the refused line's number, or 0.
    private static int ApplyAtomic(KernelSession session, UndoJournal journal, List<IpvsOperation> batch, List<int> numbers, out string? error)
    {
        error = null;
        BatchResult outcome;
        try
        {
            outcome = session.Client.ExecuteAsync(batch, new BatchOptions { StopOnError = true })
                .GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is NetlinkException or ArgumentException or NotSupportedException)
        {
            error = KernelErrors.Message(e);
            return numbers[0];
        }
        int failed = 0;
        for (int i = 0; i < outcome.Count; i++)
        {
            var r = outcome[i];
            if (r.State == OperationState.Applied)
            {
                journal.Record(r.Operation);
            }
            else if (failed == 0 && r.State != OperationState.NotAttempted)
            {
                failed = numbers[i];
                error = r.State == OperationState.Unknown
                    ? "the outcome is unknown (" + KernelErrors.Message(r.ToException()!) + ")"
                    : KernelErrors.Message(r.ToException()!);
            }
        }
        return failed;
    }

    private static int RollBack(KernelSession session, Terminal t, UndoJournal journal, int failedLine, string error, string program)
    {
        var inverse = journal.UndoOperations();
        t.Err($"{program} -R --atomic: line {failedLine}: {error}\n");
        if (inverse.Count == 0)
        {
            t.Err($"{program} -R --atomic: nothing had been applied\n");
            return 255;
        }
        try
        {
            var outcome = session.Client.ExecuteAsync(inverse).GetAwaiter().GetResult();
            if (outcome.Succeeded)
            {
                t.Err($"{program} -R --atomic: rolled back {journal.Count} applied change(s)\n");
                return 255;
            }
            foreach (var r in outcome)
            {
                if (!r.Succeeded)
                {
                    t.Err($"{program} -R --atomic: rollback step failed: {KernelErrors.Message(r.ToException()!)}\n");
                }
            }
        }
        catch (Exception e) when (e is NetlinkException or ArgumentException or NotSupportedException)
        {
            t.Err($"{program} -R --atomic: rollback failed: {KernelErrors.Message(e)}\n");
        }
        t.Err($"{program} -R --atomic: the rollback is incomplete\n");
        return 255;
    }

    /// <summary>One line's share of the plan: a change (and its line number) or another step.</summary>
    private readonly record struct Item(int Number, int Run, IpvsOperation? Operation, Step? Step);

    /// <summary>
    /// The script, read twice: <see cref="Check"/> reads every line and reports the bad ones;
    /// <see cref="Replay"/> reads it again for sending. Lines the fast path reads are read again;
    /// what the full parser read is kept from the first time (name lookups happen once).
    /// </summary>
    private sealed class Script(byte[] input, string program)
    {
        private readonly RestoreFastPath _fast = new(program);
        private readonly List<Item> _kept = [];
        // Runs of changes (between two other steps, numbered from 0) that the client would refuse
        // whole: they are sent as one batch, for its error.
        private readonly HashSet<int> _whole = [];

        /// <summary>Checks every line, reporting each bad one; the exit status of the first, or 0.</summary>
        public int Check(Terminal t, KernelCapabilities capabilities)
        {
            var words = new List<string>();
            int firstCode = 0;
            int number = 0;
            int run = 0;
            for (int start = 0; start < input.Length;)
            {
                int end = RestoreScript.LineEnd(input, start);
                number++;
                var op = _fast.TryParse(input.AsSpan(start, end - start));
                if (op is null && RestoreScript.Line(number, input, start, end, withText: false, words) is { } line)
                {
                    try
                    {
                        var step = RestoreCommand.Check(line, program);
                        if (step is ChangeStep c)
                        {
                            op = c.Operation;
                            _kept.Add(new Item(number, run, op, null));
                        }
                        else
                        {
                            _kept.Add(new Item(number, run, null, step));
                            run++;
                        }
                    }
                    catch (AdminExit e)
                    {
                        string message = e.Crash
                            ? "empty scheduler flag list (ipvsadm crashes on it)"
                            : e.Stderr.TrimEnd('\n').Replace("\n", " ", StringComparison.Ordinal);
                        t.Err($"{program} -R: line {number}: {message}\n");
                        if (firstCode == 0)
                        {
                            firstCode = e.Code == 0 ? 2 : e.Code;
                        }
                    }
                }
                if (op is not null && !Valid(op, capabilities))
                {
                    _whole.Add(run);
                }
                start = end + 1;
            }
            return firstCode;
        }

        /// <summary>Whether run <paramref name="run"/> must go as one batch (the client refuses it whole).</summary>
        public bool MustGoWhole(int run) => _whole.Contains(run);

        /// <summary>The checked script's changes and steps in order, the fast path's lines read again.</summary>
        public IEnumerable<Item> Replay()
        {
            int kept = 0;
            int number = 0;
            int run = 0;
            for (int start = 0; start < input.Length;)
            {
                int end = RestoreScript.LineEnd(input, start);
                number++;
                Item? item = null;
                if (kept < _kept.Count && _kept[kept].Number == number)
                {
                    item = _kept[kept++];
                    if (item.Value.Step is not null)
                    {
                        run++;
                    }
                }
                else if (ReadAgain(input, start, end) is { } op)
                {
                    item = new Item(number, run, op, null);
                }
                start = end + 1;
                if (item is { } i)
                {
                    yield return i;
                }
            }
        }

        // A line the fast path read the first time reads the same the second: the same bytes, the
        // same code. One it did not read has no words (the full parser's lines are kept).
        private IpvsOperation? ReadAgain(byte[] bytes, int start, int end)
        {
            var op = _fast.TryParse(bytes.AsSpan(start, end - start));
            if (op is null && RestoreScript.Line(0, bytes, start, end, withText: false, []) is not null)
            {
                throw new InvalidOperationException("-R read a line differently the second time");
            }
            return op;
        }

        // The client's own check of a batch (IpvsOperation.Validate is what ExecuteAsync runs first).
        private static bool Valid(IpvsOperation op, KernelCapabilities capabilities)
        {
            try
            {
                op.Validate(capabilities);
                return true;
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                return false;
            }
        }
    }
}
