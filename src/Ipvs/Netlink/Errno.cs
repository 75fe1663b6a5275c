namespace Ipvs.Netlink;

/// <summary>Linux errno values that the IPVS control plane reports or that this library raises.</summary>
public static class Errno
{
    /// <summary>Operation not permitted.</summary>
    public const int EPERM = 1;
    /// <summary>No such file or directory (also: no such destination, unknown netlink family).</summary>
    public const int ENOENT = 2;
    /// <summary>No such process (IPVS: no such service).</summary>
    public const int ESRCH = 3;
    /// <summary>Interrupted system call.</summary>
    public const int EINTR = 4;
    /// <summary>Input/output error.</summary>
    public const int EIO = 5;
    /// <summary>Try again.</summary>
    public const int EAGAIN = 11;
    /// <summary>Out of memory.</summary>
    public const int ENOMEM = 12;
    /// <summary>Permission denied.</summary>
    public const int EACCES = 13;
    /// <summary>Device or resource busy.</summary>
    public const int EBUSY = 16;
    /// <summary>File exists (IPVS: service or destination already exists).</summary>
    public const int EEXIST = 17;
    /// <summary>No such device (IPVS: unknown sync interface).</summary>
    public const int ENODEV = 19;
    /// <summary>Invalid argument.</summary>
    public const int EINVAL = 22;
    /// <summary>Message too long (netlink: larger than the send buffer).</summary>
    public const int EMSGSIZE = 90;
    /// <summary>Protocol not available.</summary>
    public const int ENOPROTOOPT = 92;
    /// <summary>Operation not supported.</summary>
    public const int EOPNOTSUPP = 95;
    /// <summary>Address family not supported by protocol.</summary>
    public const int EAFNOSUPPORT = 97;
    /// <summary>No buffer space available (netlink: the receive buffer overflowed and replies were dropped).</summary>
    public const int ENOBUFS = 105;
    /// <summary>Connection timed out.</summary>
    public const int ETIMEDOUT = 110;
    /// <summary>Bad message (a malformed netlink reply).</summary>
    public const int EBADMSG = 74;
    /// <summary>Numerical result out of range (IPVS: negative weight, lower threshold above upper).</summary>
    public const int ERANGE = 34;

    /// <summary>The C library's strerror() text for an errno, as ipvsadm falls back to it.</summary>
    public static string Describe(int errno) => errno switch
    {
        EPERM => "Operation not permitted",
        ENOENT => "No such file or directory",
        ESRCH => "No such process",
        EINTR => "Interrupted system call",
        EIO => "Input/output error",
        EAGAIN => "Resource temporarily unavailable",
        ENOMEM => "Cannot allocate memory",
        EACCES => "Permission denied",
        EBUSY => "Device or resource busy",
        EEXIST => "File exists",
        ENODEV => "No such device",
        EINVAL => "Invalid argument",
        ERANGE => "Numerical result out of range",
        EBADMSG => "Bad message",
        EMSGSIZE => "Message too long",
        ENOPROTOOPT => "Protocol not available",
        EOPNOTSUPP => "Operation not supported",
        EAFNOSUPPORT => "Address family not supported by protocol",
        ENOBUFS => "No buffer space available",
        ETIMEDOUT => "Connection timed out",
        _ => "Unknown error " + errno.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The symbolic name of an errno value, such as <c>EEXIST</c>, or its number when unknown.</summary>
    public static string Name(int errno) => errno switch
    {
        0 => "OK",
        EPERM => nameof(EPERM),
        ENOENT => nameof(ENOENT),
        ESRCH => nameof(ESRCH),
        EINTR => nameof(EINTR),
        EIO => nameof(EIO),
        EAGAIN => nameof(EAGAIN),
        ENOMEM => nameof(ENOMEM),
        EACCES => nameof(EACCES),
        EBUSY => nameof(EBUSY),
        EEXIST => nameof(EEXIST),
        ENODEV => nameof(ENODEV),
        EINVAL => nameof(EINVAL),
        EMSGSIZE => nameof(EMSGSIZE),
        ENOPROTOOPT => nameof(ENOPROTOOPT),
        EOPNOTSUPP => nameof(EOPNOTSUPP),
        EAFNOSUPPORT => nameof(EAFNOSUPPORT),
        ENOBUFS => nameof(ENOBUFS),
        ETIMEDOUT => nameof(ETIMEDOUT),
        EBADMSG => nameof(EBADMSG),
        ERANGE => nameof(ERANGE),
        _ => "errno " + errno.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
