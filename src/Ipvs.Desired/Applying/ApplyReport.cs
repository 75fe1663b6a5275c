namespace Ipvs.Desired;

/// <summary>What became of one planned change.</summary>
public enum ChangeOutcome
{
    /// <summary>The kernel applied it, and it stays applied.</summary>
    Applied,

    /// <summary>The kernel refused it (see <see cref="ChangeResult.Errno"/>).</summary>
    Failed,

    /// <summary>Not sent: the apply stopped at an earlier failure, or was cancelled.</summary>
    NotAttempted,

    /// <summary>Sent, but no verdict came back (timeout, receive overflow): re-read the table to know.</summary>
    Unknown,

    /// <summary>Applied, then undone by an atomic apply's rollback.</summary>
    RolledBack,

    /// <summary>Applied, but undoing it failed (see <see cref="ChangeResult.RollbackErrno"/>): it may still be in force.</summary>
    RollbackFailed,
}

/// <summary>The outcome of one planned change.</summary>
/// <param name="Change">The change.</param>
/// <param name="Outcome">What became of it.</param>
public sealed record ChangeResult(PlannedChange Change, ChangeOutcome Outcome)
{
    /// <summary>The kernel's errno when it refused the change (ETIMEDOUT or ENOBUFS when unknown); else 0.</summary>
    public int Errno { get; init; }

    /// <summary>The refusal in ipvsadm's words, with the subject and errno name; null when applied.</summary>
    public string? Message { get; init; }

    /// <summary>When undoing failed, the kernel's errno for the first failing undo operation; else 0.</summary>
    public int RollbackErrno { get; init; }

    /// <summary>When undoing failed, why; else null.</summary>
    public string? RollbackMessage { get; init; }
}

/// <summary>
/// What an apply did: one result per planned change, in plan order, saying exactly which changes
/// are in force.
/// </summary>
/// <param name="Results">One per change, in plan order.</param>
public sealed record ApplyReport(ImmutableArray<ChangeResult> Results)
{
    /// <summary>The results, in plan order.</summary>
    public ImmutableArray<ChangeResult> Results { get; init; } = Results.IsDefault ? [] : Results;

    /// <summary>True when an atomic apply had to undo what it applied.</summary>
    public bool RolledBack { get; init; }

    /// <summary>True when every change was applied.</summary>
    public bool Succeeded => Results.All(r => r.Outcome == ChangeOutcome.Applied);

    /// <summary>Changes applied and kept (those whose undo failed are counted by <see cref="RollbackFailed"/>).</summary>
    public int Applied => Count(ChangeOutcome.Applied);

    /// <summary>Changes the kernel refused.</summary>
    public int Failed => Count(ChangeOutcome.Failed);

    /// <summary>Changes not sent.</summary>
    public int NotAttempted => Count(ChangeOutcome.NotAttempted);

    /// <summary>Changes whose outcome is unknown.</summary>
    public int Unknown => Count(ChangeOutcome.Unknown);

    /// <summary>Changes applied and then undone.</summary>
    public int RolledBackCount => Count(ChangeOutcome.RolledBack);

    /// <summary>Changes applied whose undo failed.</summary>
    public int RollbackFailed => Count(ChangeOutcome.RollbackFailed);

    /// <summary>The readable report (see <see cref="PlanText"/>).</summary>
    public override string ToString() => PlanText.Render(this);

    private int Count(ChangeOutcome outcome) => Results.Count(r => r.Outcome == outcome);
}
