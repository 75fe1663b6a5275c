using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Ipvs.KernelTests.Infrastructure;

/// <summary>One request of a <see cref="TrafficStream"/>.</summary>
/// <param name="Started">When it started, from the stream's start.</param>
/// <param name="Server">The body's first line (the real server's name) when it succeeded, else null.</param>
/// <param name="Error">Why it failed, else null.</param>
internal sealed record TrafficSample(TimeSpan Started, string? Server, string? Error)
{
    public bool Ok => Error is null;

    public override string ToString() => $"{Started.TotalSeconds:0.00}s {(Ok ? Server : "FAILED " + Error)}";
}

/// <summary>
/// A steady stream of HTTP GETs from a client namespace to a virtual service, one new TCP connection
/// each (so every request is scheduled by IPVS), bounded in count and time. It runs on one thread
/// that has entered the client's namespace, so no process is started per request.
/// </summary>
internal sealed class TrafficStream : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private readonly List<TrafficSample> _samples = [];
    private readonly Lock _lock = new();
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private Exception? _failure;

    private TrafficStream(string clientNs, IPEndPoint target, TimeSpan period, TimeSpan timeout, int maxRequests)
    {
        _thread = new Thread(() => Loop(clientNs, target, period, timeout, maxRequests)) { IsBackground = true, Name = "traffic" };
        _thread.Start();
    }

    /// <summary>Starts requests to http://TARGET/ every <paramref name="period"/>, each allowed <paramref name="timeout"/>.</summary>
    public static TrafficStream Start(string clientNs, IPEndPoint target, TimeSpan? period = null, TimeSpan? timeout = null, int maxRequests = 100_000) =>
        new(clientNs, target, period ?? TimeSpan.FromMilliseconds(50), timeout ?? TimeSpan.FromSeconds(1), maxRequests);

    /// <summary>Time since the stream started, on the samples' clock.</summary>
    public TimeSpan Now => _clock.Elapsed;

    /// <summary>The samples so far.</summary>
    public TrafficSample[] Samples
    {
        get
        {
            lock (_lock)
            {
                return [.. _samples];
            }
        }
    }

    /// <summary>Samples started at or after <paramref name="from"/>.</summary>
    public TrafficSample[] Since(TimeSpan from) => [.. Samples.Where(s => s.Started >= from)];

    /// <summary>Waits until <paramref name="count"/> more requests have completed.</summary>
    public async Task WaitForAsync(int count, TimeSpan limit)
    {
        int target = Samples.Length + count;
        var clock = Stopwatch.StartNew();
        while (Samples.Length < target)
        {
            Assert.True(_failure is null, $"the traffic stream failed: {_failure}");
            Assert.True(clock.Elapsed < limit, $"{count} requests did not complete within {limit.TotalSeconds} s");
            await Task.Delay(50);
        }
    }

    /// <summary>A line per sample, for failure messages.</summary>
    public string Describe(TimeSpan? from = null) => string.Join('\n', (from is { } f ? Since(f) : Samples).Select(s => s.ToString()));

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    private void Loop(string clientNs, IPEndPoint target, TimeSpan period, TimeSpan timeout, int maxRequests)
    {
        try
        {
            using (var ns = File.OpenHandle(clientNs.Contains('/') ? clientNs : $"/run/netns/{clientNs}"))
            {
                if (SetNs(ns.DangerousGetHandle().ToInt32(), CloneNewNet) != 0)
                {
                    throw new IOException($"setns({clientNs}) failed: errno {Marshal.GetLastPInvokeError()}");
                }
            }
            // The thread stays in the client's namespace until it ends.
            var next = _clock.Elapsed;
            for (int i = 0; i < maxRequests && !_stop.IsCancellationRequested; i++)
            {
                var started = _clock.Elapsed;
                var sample = Request(target, timeout, started);
                lock (_lock)
                {
                    _samples.Add(sample);
                }
                next += period;
                var wait = next - _clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    _stop.Token.WaitHandle.WaitOne(wait);
                }
                else
                {
                    next = _clock.Elapsed; // late: no burst to catch up
                }
            }
        }
        catch (Exception e)
        {
            _failure = e;
        }
    }

    private static TrafficSample Request(IPEndPoint target, TimeSpan timeout, TimeSpan started)
    {
        try
        {
            using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.SendTimeout = socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
            using (var cts = new CancellationTokenSource(timeout))
            {
                socket.ConnectAsync(target, cts.Token).AsTask().GetAwaiter().GetResult();
            }
            socket.Send(Encoding.ASCII.GetBytes($"GET / HTTP/1.0\r\nHost: {target.Address}\r\nConnection: close\r\n\r\n"));
            var response = new MemoryStream();
            var buffer = new byte[4096];
            int n;
            while ((n = socket.Receive(buffer)) > 0)
            {
                response.Write(buffer, 0, n);
            }
            string text = Encoding.ASCII.GetString(response.ToArray());
            int body = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (!text.StartsWith("HTTP/1.", StringComparison.Ordinal) || body < 0 || !text.Split(' ', 3)[1].StartsWith('2'))
            {
                return new TrafficSample(started, null, "bad response: " + text.Split('\n')[0].Trim());
            }
            return new TrafficSample(started, text[(body + 4)..].Split('\n')[0].Trim(), null);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            return new TrafficSample(started, null, e is SocketException s ? s.SocketErrorCode.ToString() : e.GetType().Name);
        }
    }

    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static extern int SetNs(int fd, int nstype);
}
