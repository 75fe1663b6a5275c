using Ipvs.Kernel;
using Ipvs.Netlink;

namespace Ipvs;

/// <summary>
/// The kernel rejected an IPVS command. <see cref="NetlinkException.Errno"/> carries the errno and
/// the message is worded as ipvsadm words it ("Service already exists", "No such destination", …).
/// </summary>
public sealed class IpvsException : NetlinkException
{
    /// <summary>Creates the exception.</summary>
    public IpvsException(IpvsCommand command, int errno, string? kernelMessage = null, uint sequence = 0, string? subject = null)
        : base(command.ToString(), errno, Compose(command, errno, kernelMessage, subject), kernelMessage, sequence)
    {
        Command = command;
        Subject = subject;
    }

    /// <summary>The command that failed.</summary>
    public IpvsCommand Command { get; }

    /// <summary>What the command was about, such as <c>tcp:10.0.0.1:80</c>, when known.</summary>
    public string? Subject { get; }

    /// <summary>
    /// True when the request was sent but no verdict came back (reply timeout, or a receive-buffer
    /// overflow that may have dropped it): the change may or may not be in the kernel. Re-read to know.
    /// </summary>
    public bool OutcomeUnknown { get; init; }

    /// <summary>ipvsadm's text for the errno, without the subject.</summary>
    public string IpvsadmMessage => IpvsErrors.Message(Command, Errno);

    private static string Compose(IpvsCommand command, int errno, string? kernelMessage, string? subject)
    {
        var text = IpvsErrors.Message(command, errno);
        if (subject is not null)
        {
            text = $"{text} ({command} {subject}, {Netlink.Errno.Name(errno)})";
        }
        return kernelMessage is null ? text : $"{text}: {kernelMessage}";
    }
}

/// <summary>
/// The running kernel lacks a feature a request needs (for example GRE tunnels before Linux 5.3).
/// Raised before anything is sent: older kernels silently ignore attributes they do not know.
/// </summary>
public sealed class IpvsNotSupportedException : NotSupportedException
{
    /// <summary>Creates the exception.</summary>
    public IpvsNotSupportedException(string feature, Version required, Version running)
        : base($"{feature} is not supported by this kernel: it needs Linux {required.ToString(2)}, and this is {running}.")
    {
        Feature = feature;
        Required = required;
        Running = running;
    }

    /// <summary>The feature.</summary>
    public string Feature { get; }

    /// <summary>The first kernel version that has it.</summary>
    public Version Required { get; }

    /// <summary>The running kernel's version.</summary>
    public Version Running { get; }
}
