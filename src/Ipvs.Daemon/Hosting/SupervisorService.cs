using Ipvs.Daemon.Engine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ipvs.Daemon.Hosting;

/// <summary>Runs the engine inside the generic host, and tells systemd how it goes.</summary>
internal sealed class SupervisorService(Supervisor supervisor, IHostApplicationLifetime lifetime, ILogger<SupervisorService> log, DaemonExit exit) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await supervisor.StartAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (InvalidConfigurationException e)
        {
            foreach (var error in e.Errors)
            {
                log.LogError("{Error}", error);
            }
            log.LogCritical("The configuration has {Count} error(s); nothing was applied", e.Errors.Length);
            exit.Code = 2;
            lifetime.StopApplication();
            return;
        }
        catch (Exception e) when (e is IOException)
        {
            log.LogCritical("Cannot start: {Error}", e.Message);
            exit.Code = 1;
            lifetime.StopApplication();
            return;
        }
        SystemdNotifier.Notify("READY=1\nSTATUS=Managing " + supervisor.Status.Services.Length.ToString(CultureInfo.InvariantCulture) + " service(s)");
        log.LogInformation("Ready");
        try
        {
            await supervisor.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        SystemdNotifier.Notify("STOPPING=1");
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (supervisor.Status.Ready)
        {
            await supervisor.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>The process's exit code, set by whoever decides it.</summary>
public sealed class DaemonExit
{
    /// <summary>0 unless something failed: 1 for a runtime failure, 2 for an invalid configuration.</summary>
    public int Code { get; set; }
}
