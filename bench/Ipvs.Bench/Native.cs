using System.Runtime.InteropServices;

namespace Ipvs.Bench;

/// <summary>The few libc calls the benchmark uses to explain its own figures.</summary>
internal static partial class Native
{
    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrusage(int who, Span<long> usage);

    [LibraryImport("libc")]
    internal static partial int getppid();

    /// <summary>
    /// Page faults and context switches of this process so far (getrusage), with the runtime's JIT
    /// time (all threads), GC pause time and GC count: what a timed span paid besides its own work.
    /// </summary>
    internal readonly record struct Usage(long MinorFaults, long MajorFaults, long VoluntarySwitches, long InvoluntarySwitches,
        double JitSeconds, double GcPauseSeconds, int Collections)
    {
        public static Usage operator -(Usage a, Usage b) =>
            new(a.MinorFaults - b.MinorFaults, a.MajorFaults - b.MajorFaults, a.VoluntarySwitches - b.VoluntarySwitches,
                a.InvoluntarySwitches - b.InvoluntarySwitches, a.JitSeconds - b.JitSeconds, a.GcPauseSeconds - b.GcPauseSeconds,
                a.Collections - b.Collections);
    }

    internal static Usage GetUsage()
    {
        // struct rusage on 64-bit Linux: two timevals (4 longs), then 14 longs.
        Span<long> u = stackalloc long[18];
        if (getrusage(0, u) != 0)
        {
            u.Clear();
        }
        return new Usage(u[8], u[9], u[16], u[17],
            System.Runtime.JitInfo.GetCompilationTime(currentThread: false).TotalSeconds,
            GC.GetTotalPauseDuration().TotalSeconds,
            GC.CollectionCount(0));
    }
}
