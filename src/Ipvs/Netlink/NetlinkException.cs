namespace Ipvs.Netlink;

/// <summary>
/// A netlink operation failed. <see cref="Errno"/> is the positive Linux errno, whether the kernel
/// reported it in an NLMSG_ERROR reply or the socket call itself failed.
/// </summary>
public class NetlinkException : IOException
{
    /// <summary>Creates the exception.</summary>
    public NetlinkException(string operation, int errno, string message, string? kernelMessage = null, uint sequence = 0, Exception? inner = null)
        : base(message, inner)
    {
        Operation = operation;
        Errno = errno;
        KernelMessage = kernelMessage;
        Sequence = sequence;
        HResult = errno;
    }

    /// <summary>What was being done, such as <c>send</c>, <c>receive</c> or an IPVS command name.</summary>
    public string Operation { get; }

    /// <summary>The positive Linux errno, for example 17 (EEXIST).</summary>
    public int Errno { get; }

    /// <summary>The kernel's extended-ACK text, when it sent one.</summary>
    public string? KernelMessage { get; }

    /// <summary>The sequence number of the failed request, or 0 when not tied to one.</summary>
    public uint Sequence { get; }
}

/// <summary>A reply from the kernel could not be decoded: truncated, mis-sized or otherwise malformed.</summary>
public sealed class NetlinkDecodeException : NetlinkException
{
    /// <summary>Creates the exception.</summary>
    public NetlinkDecodeException(string message)
        : base("decode", Netlink.Errno.EBADMSG, message)
    {
    }
}

/// <summary>No reply arrived within the configured reply timeout. The request's outcome is unknown.</summary>
public sealed class NetlinkTimeoutException : NetlinkException
{
    /// <summary>Creates the exception.</summary>
    public NetlinkTimeoutException(string operation, TimeSpan timeout, uint sequence)
        : base(operation, Netlink.Errno.ETIMEDOUT,
              $"{operation}: no reply from the kernel within {timeout.TotalSeconds:0.###} s; the outcome is unknown", null, sequence)
    {
    }
}
