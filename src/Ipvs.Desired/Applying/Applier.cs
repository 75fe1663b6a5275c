using Ipvs.Netlink;

namespace Ipvs.Desired;

/// <summary>Options for <see cref="Applier.ApplyAsync"/>.</summary>
public sealed record ApplyOptions
{
    /// <summary>
    /// All or nothing: when the kernel refuses a change part-way, undo the applied ones in reverse
    /// order (an add by a delete, a delete by re-adding the old values — a service with all its old
    /// destinations — and an edit by editing back).
    /// </summary>
    public bool Atomic { get; init; }

    /// <summary>
    /// Most operations per send; null for the client's setting. The kernel applies a whole send even
    /// when one of its requests fails, so 1 makes the apply stop right at the first refusal, at the
    /// cost of one round trip per change.
    /// </summary>
    public int? MaxRequestsPerSend { get; init; }
}

/// <summary>Sends a plan through the batch API and reports exactly what is in force afterwards.</summary>
public static class Applier
{
    /// <summary>
    /// Applies the plan with stop-on-error: sending stops after the first send with a refusal. The
    /// report has one result per change. With <see cref="ApplyOptions.Atomic"/>, a refusal makes
    /// every applied change be undone.
    /// </summary>
    /// <exception cref="ArgumentException">The library refused an operation before sending anything.</exception>
    public static async Task<ApplyReport> ApplyAsync(IIpvsClient client, Plan plan, ApplyOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(plan);
        options ??= new ApplyOptions();
        if (plan.IsEmpty)
        {
            return new ApplyReport([]);
        }
        var batch = new BatchOptions { StopOnError = true, MaxRequestsPerSend = options.MaxRequestsPerSend };
        var outcome = await client.ExecuteAsync(plan.Operations, batch, cancellationToken).ConfigureAwait(false);
        var results = new ChangeResult[plan.Changes.Length];
        for (int i = 0; i < results.Length; i++)
        {
            results[i] = Result(plan.Changes[i], outcome[i]);
        }
        if (!options.Atomic || outcome.Succeeded)
        {
            return new ApplyReport([.. results]);
        }
        await RollBackAsync(client, results).ConfigureAwait(false);
        return new ApplyReport([.. results]) { RolledBack = true };
    }

    private static ChangeResult Result(PlannedChange change, OperationResult r) => r.State switch
    {
        OperationState.Applied => new ChangeResult(change, ChangeOutcome.Applied),
        OperationState.NotAttempted => new ChangeResult(change, ChangeOutcome.NotAttempted),
        OperationState.Failed => new ChangeResult(change, ChangeOutcome.Failed) { Errno = r.Errno, Message = r.ToException()!.Message },
        _ => new ChangeResult(change, ChangeOutcome.Unknown) { Errno = r.Errno, Message = r.ToException()!.Message },
    };

    // Undoes applied changes, last first. A change of unknown outcome is undone too: its inverse
    // either undoes it or fails harmlessly (nothing to delete, already there), and an edit back is
    // right either way. NB: no cancellation here: a rollback stopped half-way leaves a table that is
    // neither the old one nor the new one; every receive is still bounded by the client's timeout.
    private static async Task RollBackAsync(IIpvsClient client, ChangeResult[] results)
    {
        var undo = new List<IpvsOperation>();
        var owner = new List<int>();
        for (int i = results.Length - 1; i >= 0; i--)
        {
            if (results[i].Outcome is ChangeOutcome.Applied or ChangeOutcome.Unknown)
            {
                foreach (var op in results[i].Change.Inverse())
                {
                    undo.Add(op);
                    owner.Add(i);
                }
            }
        }
        var failures = new Dictionary<int, OperationResult>();
        if (undo.Count > 0)
        {
            var outcome = await client.ExecuteAsync(undo, new BatchOptions { StopOnError = false }, CancellationToken.None).ConfigureAwait(false);
            for (int k = 0; k < outcome.Count; k++)
            {
                if (!outcome[k].Succeeded)
                {
                    failures.TryAdd(owner[k], outcome[k]);
                }
            }
        }
        for (int i = 0; i < results.Length; i++)
        {
            var r = results[i];
            bool undoable = r.Change.Inverse().Length > 0;
            switch (r.Outcome)
            {
                case ChangeOutcome.Applied when !undoable:
                    results[i] = r with { Outcome = ChangeOutcome.RollbackFailed, RollbackMessage = "It cannot be undone: its values before are unknown." };
                    break;
                case ChangeOutcome.Applied when failures.TryGetValue(i, out var f):
                    results[i] = r with { Outcome = ChangeOutcome.RollbackFailed, RollbackErrno = f.Errno, RollbackMessage = f.ToException()!.Message };
                    break;
                case ChangeOutcome.Applied:
                    results[i] = r with { Outcome = ChangeOutcome.RolledBack };
                    break;
                case ChangeOutcome.Unknown when undoable && !failures.ContainsKey(i):
                    // The undo succeeded, so whatever happened is undone.
                    results[i] = r with { Outcome = ChangeOutcome.RolledBack };
                    break;
                case ChangeOutcome.Unknown when failures.TryGetValue(i, out var f):
                    // Most likely it never happened (nothing to delete, already there); say so anyway.
                    results[i] = r with { RollbackErrno = f.Errno, RollbackMessage = f.ToException()!.Message };
                    break;
            }
        }
    }
}
