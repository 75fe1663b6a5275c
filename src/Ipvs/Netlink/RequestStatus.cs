namespace Ipvs.Netlink;

/// <summary>What became of one request in a batch.</summary>
public enum OperationState : byte
{
    /// <summary>Not sent, because the batch stopped at an earlier error or was cancelled before this chunk.</summary>
    NotAttempted = 0,

    /// <summary>The kernel applied it.</summary>
    Applied = 1,

    /// <summary>The kernel rejected it with an errno.</summary>
    Failed = 2,

    /// <summary>
    /// Sent, but its outcome cannot be known: the reply timed out or the receive buffer overflowed
    /// (ENOBUFS) and an error reply may have been dropped.
    /// </summary>
    Unknown = 3,
}

internal struct RequestStatus
{
    public OperationState State;
    public int Errno;
    public string? KernelMessage;
}
