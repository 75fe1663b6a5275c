using System.Runtime.InteropServices;
using System.Text.Json;
using Ipvs.Daemon.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Ipvs.Daemon.Hosting;

/// <summary>
/// `ipvs run`: the engine in Microsoft.Extensions.Hosting, with structured logs, SIGHUP and
/// file-change reloads, systemd readiness, and the /metrics, /healthz and /status endpoints.
/// </summary>
public static class DaemonHost
{
    /// <summary>The JSON shape of /status (camelCase, nulls kept).</summary>
    public static JsonSerializerOptions StatusJson { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Runs until SIGTERM or SIGINT; returns the exit code (0, 1 failure, 2 invalid configuration).</summary>
    public static async Task<int> RunAsync(DaemonSettings settings, IConfigSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(source);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        if (settings.JsonLogs)
        {
            builder.Logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffzzz ");
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        }
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // Logs go to stderr: stdout stays free for whoever runs us, and journald takes both.
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.WebHost.UseSetting(Microsoft.AspNetCore.Hosting.WebHostDefaults.ServerUrlsKey, settings.Listen ?? "http://127.0.0.1:0");
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

        using var client = IpvsClient.Open(new IpvsClientOptions { NetworkNamespace = settings.NetworkNamespace });
        var exit = new DaemonExit();
        builder.Services.AddSingleton(exit);
        builder.Services.AddSingleton<IIpvsClient>(client);
        builder.Services.AddSingleton(sp => new Supervisor(client, source, settings.Engine, sp.GetRequiredService<ILoggerFactory>().CreateLogger("ipvs")));
        builder.Services.AddHostedService<SupervisorService>();

        await using var app = builder.Build();
        var supervisor = app.Services.GetRequiredService<Supervisor>();
        if (settings.Listen is not null)
        {
            MapEndpoints(app, client, supervisor);
        }

        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
        {
            ctx.Cancel = true;
            SystemdNotifier.Reloading();
            supervisor.RequestReload("SIGHUP");
        });
        using var watcher = Watch(settings.WatchFiles, supervisor);
        try
        {
            await app.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await supervisor.DisposeAsync().ConfigureAwait(false);
        }
        return exit.Code;
    }

    private static void MapEndpoints(WebApplication app, IpvsClient client, Supervisor supervisor)
    {
        app.MapGet("/metrics", async (HttpContext http) =>
        {
            var table = await client.GetTableAsync(http.RequestAborted).ConfigureAwait(false);
            var text = MetricsWriter.Write(table, supervisor.Status, supervisor.Counters, supervisor.Checks, supervisor.CheckHandles);
            return Results.Text(text, "text/plain; version=0.0.4; charset=utf-8");
        });
        app.MapGet("/healthz", () => supervisor.Status.Ready
            ? Results.Text("ok\n")
            : Results.Text("starting\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/status", () => Results.Text(JsonSerializer.Serialize(supervisor.Status, StatusJson), "application/json"));
    }

    // A change to any configuration file reloads, once the writes settle (editors write in steps).
    private static IDisposable? Watch(IReadOnlyList<string> files, Supervisor supervisor)
    {
        if (files.Count == 0)
        {
            return null;
        }
        var full = files.Select(Path.GetFullPath).ToHashSet(StringComparer.Ordinal);
        var watchers = new List<FileSystemWatcher>();
        Timer? debounce = null;
        var gate = new Lock();
        void Changed(object? sender, FileSystemEventArgs e)
        {
            if (!full.Contains(Path.GetFullPath(e.FullPath)) && !(e is RenamedEventArgs r && full.Contains(Path.GetFullPath(r.OldFullPath))))
            {
                return;
            }
            lock (gate)
            {
                debounce?.Dispose();
                debounce = new Timer(_ => supervisor.RequestReload($"{e.Name} changed"), null, TimeSpan.FromMilliseconds(500), Timeout.InfiniteTimeSpan);
            }
        }
        foreach (var dir in full.Select(Path.GetDirectoryName).Distinct(StringComparer.Ordinal))
        {
            var w = new FileSystemWatcher(dir!) { NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size };
            w.Changed += Changed;
            w.Created += Changed;
            w.Renamed += Changed;
            w.EnableRaisingEvents = true;
            watchers.Add(w);
        }
        return new Watchers(watchers, () =>
        {
            lock (gate)
            {
                debounce?.Dispose();
            }
        });
    }

    private sealed class Watchers(List<FileSystemWatcher> watchers, Action onDispose) : IDisposable
    {
        public void Dispose()
        {
            foreach (var w in watchers)
            {
                w.Dispose();
            }
            onDispose();
        }
    }
}
