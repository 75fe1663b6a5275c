using Ipvs.Netlink;

namespace Ipvs.Kernel;

/// <summary>
/// ipvsadm's wording for kernel errors (libipvs ipvs_strerror): the first row naming the command
/// wins, then the rows for any command, then strerror(). Operators grep for these texts, so they
/// are kept word for word, including the two spaces in the EINVAL text.
/// </summary>
public static class IpvsErrors
{
    /// <summary>The ipvsadm message for an errno returned by a command.</summary>
    public static string Message(IpvsCommand command, int errno) => (command, errno) switch
    {
        (IpvsCommand.NewService, Errno.EEXIST) => "Service already exists",
        (IpvsCommand.NewService or IpvsCommand.SetService, Errno.ENOENT) => "Scheduler or persistence engine not found",
        (IpvsCommand.SetService or IpvsCommand.DelService or IpvsCommand.Zero or IpvsCommand.GetService or IpvsCommand.GetDest, Errno.ESRCH) => "No such service",
        (IpvsCommand.NewDest or IpvsCommand.SetDest or IpvsCommand.DelDest, Errno.ESRCH) => "Service not defined",
        (IpvsCommand.NewDest, Errno.EEXIST) => "Destination already exists",
        (IpvsCommand.SetDest or IpvsCommand.DelDest, Errno.ENOENT) => "No such destination",
        (IpvsCommand.NewDaemon, Errno.EEXIST) => "Daemon has already run",
        (IpvsCommand.DelDaemon, Errno.ESRCH) => "No daemon is running",
        (_, Errno.EPERM) => "Permission denied (you must be root)",
        (_, Errno.EINVAL) => "Invalid operation.  Possibly wrong module version, address not unicast, ...",
        (_, Errno.ENOPROTOOPT) => "Protocol not available",
        (_, Errno.ENOMEM) => "Memory allocation problem",
        (_, Errno.EOPNOTSUPP) => "Operation not supported with IPv6",
        (_, Errno.EAFNOSUPPORT) => "Operation not supported with specified address family",
        (_, Errno.EMSGSIZE) => "Module is wrong version",
        _ => Errno.Describe(errno),
    };
}
