namespace Ipvs.Checks.Probes;

/// <summary>
/// The timeout of one attempt, phase by phase: a token linked to the caller's that fires when the
/// current phase (connecting, then reading) has run out of time. One timer serves every phase, as
/// <see cref="CancellationTokenSource.CancelAfter(TimeSpan)"/> re-arms it.
/// </summary>
internal sealed class AttemptTimeout : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _caller;

    public AttemptTimeout(CancellationToken caller)
    {
        _caller = caller;
        _source = CancellationTokenSource.CreateLinkedTokenSource(caller);
    }

    public CancellationToken Token => _source.Token;

    /// <summary>The limit of the current phase, for messages.</summary>
    public TimeSpan Limit { get; private set; }

    /// <summary>True when the current phase ran out of time (rather than the caller cancelling).</summary>
    public bool Expired => _source.IsCancellationRequested && !_caller.IsCancellationRequested;

    /// <summary>Starts a phase that may take <paramref name="limit"/>.</summary>
    public void Start(TimeSpan limit)
    {
        Limit = limit;
        _source.CancelAfter(limit);
    }

    public void Dispose() => _source.Dispose();
}
