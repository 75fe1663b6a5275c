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

    public static int Run(KernelSession session, Terminal t, CommandEntry restore, Func<Stream> stdin)
    {
        byte[] input;
        using (var s = stdin())
        using (var m = new MemoryStream())
        {
            s.CopyTo(m);
            input = m.ToArray();
        }
        string program = restore.Program;
        var lines = RestoreScript.Split(input);

        var steps = new List<Step>();
        int firstCode = 0;
        foreach (var line in lines)
        {
            try
            {
                steps.Add(Check(line, program));
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
        return restore.Atomic ? RunAtomic(session, t, steps, program) : RunPlain(session, t, steps);
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

    private static int RunPlain(KernelSession session, Terminal t, List<Step> steps)
    {
        int result = 0;
        var batch = new List<ChangeStep>();
        foreach (var step in steps)
        {
            if (step is ChangeStep c)
            {
                batch.Add(c);
                continue;
            }
            result = Flush(session, t, batch, result);
            batch.Clear();
            if (step is TextStep text)
            {
                t.Out(text.Text);
                return 0; // -h and -v end ipvsadm, in -R too
            }
            ListCommands.Run(session, t, ((ListStep)step).Entry);
            result = 0;
        }
        return Flush(session, t, batch, result);
    }

    // Sends a run of changes in one batch. Like ipvsadm, each refusal is printed and the
    // status is that of the last line.
    private static int Flush(KernelSession session, Terminal t, List<ChangeStep> batch, int result)
    {
        if (batch.Count == 0)
        {
            return result;
        }
        var ops = batch.Select(b => b.Operation).ToList();
        BatchResult outcome;
        try
        {
            outcome = session.Client.ExecuteAsync(ops).GetAwaiter().GetResult();
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

    private static int RunAtomic(KernelSession session, Terminal t, List<Step> steps, string program)
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
                var batch = new List<ChangeStep>();
        int result = 0;
        foreach (var step in steps.Append(null))
        {
            if (step is ChangeStep change)
            {
                batch.Add(change);
                continue;
            }
            if (batch.Count > 0)
            {
                var failed = ApplyAtomic(session, journal, batch, out string? error);
                batch.Clear();
                if (failed is not null)
                {
                    return RollBack(session, t, journal, failed, error!, program);
                }
                result = 0;
            }
            switch (step)
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
                        return RollBack(session, t, journal, list.Line, e.Stderr.TrimEnd('\n'), program);
                    }
                    break;
            }
        }
        return result;
    }

    // Applies a run of changes, stopping at the first refusal; records the inverse of every
    // change the kernel applied. Returns the refused line, or null.
    private static ScriptLine? ApplyAtomic(KernelSession session, UndoJournal journal, List<ChangeStep> batch, out string? error)
    {
        error = null;
        BatchResult outcome;
        try
        {
            outcome = session.Client.ExecuteAsync(batch.Select(b => b.Operation).ToList(), new BatchOptions { StopOnError = true })
                .GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is NetlinkException or ArgumentException or NotSupportedException)
        {
            error = KernelErrors.Message(e);
            return batch[0].Line;
        }
        ScriptLine? failed = null;
        for (int i = 0; i < outcome.Count; i++)
        {
            var r = outcome[i];
            if (r.State == OperationState.Applied)
            {
                journal.Record(r.Operation);
            }
            else if (failed is null && r.State != OperationState.NotAttempted)
            {
                failed = batch[i].Line;
                error = r.State == OperationState.Unknown
                    ? "the outcome is unknown (" + KernelErrors.Message(r.ToException()!) + ")"
                    : KernelErrors.Message(r.ToException()!);
            }
        }
        return failed;
    }

    private static int RollBack(KernelSession session, Terminal t, UndoJournal journal, ScriptLine failed, string error, string program)
    {
        var inverse = journal.UndoOperations();
        t.Err($"{program} -R --atomic: line {failed.Number}: {error}\n");
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
