using System.Diagnostics;
using System.Text;
using Ipvs.KernelTests.Infrastructure;

namespace Ipvs.KernelTests.Keepalived;

/// <summary>
/// The real keepalived 2.2.7, checker process only, in the foreground in a network namespace, with
/// its log (console) collected and its pid files in a directory of its own.
/// </summary>
internal sealed class KeepalivedProcess : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private readonly string _runDir;
    private Process? _process;

    private KeepalivedProcess(string netns, string config, string configId)
    {
        _runDir = Directory.CreateTempSubdirectory("ka-oracle-").FullName;
        var psi = new ProcessStartInfo("ip")
        {
            WorkingDirectory = "/",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["netns", "exec", netns, "keepalived", "--check", "--dont-fork", "--log-console", "--log-detail",
            "--config-id", configId, "-f", config,
            "-p", $"{_runDir}/keepalived.pid", "-c", $"{_runDir}/checkers.pid", "-r", $"{_runDir}/vrrp.pid", "-b", $"{_runDir}/bfd.pid"])
        {
            psi.ArgumentList.Add(arg);
        }
        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
    }

    public DateTime Started { get; private set; }

    public bool HasExited => _process?.HasExited ?? true;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static KeepalivedProcess Start(string netns, string config, string configId)
    {
        var keepalived = new KeepalivedProcess(netns, config, configId);
        keepalived._process!.Start();
        keepalived.Started = DateTime.UtcNow;
        keepalived._process.BeginOutputReadLine();
        keepalived._process.BeginErrorReadLine();
        return keepalived;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    /// <summary>Stops keepalived (SIGTERM, then SIGKILL for its whole tree after 10 s) and removes its run directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is { } p)
        {
            try
            {
                if (!p.HasExited)
                {
                    InNamespace.Terminate(p.Id);
                    using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    try
                    {
                        await p.WaitForExitAsync(wait.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        p.Kill(entireProcessTree: true);
                        await p.WaitForExitAsync();
                    }
                }
            }
            catch (InvalidOperationException)
            {
                // It was never started.
            }
            p.Dispose();
            _process = null;
        }
        if (Directory.Exists(_runDir))
        {
            Directory.Delete(_runDir, recursive: true);
        }
    }
}
