using System.Diagnostics;
using System.Globalization;
using System.Net;
using Ipvs.Checks;
using Ipvs.Desired;
using Ipvs.Model;

// check-path N PORT WARMUP_S WINDOW_S STRACE_S
//   N plain-HTTP checks (interval 1 s, connect/read timeout 1 s, no retry) on 127.1.x.y:PORT, one
//   address each, through a CheckScheduler on the system clock (the daemon's set-up). After the
//   warm-up: a window measured from inside (CPU, allocations, context switches of every thread,
//   checks answered), then, when STRACE_S > 0, a separate window under `strace -f -c` for
//   syscalls per check (strace slows the process, so its window is not the CPU window).
// Prints key=value lines.
int n = int.Parse(args[0], CultureInfo.InvariantCulture);
int port = int.Parse(args[1], CultureInfo.InvariantCulture);
double warmup = double.Parse(args[2], CultureInfo.InvariantCulture);
double window = double.Parse(args[3], CultureInfo.InvariantCulture);
double straceWindow = args.Length > 4 ? double.Parse(args[4], CultureInfo.InvariantCulture) : 0;

long passed = 0, failed = 0;
string? lastError = null;
var service = ServiceKey.Parse("tcp:10.0.0.1:80");
long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
var scheduler = new CheckScheduler(new CheckSchedulerOptions
{
    MaxConcurrency = 256,
    ProbeCompleted = (_, r) =>
    {
        if (r.Passed)
        {
            Interlocked.Increment(ref passed);
        }
        else
        {
            Interlocked.Increment(ref failed);
            lastError = r.Error;
        }
    },
});
var check = new HttpCheck
{
    Path = "/",
    StatusCodes = [StatusRange.Single(200)],
    Interval = TimeSpan.FromSeconds(1),
    ConnectTimeout = TimeSpan.FromSeconds(1),
    ReadTimeout = TimeSpan.FromSeconds(1),
    Retries = 0,
    DelayBeforeRetry = TimeSpan.FromSeconds(1),
};
for (int i = 0; i < n; i++)
{
    var address = new IPAddress(new byte[] { 127, 1, (byte)(i / 250), (byte)(1 + (i % 250)) });
    var destination = new Destination(address, (ushort)port);
    scheduler.Register(check, CheckTarget.For(service, destination, check), CheckState.Up);
}
long heapAfter = GC.GetTotalMemory(forceFullCollection: true);
Console.WriteLine($"heap_bytes_per_registered_check={(heapAfter - heapBefore) / (double)n:F0}");

await Task.Delay(TimeSpan.FromSeconds(warmup));
var process = Process.GetCurrentProcess();
var before = Snapshot();
await Task.Delay(TimeSpan.FromSeconds(window));
var after = Snapshot();
double checks = after.Checks - before.Checks;
Console.WriteLine($"checks_per_s={checks / window:F1}");
Console.WriteLine($"failed_in_window={after.Failed - before.Failed} last_error={lastError ?? "-"}");
Console.WriteLine($"cpu_ms_per_check={(after.Cpu - before.Cpu).TotalMilliseconds / checks:F4}");
Console.WriteLine($"cpu_s_per_s={(after.Cpu - before.Cpu).TotalSeconds / window:F3}");
Console.WriteLine($"alloc_bytes_per_check={(after.Allocated - before.Allocated) / checks:F0}");
Console.WriteLine($"voluntary_ctxt_per_check={(after.Voluntary - before.Voluntary) / checks:F2}");
Console.WriteLine($"nonvoluntary_ctxt_per_check={(after.Involuntary - before.Involuntary) / checks:F2}");
Console.WriteLine($"threads={Directory.GetDirectories("/proc/self/task").Length}");
Console.WriteLine($"max_lateness_ms={scheduler.MaxLateness.TotalMilliseconds:F1}");
Console.WriteLine($"rss_mib={Status("VmRSS") / 1024.0:F1} hwm_mib={Status("VmHWM") / 1024.0:F1}");

if (straceWindow > 0)
{
    string output = Path.Combine(Path.GetTempPath(), $"check-path-strace-{Environment.ProcessId}.txt");
    using var strace = Process.Start(new ProcessStartInfo("strace", ["-f", "-c", "-o", output, "-p", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)])
    {
        RedirectStandardError = true,
    })!;
    // Counted from strace's start, as its counts are (attaching takes a few milliseconds).
    long start = Volatile.Read(ref passed) + Volatile.Read(ref failed);
    await Task.Delay(TimeSpan.FromSeconds(straceWindow));
    long traced = Volatile.Read(ref passed) + Volatile.Read(ref failed) - start;
    Process.Start("kill", ["-INT", strace.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
    await strace.WaitForExitAsync();
    var lines = File.ReadAllLines(output);
    var rows = lines.Where(l => l.Length > 0 && char.IsDigit(l.TrimStart()[0]) && l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= 5).ToList();
    foreach (var line in rows)
    {
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string name = f[^1];
        long calls = long.Parse(f[3], CultureInfo.InvariantCulture);
        Console.WriteLine($"strace_{name}_per_check={calls / (double)traced:F2}");
    }
    var total = lines.FirstOrDefault(l => l.TrimEnd().EndsWith("total", StringComparison.Ordinal));
    if (total is not null)
    {
        var f = total.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Console.WriteLine($"strace_total_per_check={long.Parse(f[2], CultureInfo.InvariantCulture) / (double)traced:F2} (checks in the strace window: {traced})");
    }
    File.Delete(output);
}
await scheduler.DisposeAsync();
return 0;

(TimeSpan Cpu, long Allocated, long Voluntary, long Involuntary, long Checks, long Failed) Snapshot()
{
    process.Refresh();
    long voluntary = 0, involuntary = 0;
    foreach (var task in Directory.GetDirectories("/proc/self/task"))
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(task, "status")))
            {
                if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                {
                    voluntary += long.Parse(line.AsSpan(24).Trim(), CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                {
                    involuntary += long.Parse(line.AsSpan(27).Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // A thread that ended meanwhile.
        }
    }
    return (process.TotalProcessorTime, GC.GetTotalAllocatedBytes(precise: true), voluntary, involuntary,
        Volatile.Read(ref passed) + Volatile.Read(ref failed), Volatile.Read(ref failed));
}

static long Status(string key)
{
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith(key + ":", StringComparison.Ordinal))
        {
            return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
    }
    return 0;
}
