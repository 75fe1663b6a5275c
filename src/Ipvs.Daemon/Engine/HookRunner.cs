using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Ipvs.Daemon.Engine;

/// <summary>
/// Runs notify hooks (notify_up, notify_down, quorum_up, quorum_down) in the background: programs
/// directly, never through a shell, with the event in their environment and a time limit after
/// which the whole process tree is killed; C# callbacks with a token that fires at the same limit.
/// A hook never delays the engine, and its failure is logged, not fatal.
/// </summary>
public sealed class HookRunner(ILogger log, TimeSpan defaultTimeout) : IAsyncDisposable
{
    private readonly HashSet<Task> _running = [];
    private readonly Lock _lock = new();

    /// <summary>Starts a hook for an event; returns at once.</summary>
    public void Fire(Hook? hook, HookContext context)
    {
        if (hook is null)
        {
            return;
        }
        var task = Task.Run(() => RunAsync(hook, context));
        lock (_lock)
        {
            _running.Add(task);
        }
        _ = task.ContinueWith(t =>
        {
            lock (_lock)
            {
                _running.Remove(t);
            }
        }, TaskScheduler.Default);
    }

    /// <summary>Hooks still running.</summary>
    public int Running
    {
        get
        {
            lock (_lock)
            {
                return _running.Count;
            }
        }
    }

    private async Task RunAsync(Hook hook, HookContext context)
    {
        try
        {
            switch (hook)
            {
                case ProgramHook p:
                    await RunProgramAsync(p, context).ConfigureAwait(false);
                    break;
                case DelegateHook d:
                    using (var cts = new CancellationTokenSource(defaultTimeout))
                    {
                        await d.Action(context, cts.Token).ConfigureAwait(false);
                    }
                    break;
            }
        }
        catch (Exception e)
        {
            log.LogWarning("{Event} hook for {Service} {Destination} failed: {Error}", context.Event, context.Service, context.Destination, e.Message);
        }
    }

    private async Task RunProgramAsync(ProgramHook hook, HookContext context)
    {
        var psi = new ProcessStartInfo(hook.User is null ? hook.Path : "/usr/bin/setpriv")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (hook.User is not null)
        {
            // .NET cannot change user on Unix; setpriv (util-linux) does, and execs the program directly.
            foreach (var a in new[] { $"--reuid={hook.User}", $"--regid={hook.User}", "--init-groups", "--", hook.Path })
            {
                psi.ArgumentList.Add(a);
            }
        }
        foreach (var a in hook.Arguments)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["IPVS_EVENT"] = context.Event switch
        {
            HookEvent.Up => "up",
            HookEvent.Down => "down",
            HookEvent.QuorumUp => "quorum_up",
            _ => "quorum_down",
        };
        psi.Environment["IPVS_SERVICE"] = context.Service.ToString();
        psi.Environment["IPVS_DESTINATION"] = context.Destination?.ToString() ?? "";
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {hook.Path}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(hook.Timeout ?? defaultTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            log.LogWarning("{Event} hook {Path} for {Service} {Destination} ran over {Timeout} s and was killed",
                context.Event, hook.Path, context.Service, context.Destination, (hook.Timeout ?? defaultTimeout).TotalSeconds);
            return;
        }
        string err = (await stderr.ConfigureAwait(false)).Trim();
        _ = await stdout.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            log.LogWarning("{Event} hook {Path} for {Service} {Destination} exited with {Code}: {Stderr}",
                context.Event, hook.Path, context.Service, context.Destination, process.ExitCode, err);
        }
    }

    /// <summary>Waits (a short while) for running hooks, so omega's hooks run before the process exits.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] running;
        lock (_lock)
        {
            running = [.. _running];
        }
        await Task.WhenAny(Task.WhenAll(running), Task.Delay(defaultTimeout)).ConfigureAwait(false);
    }
}
