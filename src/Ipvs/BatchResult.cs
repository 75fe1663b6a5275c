using System.Collections;
using Ipvs.Kernel;
using Ipvs.Netlink;

namespace Ipvs;

/// <summary>The outcome of one operation of a batch.</summary>
/// <param name="Operation">The operation.</param>
/// <param name="State">Applied, failed, not attempted, or unknown.</param>
/// <param name="Errno">The kernel's errno when it failed; ETIMEDOUT or ENOBUFS when unknown; else 0.</param>
/// <param name="KernelMessage">Extended-ACK text, when the kernel sent any.</param>
public readonly record struct OperationResult(IpvsOperation Operation, OperationState State, int Errno, string? KernelMessage)
{
    /// <summary>True when the kernel applied the operation.</summary>
    public bool Succeeded => State == OperationState.Applied;

    /// <summary>The failure as an exception, worded as ipvsadm words it; null when it succeeded.</summary>
    public IpvsException? ToException() => State switch
    {
        OperationState.Applied => null,
        _ => new IpvsException(Operation.Command, Errno == 0 ? Netlink.Errno.EINTR : Errno, KernelMessage, 0, IpvsClient.Describe(Operation))
        {
            OutcomeUnknown = State == OperationState.Unknown,
        },
    };
}

/// <summary>Results of a batch, one per operation, in order.</summary>
public sealed class BatchResult : IReadOnlyList<OperationResult>
{
    private readonly OperationResult[] _results;

    internal BatchResult(OperationResult[] results) => _results = results;

    /// <inheritdoc />
    public OperationResult this[int index] => _results[index];

    /// <inheritdoc />
    public int Count => _results.Length;

    /// <summary>How many were applied.</summary>
    public int Applied => CountOf(OperationState.Applied);

    /// <summary>How many the kernel rejected.</summary>
    public int Failed => CountOf(OperationState.Failed);

    /// <summary>How many were not sent (stopped at an error, or cancelled).</summary>
    public int NotAttempted => CountOf(OperationState.NotAttempted);

    /// <summary>How many have an unknown outcome (timeout or receive overflow).</summary>
    public int Unknown => CountOf(OperationState.Unknown);

    /// <summary>True when every operation was applied.</summary>
    public bool Succeeded => Applied == Count;

    /// <summary>Throws <see cref="IpvsBatchException"/> unless every operation was applied.</summary>
    public void ThrowIfFailed()
    {
        if (!Succeeded)
        {
            throw new IpvsBatchException(this);
        }
    }

    /// <inheritdoc />
    public IEnumerator<OperationResult> GetEnumerator() => ((IEnumerable<OperationResult>)_results).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _results.GetEnumerator();

    private int CountOf(OperationState state)
    {
        int n = 0;
        foreach (var r in _results)
        {
            n += r.State == state ? 1 : 0;
        }
        return n;
    }
}

/// <summary>A batch did not apply in full; <see cref="Result"/> says exactly what was applied.</summary>
public sealed class IpvsBatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IpvsBatchException(BatchResult result)
        : base(Summarise(result)) => Result = result;

    /// <summary>The per-operation results.</summary>
    public BatchResult Result { get; }

    private static string Summarise(BatchResult r)
    {
        string first = "";
        for (int i = 0; i < r.Count; i++)
        {
            if (!r[i].Succeeded && r[i].State != OperationState.NotAttempted)
            {
                first = $"; first failure: operation {i + 1}: {r[i].ToException()!.Message}";
                break;
            }
        }
        return $"{r.Applied} of {r.Count} operations applied, {r.Failed} failed, {r.Unknown} unknown, {r.NotAttempted} not attempted{first}";
    }
}

/// <summary>Options for <see cref="IpvsClient.ExecuteAsync"/>.</summary>
public sealed record BatchOptions
{
    /// <summary>
    /// Stop sending after the first send that had a failure. Requests already in that send are
    /// still applied by the kernel (it does not stop mid-send); the result reports each one.
    /// </summary>
    public bool StopOnError { get; init; }

    /// <summary>Most requests per send; defaults to the client's setting.</summary>
    public int? MaxRequestsPerSend { get; init; }
}
