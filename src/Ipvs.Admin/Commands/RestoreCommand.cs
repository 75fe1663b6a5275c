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
internal static class RestoreCommand
{
    internal abstract record Step(ScriptLine Line);

    internal sealed record ChangeStep(ScriptLine Line, IpvsOperation Operation) : Step(Line);

    internal sealed record ListStep(ScriptLine Line, CommandEntry Entry) : Step(Line);

    internal sealed record TextStep(ScriptLine Line, string Text) : Step(Line);

    // A checked line as -R keeps it until everything is checked: for a change only its number
    // and operation (the line's words and text are dropped at once; for 110,000 lines they would
    // be tens of MB of fresh pages, dear in the lab), otherwise the step itself.
    private readonly record struct Planned(int Number, IpvsOperation? Operation, Step? Step);

    public static int Run(KernelSession session, Terminal t, CommandEntry restore, Func<Stream> stdin)
    {
        byte[] input;
        using (var s = stdin())
        {
            input = ReadAll(s);
        }
        string program = restore.Program;

        var plan = new List<Planned>();
        int firstCode = 0;
        foreach (var line in RestoreScript.Lines(input, withText: false))
        {
            try
            {
                var step = Check(line, program);
                plan.Add(step is ChangeStep c ? new Planned(line.Number, c.Operation, null) : new Planned(line.Number, null, step));
            }
            catch (AdminExit e)
            {
                string message = e.Crash
                    ? "empty scheduler flag list (ipvsadm crashes on it)"
                    : e.Stderr.TrimEnd('\n').Replace("\n", " ", StringComparison.Ordinal);
                t.Err($"{program} -R: line {line.Number}: {message}\n");
                if (firstCode == 0)
                {
                    firstCode = e.Code == 0 ? 2 : e.Code;
                }
            }
        }
        if (firstCode != 0)
        {
            t.Err($"{program} -R: nothing applied\n");
            return firstCode;
        }
        return restore.Atomic ? RunAtomic(session, t, plan, program) : RunPlain(session, t, plan);
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

    private static int RunPlain(KernelSession session, Terminal t, List<Planned> plan)
    {
        int result = 0;
        var batch = new List<IpvsOperation>();
        foreach (var p in plan)
        {
            if (p.Operation is { } op)
            {
                batch.Add(op);
                continue;
            }
            result = Flush(session, t, batch, result);
            batch.Clear();
            if (p.Step is TextStep text)
            {
                t.Out(text.Text);
                return 0; // -h and -v end ipvsadm, in -R too
            }
            ListCommands.Run(session, t, ((ListStep)p.Step!).Entry);
            result = 0;
        }
        return Flush(session, t, batch, result);
    }

    // Sends a run of changes in one batch. Like ipvsadm, each refusal is printed and the
    // status is that of the last line.
    private static int Flush(KernelSession session, Terminal t, List<IpvsOperation> batch, int result)
    {
        if (batch.Count == 0)
        {
            return result;
        }
        BatchResult outcome;
        try
        {
            outcome = session.Client.ExecuteAsync(batch).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is NetlinkException or ArgumentException or NotSupportedException)
        {
            t.Err(KernelErrors.Message(e) + "\n");
            return 255;
        }
        foreach (var r in outcome)
        {
            if (!r.Succeeded)
            {
                t.Err(KernelErrors.Message(r.ToException()!) + "\n");
            }
        }
        return outcome[^1].Succeeded ? 0 : 255;
    }

    private static int RunAtomic(KernelSession session, Terminal t, List<Planned> plan, string program)
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
        var batch = new List<Planned>();
        int result = 0;
        for (int i = 0; i <= plan.Count; i++)
        {
            Planned? p = i < plan.Count ? plan[i] : null;
            if (p is { Operation: not null } change)
            {
                batch.Add(change);
                continue;
            }
            if (batch.Count > 0)
            {
                int failed = ApplyAtomic(session, journal, batch, out string? error);
                batch.Clear();
                if (failed != 0)
                {
                    return RollBack(session, t, journal, failed, error!, program);
                }
                result = 0;
            }
            switch (p?.Step)
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
        return result;
    }

    // Applies a run of changes, stopping at the first refusal; records the inverse of every
    // change the kernel applied. Returns the refused line's number, or 0.
    private static int ApplyAtomic(KernelSession session, UndoJournal journal, List<Planned> batch, out string? error)
    {
        error = null;
        BatchResult outcome;
        try
        {
            outcome = session.Client.ExecuteAsync(batch.Select(b => b.Operation!).ToList(), new BatchOptions { StopOnError = true })
                .GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is NetlinkException or ArgumentException or NotSupportedException)
        {
            error = KernelErrors.Message(e);
            return batch[0].Number;
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
                failed = batch[i].Number;
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
}
