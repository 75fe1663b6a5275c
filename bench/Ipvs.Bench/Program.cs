using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Ipvs;
using Ipvs.Model;

namespace Ipvs.Bench;

/// <summary>
/// Benchmark driver. Every subcommand prints its figures as <c>key=value</c> lines on stdout
/// (seconds with 6 decimals), which bench/lab-bench.sh parses. Diagnostics go to stderr.
/// </summary>
internal static class Program
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static async Task<int> Main(string[] args)
    {
        try
        {
            var positional = new List<string>();
            var options = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < args.Length; i++)
            {
                if (args[i].StartsWith("--", StringComparison.Ordinal))
                {
                    if (i + 1 >= args.Length)
                    {
                        return Usage($"option {args[i]} needs a value");
                    }
                    options[args[i][2..]] = args[++i];
                }
                else
                {
                    positional.Add(args[i]);
                }
            }
            if (positional.Count == 0)
            {
                return Usage("no subcommand");
            }
            var tuning = Tuning.From(options);
            switch (positional[0])
            {
                case "thesis" when positional.Count == 3:
                    return await Thesis(int.Parse(positional[1], Inv), positional[2], tuning).ConfigureAwait(false);
                case "bulk" when positional.Count == 4:
                    return await Bulk(positional[1], int.Parse(positional[2], Inv), int.Parse(positional[3], Inv), tuning).ConfigureAwait(false);
                case "restore" when positional.Count == 3:
                    return await Restore(positional[1], positional[2], tuning).ConfigureAwait(false);
                case "read" when positional.Count is 2 or 3:
                    return await Read(positional[1], positional.Count == 3 ? positional[2] : "/dev/null", tuning).ConfigureAwait(false);
                case "costs" when positional.Count == 1:
                    return Costs();
                default:
                    return Usage($"unknown subcommand or wrong arguments: {string.Join(' ', positional)}");
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"ipvs-bench: {e}");
            return 1;
        }
    }

    private static int Usage(string why)
    {
        Console.Error.WriteLine($"ipvs-bench: {why}");
        Console.Error.WriteLine("""
            usage:
              Ipvs.Bench thesis N NS                 N x (add svc, add dest, del dest, del svc), single-op API
              Ipvs.Bench bulk NS S D                 S services x D destinations through ExecuteAsync
              Ipvs.Bench restore NS FILE             the -A/-a lines of an ipvsadm -R file through ExecuteAsync
              Ipvs.Bench read NS [OUT]               GetTableAsync, then format like ipvsadm -Ln --stats to OUT
              Ipvs.Bench costs                       what a syscall, a clock read and a page fault cost here
            options: --max-per-send N --sndbuf BYTES --rcvbuf BYTES --repeat N (read: reads per process)
                     --chunk N (bulk/restore: one ExecuteAsync per N operations instead of one for all;
                                an experiment, not the measured default)
                     --fake 1 (thesis/bulk/restore: a fake kernel that ACKs at once, no socket)
                     --record FILE / --replay FILE (read: record the kernel's replies / read from them)
                     --services-only 1 (read: time GetServicesAsync alone)
                     --stream 1 (read: DumpServicesAsync, then DumpDestinationsAsync per service in
                                 ipvsadm's order, each formatted as it arrives, as ipvsadm -L reads)
            """);
        return 2;
    }

    private sealed record Tuning(int? MaxPerSend, int? SendBuffer, int? ReceiveBuffer, int Repeat, int? Chunk,
        bool Fake, string? Record, string? Replay, bool ServicesOnly, bool Stream)
    {
        public static Tuning From(Dictionary<string, string> o) => new(
            o.TryGetValue("max-per-send", out var m) ? int.Parse(m, Inv) : null,
            o.TryGetValue("sndbuf", out var s) ? int.Parse(s, Inv) : null,
            o.TryGetValue("rcvbuf", out var r) ? int.Parse(r, Inv) : null,
            o.TryGetValue("repeat", out var n) ? int.Parse(n, Inv) : 1,
            o.TryGetValue("chunk", out var c) ? int.Parse(c, Inv) : null,
            o.TryGetValue("fake", out var f) && f == "1",
            o.GetValueOrDefault("record"),
            o.GetValueOrDefault("replay"),
            o.TryGetValue("services-only", out var so) && so == "1",
            o.TryGetValue("stream", out var st) && st == "1");

        /// <summary>
        /// The client: on a real socket in the namespace, or (for attribution) on a fake kernel that
        /// ACKs at once (--fake 1), or on a socket whose replies are recorded to a file
        /// (--record FILE), or on a replay of such a recording (--replay FILE).
        /// </summary>
        public IpvsClient Open(string ns)
        {
            var options = ClientOptions(ns);
            if (Fake)
            {
                return IpvsClient.Open(new AckingKernel(), options);
            }
            if (Replay is string replay)
            {
                return IpvsClient.Open(new ReplayTransport(File.ReadAllBytes(replay)), options);
            }
            if (Record is string record)
            {
                var socket = Ipvs.Netlink.NetlinkSocket.Open(IpvsClient.NamespacePath(ns), options.SendBufferBytes, options.ReceiveBufferBytes);
                return IpvsClient.Open(new RecordingTransport(socket, new FileStream(record, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16)), options);
            }
            return IpvsClient.Open(options);
        }

        public IpvsClientOptions ClientOptions(string ns)
        {
            var o = new IpvsClientOptions { NetworkNamespace = ns };
            if (MaxPerSend is int m)
            {
                o = o with { MaxRequestsPerSend = m };
            }
            if (SendBuffer is int s)
            {
                o = o with { SendBufferBytes = s };
            }
            if (ReceiveBuffer is int r)
            {
                o = o with { ReceiveBufferBytes = r };
            }
            return o;
        }
    }

    private static void Emit(string key, double seconds) =>
        Console.WriteLine(string.Create(Inv, $"{key}={seconds:F6}"));

    private static void Emit(string key, long value) =>
        Console.WriteLine(string.Create(Inv, $"{key}={value}"));

    private static void Emit(string prefix, Native.Usage u)
    {
        Emit(prefix + "_minflt", u.MinorFaults);
        Emit(prefix + "_nivcsw", u.InvoluntarySwitches);
        Emit(prefix + "_jit_s", u.JitSeconds);
        Emit(prefix + "_gc_pause_s", u.GcPauseSeconds);
        Emit(prefix + "_gcs", u.Collections);
    }

    private static void EmitProcessStats()
    {
        Emit("process", Native.GetUsage());
        // JIT and GC figures for the whole process so far: what the "whole process" time pays for.
        Emit("jit_methods", System.Runtime.JitInfo.GetCompiledMethodCount());
        Emit("jit_s", System.Runtime.JitInfo.GetCompilationTime().TotalSeconds);
        Emit("gc0", GC.CollectionCount(0));
        Emit("gc1", GC.CollectionCount(1));
        Emit("gc2", GC.CollectionCount(2));
        Emit("allocated_bytes", GC.GetTotalAllocatedBytes(precise: false));
        using var p = Process.GetCurrentProcess();
        Emit("cpu_user_s", p.UserProcessorTime.TotalSeconds);
        Emit("cpu_sys_s", p.PrivilegedProcessorTime.TotalSeconds);
        Emit("since_process_start_s", (DateTime.Now - p.StartTime).TotalSeconds);
    }

    // ------------------------------------------------------------------ thesis

    /// <summary>
    /// The thesis loop: N times add service 10.0.0.1:80 (wrr), add destination 192.168.0.1:80
    /// (masquerading, weight 1), delete the destination, delete the service, each as its own call
    /// of the single-operation API, awaited one after another. Keys and settings are parsed from
    /// text every iteration, as ipvsadm parses its command line for every process.
    /// </summary>
    private static async Task<int> Thesis(int n, string ns, Tuning tuning)
    {
        var total = Stopwatch.StartNew();
        var sw = Stopwatch.StartNew();
        using var client = tuning.Open(ns);
        Emit("open_s", sw.Elapsed.TotalSeconds);

        long allocBefore = GC.GetAllocatedBytesForCurrentThread();
        var usage = Native.GetUsage();
        sw.Restart();
        for (int i = 0; i < n; i++)
        {
            var key = ServiceKey.Tcp("10.0.0.1:80");
            await client.AddServiceAsync(new VirtualService(key) { Scheduler = "wrr" }).ConfigureAwait(false);
            var dest = new Destination("192.168.0.1:80", weight: 1, forwarding: ForwardingMethod.Masquerade);
            await client.AddDestinationAsync(key, dest).ConfigureAwait(false);
            await client.DeleteDestinationAsync(key, dest.Key).ConfigureAwait(false);
            await client.DeleteServiceAsync(key).ConfigureAwait(false);
        }
        var loop = sw.Elapsed.TotalSeconds;
        Emit("loop", Native.GetUsage() - usage);
        long alloc = GC.GetAllocatedBytesForCurrentThread() - allocBefore;

        Emit("iterations", n);
        Emit("ops", 4L * n);
        Emit("loop_s", loop);
        Emit("per_op_us", loop / (4.0 * n) * 1e6);
        Emit("loop_alloc_bytes_per_op", alloc / Math.Max(1, 4L * n));
        Emit("main_s", total.Elapsed.TotalSeconds);
        EmitProcessStats();
        return 0;
    }

    // -------------------------------------------------------------------- bulk

    /// <summary>Service i (0-based) is 10.0.0.0 + i + 1, port 80, wrr.</summary>
    internal static IPAddress ServiceAddress(int i) => FromUInt32((10u << 24) + (uint)i + 1);

    /// <summary>Destination j (0-based, over the whole table) is 172.16.0.0 + j + 1, port 80: all distinct.</summary>
    internal static IPAddress DestinationAddress(int j) => FromUInt32((172u << 24) + (16u << 16) + (uint)j + 1);

    private static IPAddress FromUInt32(uint v) =>
        new([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);

    private static List<IpvsOperation> BuildOperations(int services, int dests)
    {
        var ops = new List<IpvsOperation>(services * (dests + 1));
        for (int i = 0; i < services; i++)
        {
            var key = ServiceKey.Create(IpvsProtocol.Tcp, ServiceAddress(i), 80);
            ops.Add(IpvsOperation.AddService(new VirtualService(key) { Scheduler = "wrr" }));
            for (int d = 0; d < dests; d++)
            {
                var dest = new Destination(DestinationAddress(i * dests + d), 80) { Weight = 1, Forwarding = ForwardingMethod.Masquerade };
                ops.Add(IpvsOperation.AddDestination(key, dest));
            }
        }
        return ops;
    }

    private static async Task<int> Bulk(string ns, int services, int dests, Tuning tuning)
    {
        var total = Stopwatch.StartNew();
        var usage = Native.GetUsage();
        var sw = Stopwatch.StartNew();
        var ops = BuildOperations(services, dests);
        Emit("build_s", sw.Elapsed.TotalSeconds);
        Emit("build", Native.GetUsage() - usage);
        return await Execute(ns, ops, tuning, total).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the -A and -a lines of an ipvsadm -R file (the subset genfile writes: -t/-u, -s, -r,
    /// -m/-g/-i, -w) into operations, then runs them as one ExecuteAsync call.
    /// </summary>
    private static async Task<int> Restore(string ns, string file, Tuning tuning)
    {
        var total = Stopwatch.StartNew();
        var usage = Native.GetUsage();
        var sw = Stopwatch.StartNew();
        var ops = new List<IpvsOperation>(128 * 1024);
        foreach (var line in File.ReadLines(file))
        {
            if (line.Length > 0)
            {
                ops.Add(ParseRule(line));
            }
        }
        Emit("build_s", sw.Elapsed.TotalSeconds);
        Emit("build", Native.GetUsage() - usage);
        return await Execute(ns, ops, tuning, total).ConfigureAwait(false);
    }

    // The previous line's service, so that the ten -a lines of a service parse its key once.
    private static string? s_lastServiceText;
    private static ServiceKey s_lastService;

    private static IpvsOperation ParseRule(string line)
    {
        var rest = line.AsSpan();
        var command = NextToken(ref rest);
        ServiceKey? key = null;
        string? scheduler = null;
        IPAddress? realAddress = null;
        ushort realPort = 0;
        int weight = 1;
        var forwarding = ForwardingMethod.DirectRoute; // ipvsadm's default (-g)
        while (true)
        {
            var option = NextToken(ref rest);
            if (option.IsEmpty)
            {
                break;
            }
            switch (option)
            {
                case "-t" or "-u":
                    var text = NextToken(ref rest);
                    if (s_lastServiceText is not null && text.SequenceEqual(s_lastServiceText) && (option[1] == 't') == (s_lastService.Protocol == IpvsProtocol.Tcp))
                    {
                        key = s_lastService;
                        break;
                    }
                    var (address, port) = ParseEndpoint(text, line);
                    key = ServiceKey.Create(option[1] == 't' ? IpvsProtocol.Tcp : IpvsProtocol.Udp, address, port);
                    s_lastServiceText = text.ToString();
                    s_lastService = key.Value;
                    break;
                case "-s": scheduler = NextToken(ref rest).ToString(); break;
                case "-r": (realAddress, realPort) = ParseEndpoint(NextToken(ref rest), line); break;
                case "-w": weight = int.Parse(NextToken(ref rest), NumberStyles.None, Inv); break;
                case "-m": forwarding = ForwardingMethod.Masquerade; break;
                case "-g": forwarding = ForwardingMethod.DirectRoute; break;
                case "-i": forwarding = ForwardingMethod.Tunnel; break;
                default: throw new FormatException($"unsupported option '{option}' in '{line}'");
            }
        }
        if (key is not ServiceKey k)
        {
            throw new FormatException($"no service in '{line}'");
        }
        return command switch
        {
            "-A" => IpvsOperation.AddService(new VirtualService(k) { Scheduler = scheduler ?? "wlc" }),
            "-a" when realAddress is not null => IpvsOperation.AddDestination(k, new Destination(realAddress, realPort) { Weight = weight, Forwarding = forwarding }),
            _ => throw new FormatException($"unsupported rule '{line}'"),
        };
    }

    private static ReadOnlySpan<char> NextToken(ref ReadOnlySpan<char> rest)
    {
        rest = rest.TrimStart(' ');
        int end = rest.IndexOf(' ');
        var token = end < 0 ? rest : rest[..end];
        rest = end < 0 ? default : rest[end..];
        return token;
    }

    // ADDRESS:PORT or [IPV6]:PORT
    private static (IPAddress Address, ushort Port) ParseEndpoint(ReadOnlySpan<char> text, string line)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0)
        {
            throw new FormatException($"'{text}' in '{line}' is not ADDRESS:PORT");
        }
        var host = text[..colon];
        if (host[0] == '[' && host[^1] == ']')
        {
            host = host[1..^1];
        }
        return (IPAddress.Parse(host), ushort.Parse(text[(colon + 1)..], NumberStyles.None, Inv));
    }

    private static async Task<int> Execute(string ns, List<IpvsOperation> ops, Tuning tuning, Stopwatch total)
    {
        var sw = Stopwatch.StartNew();
        using var client = tuning.Open(ns);
        Emit("open_s", sw.Elapsed.TotalSeconds);
        var batchOptions = tuning.MaxPerSend is int m ? new BatchOptions { MaxRequestsPerSend = m } : null;

        long allocBefore = GC.GetAllocatedBytesForCurrentThread();
        var usage = Native.GetUsage();
        sw.Restart();
        int applied = 0;
        if (tuning.Chunk is int chunk)
        {
            for (int i = 0; i < ops.Count; i += chunk)
            {
                var part = await client.ExecuteAsync(ops.GetRange(i, Math.Min(chunk, ops.Count - i)), batchOptions).ConfigureAwait(false);
                part.ThrowIfFailed();
                applied += part.Applied;
            }
        }
        else
        {
            var result = await client.ExecuteAsync(ops, batchOptions).ConfigureAwait(false);
            result.ThrowIfFailed();
            applied = result.Applied;
        }
        var exec = sw.Elapsed.TotalSeconds;
        Emit("exec", Native.GetUsage() - usage);
        long alloc = GC.GetAllocatedBytesForCurrentThread() - allocBefore;

        Emit("ops", ops.Count);
        Emit("applied", applied);
        Emit("exec_s", exec);
        Emit("ops_per_s", (long)(ops.Count / exec));
        Emit("exec_alloc_bytes_per_op", alloc / Math.Max(1, ops.Count));
        // With the fake kernel the same batch can run again in the same process: JIT-warm figures.
        for (int r = 2; tuning.Fake && r <= tuning.Repeat; r++)
        {
            var u = Native.GetUsage();
            sw.Restart();
            (await client.ExecuteAsync(ops, batchOptions).ConfigureAwait(false)).ThrowIfFailed();
            Emit("exec_s_" + r.ToString(Inv), sw.Elapsed.TotalSeconds);
            Emit("exec_" + r.ToString(Inv), Native.GetUsage() - u);
        }
        Emit("main_s", total.Elapsed.TotalSeconds);
        EmitProcessStats();
        return 0;
    }

    // ------------------------------------------------------------------- costs

    /// <summary>
    /// What the machine charges for the three things UML makes expensive: a syscall (getppid), a
    /// clock read (Stopwatch, clock_gettime: UML has no vDSO, so it is a syscall too), and the first
    /// touch of a fresh page (a page fault, which UML handles in its kernel process).
    /// </summary>
    private static unsafe int Costs()
    {
        const int calls = 20_000;
        var sw = Stopwatch.StartNew();
        int sink = 0;
        for (int i = 0; i < calls; i++)
        {
            sink += Native.getppid();
        }
        Emit("syscall_us", sw.Elapsed.TotalSeconds / calls * 1e6);
        sw.Restart();
        long t = 0;
        for (int i = 0; i < calls; i++)
        {
            t += Stopwatch.GetTimestamp();
        }
        Emit("clock_read_us", sw.Elapsed.TotalSeconds / calls * 1e6);

        const int pages = 8192; // 32 MiB
        byte* p = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)pages * 4096);
        var before = Native.GetUsage();
        sw.Restart();
        for (long i = 0; i < pages; i++)
        {
            p[i * 4096] = 1;
        }
        var first = sw.Elapsed.TotalSeconds;
        long faults = (Native.GetUsage() - before).MinorFaults;
        sw.Restart();
        for (long i = 0; i < pages; i++)
        {
            p[i * 4096] = 2;
        }
        var again = sw.Elapsed.TotalSeconds;
        System.Runtime.InteropServices.NativeMemory.Free(p);
        Emit("page_faults", faults);
        Emit("page_fault_us", first / Math.Max(1, faults) * 1e6);
        Emit("page_touch_again_us", again / pages * 1e6);
        Emit("sink", (sink + t) & 1);
        return 0;
    }

    // -------------------------------------------------------------------- read

    /// <summary>
    /// A full read: GetInfoAsync (the version line) and GetTableAsync (services, destinations and
    /// their statistics), then the same text as <c>ipvsadm -Ln --stats</c> written to OUT. With
    /// --repeat R the read is done R times in one process: read 1 pays for JIT, later ones do not.
    /// </summary>
    private static async Task<int> Read(string ns, string output, Tuning tuning)
    {
        var total = Stopwatch.StartNew();
        var sw = Stopwatch.StartNew();
        using var client = tuning.Open(ns);
        Emit("open_s", sw.Elapsed.TotalSeconds);
        if (tuning.ServicesOnly)
        {
            // Attribution: one service listing (GetServicesAsync) alone.
            for (int r = 1; r <= tuning.Repeat; r++)
            {
                string suffix = r == 1 ? "" : "_" + r.ToString(Inv);
                var u = Native.GetUsage();
                sw.Restart();
                var services = await client.GetServicesAsync().ConfigureAwait(false);
                Emit("services_s" + suffix, sw.Elapsed.TotalSeconds);
                Emit("services" + suffix, Native.GetUsage() - u);
                Emit("services_count" + suffix, services.Count);
            }
            EmitProcessStats();
            return 0;
        }
        if (tuning.Stream)
        {
            for (int r = 1; r <= tuning.Repeat; r++)
            {
                await ReadStreaming(client, output, r == 1 ? "" : "_" + r.ToString(Inv)).ConfigureAwait(false);
            }
            Emit("main_s", total.Elapsed.TotalSeconds);
            EmitProcessStats();
            return 0;
        }
        for (int r = 1; r <= tuning.Repeat; r++)
        {
            string suffix = r == 1 ? "" : "_" + r.ToString(Inv);
            var usage = Native.GetUsage();
            sw.Restart();
            var info = await client.GetInfoAsync().ConfigureAwait(false);
            var table = await client.GetTableAsync().ConfigureAwait(false);
            var read = sw.Elapsed.TotalSeconds;
            var readUsage = Native.GetUsage();
            long lines;
            using (var stream = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, 1 << 16))
            using (var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16))
            {
                lines = Format(w, info, table);
            }
            var readFormat = sw.Elapsed.TotalSeconds;
            Emit("read" + suffix, readUsage - usage);
            Emit("format" + suffix, Native.GetUsage() - readUsage);
            long dests = 0;
            foreach (var e in table)
            {
                dests += e.Destinations.Count;
            }
            Emit("read_s" + suffix, read);
            Emit("read_format_s" + suffix, readFormat);
            Emit("format_s" + suffix, readFormat - read);
            if (r == 1)
            {
                Emit("services", table.Count);
                Emit("destinations", dests);
                Emit("entries", table.Count + dests);
                Emit("lines", lines);
            }
        }
        Emit("main_s", total.Elapsed.TotalSeconds);
        EmitProcessStats();
        return 0;
    }

    /// <summary>
    /// The full read as ipvsadm -L does it, through the library's streaming calls: the service
    /// list (one dump), sorted as ipvsadm sorts it, then each service's destinations (one dump
    /// each), sorted and written before the next service is read, so the table is never held
    /// whole. With OUT "none" nothing is formatted (the read alone, for attribution): the
    /// destinations are still read and counted.
    /// </summary>
    private static async Task ReadStreaming(IpvsClient client, string output, string suffix)
    {
        var usage = Native.GetUsage();
        var sw = Stopwatch.StartNew();
        bool format = output != "none";
        long lines = 0, dests = 0;
        var info = await client.GetInfoAsync().ConfigureAwait(false);
        var services = await client.DumpServicesAsync().ConfigureAwait(false);
        var sorted = services.ToArray();
        var buffer = new List<DestinationInfo>();
        using (var stream = format ? new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, 1 << 16) : null)
        using (var w = stream is null ? null : new StreamWriter(stream, new UTF8Encoding(false), 1 << 16))
        {
            if (w is not null)
            {
                Array.Sort(sorted, static (a, b) => CompareServices(a.Key, b.Key));
                lines += FormatHeader(w, info);
            }
            foreach (var s in sorted)
            {
                var d = await client.DumpDestinationsAsync(s.Key).ConfigureAwait(false);
                dests += d.Count;
                if (w is not null)
                {
                    lines += FormatService(w, s, d, buffer);
                }
            }
        }
        var elapsed = sw.Elapsed.TotalSeconds;
        Emit("read" + suffix, Native.GetUsage() - usage);
        Emit(format ? "read_format_s" + suffix : "read_s" + suffix, elapsed);
        if (suffix.Length == 0)
        {
            Emit("services", sorted.Length);
            Emit("destinations", dests);
            Emit("entries", sorted.Length + dests);
            Emit("lines", lines);
        }
    }

    /// <summary>Writes the table as <c>ipvsadm -Ln --stats</c> does; returns the number of lines.</summary>
    private static long Format(TextWriter w, IpvsInfo info, IReadOnlyList<ServiceEntry> table)
    {
        long lines = FormatHeader(w, info);
        // ipvsadm sorts services and destinations unless told --nosort; so does this, to produce the
        // same text (and the sort is part of the measured formatting).
        var sorted = table.ToArray();
        Array.Sort(sorted, static (a, b) => CompareServices(a.Key, b.Key));
        var dests = new List<DestinationInfo>();
        foreach (var e in sorted)
        {
            lines += FormatService(w, e.Info, e.Destinations, dests);
        }
        return lines;
    }

    private static long FormatHeader(TextWriter w, IpvsInfo info)
    {
        w.Write(string.Create(Inv, $"IP Virtual Server version {info.Version} (size={info.ConnectionTableSize})\n"));
        w.Write("Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n");
        w.Write("  -> RemoteAddress:Port\n");
        return 3;
    }

    /// <summary>One service's line and its destinations' lines, sorted as ipvsadm sorts them (in <paramref name="scratch"/>).</summary>
    private static long FormatService(TextWriter w, VirtualServiceInfo s, IReadOnlyList<DestinationInfo> destinations, List<DestinationInfo> scratch)
    {
        Span<char> line = stackalloc char[160];
        int n = 0;
        string proto = s.Key.IsFirewallMark ? "FWM" : s.Key.Protocol switch
        {
            IpvsProtocol.Tcp => "TCP",
            IpvsProtocol.Udp => "UDP",
            IpvsProtocol.Sctp => "SCTP",
            _ => "?",
        };
        Append(line, ref n, proto);
        Pad(line, ref n, 5);
        if (s.Key.IsFirewallMark)
        {
            s.Key.FirewallMark.TryFormat(line[n..], out int c, default, Inv);
            n += c;
        }
        else
        {
            AppendEndpoint(line, ref n, s.Key.Address!, s.Key.Port);
        }
        Pad(line, ref n, 33);
        AppendStats(line, ref n, s.Stats);
        line[n++] = '\n';
        w.Write(line[..n]);
        long lines = 1;
        scratch.Clear();
        scratch.AddRange(destinations);
        scratch.Sort(static (a, b) => CompareEndpoints(a.Destination.Address, a.Destination.Port, b.Destination.Address, b.Destination.Port));
        foreach (var d in scratch)
        {
            n = 0;
            Append(line, ref n, "  -> ");
            AppendEndpoint(line, ref n, d.Destination.Address, d.Destination.Port);
            Pad(line, ref n, 33);
            AppendStats(line, ref n, d.Stats);
            line[n++] = '\n';
            w.Write(line[..n]);
            lines++;
        }
        return lines;
    }

    // ipvsadm's ipvs_cmp_services: mark, family, protocol, address, port.
    private static int CompareServices(ServiceKey a, ServiceKey b)
    {
        int r = a.FirewallMark.CompareTo(b.FirewallMark);
        if (r == 0)
        {
            r = ((int)a.Family).CompareTo((int)b.Family);
        }
        if (r == 0)
        {
            r = ((int)a.Protocol).CompareTo((int)b.Protocol);
        }
        return r != 0 || a.Address is null || b.Address is null ? r : CompareEndpoints(a.Address, a.Port, b.Address, b.Port);
    }

    // ipvsadm's ipvs_cmp_dests: address in network order, then port.
    private static int CompareEndpoints(IPAddress a, ushort aPort, IPAddress b, ushort bPort)
    {
        Span<byte> x = stackalloc byte[16];
        Span<byte> y = stackalloc byte[16];
        a.TryWriteBytes(x, out int nx);
        b.TryWriteBytes(y, out int ny);
        int r = x[..nx].SequenceCompareTo(y[..ny]);
        return r != 0 ? r : aPort.CompareTo(bPort);
    }

    private static void Append(Span<char> line, ref int n, string text)
    {
        text.AsSpan().CopyTo(line[n..]);
        n += text.Length;
    }

    private static void Pad(Span<char> line, ref int n, int column)
    {
        while (n < column)
        {
            line[n++] = ' ';
        }
    }

    private static void AppendEndpoint(Span<char> line, ref int n, IPAddress address, ushort port)
    {
        bool v6 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        if (v6)
        {
            line[n++] = '[';
        }
        address.TryFormat(line[n..], out int c);
        n += c;
        if (v6)
        {
            line[n++] = ']';
        }
        line[n++] = ':';
        port.TryFormat(line[n..], out c, default, Inv);
        n += c;
    }

    private static void AppendStats(Span<char> line, ref int n, in IpvsStats st)
    {
        AppendLargeNumber(line, ref n, st.Connections);
        AppendLargeNumber(line, ref n, st.InPackets);
        AppendLargeNumber(line, ref n, st.OutPackets);
        AppendLargeNumber(line, ref n, st.InBytes);
        AppendLargeNumber(line, ref n, st.OutBytes);
    }

    // ipvsadm's print_largenum: 8 columns right-aligned after a space, scaled with K/M/G above 8 digits.
    private static void AppendLargeNumber(Span<char> line, ref int n, ulong value)
    {
        char suffix = '\0';
        if (value >= 100_000_000UL)
        {
            value /= 1000;
            suffix = 'K';
            if (value >= 10_000_000UL)
            {
                value /= 1000;
                suffix = 'M';
                if (value >= 10_000_000UL)
                {
                    value /= 1000;
                    suffix = 'G';
                }
            }
        }
        Span<char> digits = stackalloc char[24];
        value.TryFormat(digits, out int c, default, Inv);
        int width = suffix == '\0' ? 8 : 7;
        line[n++] = ' ';
        for (int i = c; i < width; i++)
        {
            line[n++] = ' ';
        }
        digits[..c].CopyTo(line[n..]);
        n += c;
        if (suffix != '\0')
        {
            line[n++] = suffix;
        }
    }
}
