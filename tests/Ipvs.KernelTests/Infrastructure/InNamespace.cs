using System.Runtime.InteropServices;

namespace Ipvs.KernelTests.Infrastructure;

/// <summary>
/// Work done inside another network namespace without starting a process (in the lab every
/// process start costs tens of milliseconds): setns() moves only the calling thread, so the work
/// runs on a thread of its own that returns to the original namespace before it ends. Sockets
/// made there stay in that namespace; /proc/sys/net files opened there are that namespace's.
/// </summary>
internal static class InNamespace
{
    private const int CloneNewNet = 0x40000000;
    private const int SigTerm = 15;

    public static T Run<T>(string netnsPath, Func<T> work)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var target = File.OpenHandle(netnsPath);
                using var original = File.OpenHandle("/proc/thread-self/ns/net");
                if (SetNs(target.DangerousGetHandle().ToInt32(), CloneNewNet) != 0)
                {
                    throw new IOException($"setns({netnsPath}) failed: errno {Marshal.GetLastPInvokeError()}");
                }
                try
                {
                    result = work();
                }
                finally
                {
                    if (SetNs(original.DangerousGetHandle().ToInt32(), CloneNewNet) != 0)
                    {
                        Environment.FailFast("cannot return to the original network namespace");
                    }
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        return failure is null ? result : throw new IOException($"in {netnsPath}: {failure.Message}", failure);
    }

    /// <summary>SIGTERM, which .NET's Process has no call for: keepalived then stops its checker process and cleans up.</summary>
    public static void Terminate(int pid) => _ = Kill(pid, SigTerm);

    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static extern int SetNs(int fd, int nstype);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
