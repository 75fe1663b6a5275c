using Ipvs.Admin.Options;
using Ipvs.Model;
using Ipvs.Netlink;

namespace Ipvs.Admin.Commands;

/// <summary>
/// The commands that change the table (-A -E -D -a -e -d -C -Z --set --start-daemon
/// --stop-daemon), one at a time, with ipvsadm's messages: the kernel's refusal goes to stderr
/// worded by ipvs_strerror() and the exit status is 255.
/// </summary>
internal static class ChangeCommands
{
    public static int Run(KernelSession session, Formatting.Terminal t, CommandEntry ce)
    {
        var built = ModelMapping.Build(ce);
        if (built.Operation is null)
        {
            t.Err(EmulatedRefusal(session, ce.Command, built) + "\n");
            return 255;
        }
        try
        {
            var result = session.Client.ExecuteAsync([built.Operation]).GetAwaiter().GetResult();
            if (result[0].Succeeded)
            {
                return 0;
            }
            t.Err(KernelErrors.Message(result[0].ToException()!) + "\n");
            return 255;
        }
        catch (Exception e) when (e is NetlinkException or ArgumentException or NotSupportedException)
        {
            t.Err(KernelErrors.Message(e) + "\n");
            return 255;
        }
    }

    /// <summary>
    /// What the kernel answers to what the library will not send, in the kernel's order of
    /// checks: the service lookup comes first, then (for a real server of another family) the
    /// running sync daemon, then the value itself.
    /// </summary>
    public static string EmulatedRefusal(KernelSession session, Command command, BuiltOperation built)
    {
        bool exists = ServiceExists(session, built.Key!.Value);
        switch (built.Emulated)
        {
            case Emulated.UnknownName when command == Command.Add:
                return exists ? "Service already exists" : "Scheduler or persistence engine not found";
            case Emulated.UnknownName:
                return exists ? "Scheduler or persistence engine not found" : "No such service";
            case Emulated.ThresholdRange:
                if (!exists)
                {
                    return "Service not defined";
                }
                if (built.MixedFamily && DaemonRunning(session))
                {
                    return "Invalid operation.  Possibly wrong module version, address not unicast, ...";
                }
                return KernelErrors.StrError(Errno.ERANGE);
            default:
                throw new InvalidOperationException("nothing to emulate");
        }
    }

    private static bool ServiceExists(KernelSession session, ServiceKey key)
    {
        try
        {
            session.Client.GetServiceAsync(key).GetAwaiter().GetResult();
            return true;
        }
        catch (IpvsException e) when (e.Errno == Errno.ESRCH)
        {
            return false;
        }
    }

    private static bool DaemonRunning(KernelSession session) =>
        session.Client.GetSyncDaemonsAsync().GetAwaiter().GetResult().Any(d => d.State != SyncDaemonState.None);
}
