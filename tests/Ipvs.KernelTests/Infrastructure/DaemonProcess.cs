using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Ipvs.KernelTests.Infrastructure;

/// <summary>
/// `ipvs run` as a real process inside a namespace (so its checks, its IPVS and its endpoints are
/// that namespace's), with its log captured, signals (SIGHUP, SIGTERM, SIGKILL) and its /status.
/// </summary>
internal sealed class DaemonProcess : IAsyncDisposable
{
    private const int SigHup = 1;
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly List<string> _log = [];
    private readonly Lock _lock = new();

    private DaemonProcess(Process process, string ns, int port)
    {
        _process = process;
        Namespace = ns;
        Port = port;
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
    }

    public string Namespace { get; }

    public int Port { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string[] Log
    {
        get
        {
            lock (_lock)
            {
                return [.. _log];
            }
        }
    }

    public string LogText => string.Join('\n', Log);

    /// <summary>The `ipvs` built beside the CLI's output.</summary>
    public static string Binary => Path.Combine(KernelLab.RepoRoot, "src/Ipvs.Cli/bin/Release/net10.0/ipvs");

    /// <summary>Starts `ipvs run CONFIG ARGS` in NS and waits until it says it is ready.</summary>
    public static async Task<DaemonProcess> StartAsync(string ns, string config, string stateDir, int port, IEnumerable<string>? options = null, IEnumerable<string>? scriptArgs = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        Assert.True(File.Exists(Binary), $"{Binary} is missing; build src/Ipvs.Cli first");
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in (string[])["netns", "exec", ns, Binary, "run", config, "--state-dir", stateDir, "--listen", $"http://127.0.0.1:{port}", .. options ?? [], "--", .. scriptArgs ?? []])
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }
        var daemon = new DaemonProcess(Process.Start(psi)!, ns, port);
        await daemon.WaitForLogAsync("Ready", TimeSpan.FromSeconds(90));
        return daemon;
    }

    /// <summary>Waits for a log line containing <paramref name="text"/>; fails with the log if the daemon exits or time runs out.</summary>
    public async Task<string> WaitForLogAsync(string text, TimeSpan limit, int after = 0)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var log = Log;
            for (int i = after; i < log.Length; i++)
            {
                if (log[i].Contains(text, StringComparison.Ordinal))
                {
                    return log[i];
                }
            }
            Assert.False(_process.HasExited, $"ipvs run exited ({(_process.HasExited ? _process.ExitCode : 0)}) before logging \"{text}\":\n{LogText}");
            Assert.True(clock.Elapsed < limit, $"ipvs run did not log \"{text}\" within {limit.TotalSeconds} s:\n{LogText}");
            await Task.Delay(100);
        }
    }

    public void Hup() => _ = Kill(_process.Id, SigHup);

    /// <summary>SIGKILL: no clean-up at all, as a crash.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM and the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, SigTerm);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            await _process.WaitForExitAsync(cts.Token);
        }
        return _process.ExitCode;
    }

    /// <summary>GET /status, parsed.</summary>
    public JsonDocument Status() => JsonDocument.Parse(Get("/status"));

    /// <summary>GET PATH from the daemon's endpoint, through a socket made in its namespace.</summary>
    public string Get(string path) => InNamespace.Run($"/run/netns/{Namespace}", () =>
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000, SendTimeout = 10_000 };
        socket.Connect(new IPEndPoint(IPAddress.Loopback, Port));
        socket.Send(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"));
        var response = new MemoryStream();
        var buffer = new byte[65536];
        int n;
        while ((n = socket.Receive(buffer)) > 0)
        {
            response.Write(buffer, 0, n);
        }
        var text = Encoding.UTF8.GetString(response.ToArray());
        int body = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(body > 0 && text.StartsWith("HTTP/1.1 200", StringComparison.Ordinal), $"GET {path}: {text}");
        return text[(body + 4)..];
    });

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_lock)
        {
            _log.Add(line);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
