using System.Runtime.InteropServices;
using System.Text.Json;
using Ipvs.Daemon.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
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
        using var client = IpvsClient.Open(new IpvsClientOptions { NetworkNamespace = settings.NetworkNamespace });
        var exit = new DaemonExit();
        // With endpoints, a web application (Kestrel); without, a plain host: no port is opened at all.
        // Both start empty: no appsettings.json (nor its file watcher on the working directory), no
        // environment or command-line configuration, no host filtering, no regex route constraints.
        // The daemon is configured by its options alone, and every assembly loaded stays resident
        // (bench/daemon-scale: "managed assemblies mapped", "file-backed" RSS).
        IHost host;
        if (settings.Listen is { } listen)
        {
            var web = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
            web.WebHost.UseKestrelCore();
            web.Services.AddRoutingCore();
            web.WebHost.UseSetting(Microsoft.AspNetCore.Hosting.WebHostDefaults.ServerUrlsKey, listen);
            Configure(web.Services, web.Logging, settings, source, client, exit);
            var app = web.Build();
            MapEndpoints(app, client, app.Services.GetRequiredService<Supervisor>());
            host = app;
        }
        else
        {
            var plain = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
            Configure(plain.Services, plain.Logging, settings, source, client, exit);
            host = plain.Build();
        }
        var supervisor = host.Services.GetRequiredService<Supervisor>();

        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
        {
            ctx.Cancel = true;
            SystemdNotifier.Reloading();
            supervisor.RequestReload("SIGHUP");
        });
        using var watcher = Watch(settings.WatchFiles, supervisor);
        try
        {
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await supervisor.DisposeAsync().ConfigureAwait(false);
            if (host is IAsyncDisposable d)
            {
                await d.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                host.Dispose();
            }
        }
        return exit.Code;
    }

    private static void Configure(IServiceCollection services, ILoggingBuilder logging, DaemonSettings settings, IConfigSource source, IpvsClient client, DaemonExit exit)
    {
        logging.ClearProviders();
        if (settings.JsonLogs)
        {
            logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffzzz ");
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        }
        logging.AddFilter("Microsoft", LogLevel.Warning);
        // Logs go to stderr: stdout stays free for whoever runs us, and journald takes both.
        services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        services.AddSingleton(exit);
        services.AddSingleton<IIpvsClient>(client);
        services.AddSingleton(sp => new Supervisor(client, source, settings.Engine, sp.GetRequiredService<ILoggerFactory>().CreateLogger("ipvs")));
        services.AddHostedService<SupervisorService>();
    }

    // Plain request delegates: a handler given as a lambda with parameters goes through the minimal
    // API's RequestDelegateFactory, which compiles expression trees (System.Linq.Expressions and
    // Reflection.Emit loaded and JIT-compiled, ~2 MB resident) for three fixed answers.
    private static void MapEndpoints(WebApplication app, IpvsClient client, Supervisor supervisor)
    {
        app.MapGet("/metrics", async http =>
        {
            var table = await client.GetTableAsync(http.RequestAborted).ConfigureAwait(false);
            var text = MetricsWriter.Write(table, supervisor.Status, supervisor.Counters, supervisor.Checks, supervisor.CheckHandles);
            await Answer(http, StatusCodes.Status200OK, "text/plain; version=0.0.4; charset=utf-8", text).ConfigureAwait(false);
        });
        app.MapGet("/healthz", http => supervisor.Status.Ready
            ? Answer(http, StatusCodes.Status200OK, "text/plain; charset=utf-8", "ok\n")
            : Answer(http, StatusCodes.Status503ServiceUnavailable, "text/plain; charset=utf-8", "starting\n"));
        app.MapGet("/status", http => Answer(http, StatusCodes.Status200OK, "application/json; charset=utf-8", JsonSerializer.Serialize(supervisor.Status, StatusJson)));
    }

    private static Task Answer(HttpContext http, int status, string contentType, string body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = contentType;
        return http.Response.WriteAsync(body, http.RequestAborted);
    }

    // A change to any configuration file reloads, once the writes settle (editors write in steps).
    // inotify (FileSystemWatcher) sees changes at once on local filesystems; a stat of each file
    // every 2 s catches them where inotify sees nothing (NFS, FUSE, user-mode Linux's hostfs).
    private static IDisposable? Watch(IReadOnlyList<string> files, Supervisor supervisor)
    {
        if (files.Count == 0)
        {
            return null;
        }
        var full = files.Select(Path.GetFullPath).ToHashSet(StringComparer.Ordinal);
        var seen = full.ToDictionary(f => f, Stamp, StringComparer.Ordinal);
        var watchers = new List<FileSystemWatcher>();
        Timer? debounce = null;
        var gate = new Lock();
        void Reload(string name)
        {
            lock (gate)
            {
                foreach (var f in full)
                {
                    seen[f] = Stamp(f);
                }
                debounce?.Dispose();
                debounce = new Timer(_ => supervisor.RequestReload($"{name} changed"), null, TimeSpan.FromMilliseconds(500), Timeout.InfiniteTimeSpan);
            }
        }
        void Changed(object? sender, FileSystemEventArgs e)
        {
            if (full.Contains(Path.GetFullPath(e.FullPath)) || (e is RenamedEventArgs r && full.Contains(Path.GetFullPath(r.OldFullPath))))
            {
                Reload(e.Name ?? e.FullPath);
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
        var poll = new Timer(_ =>
        {
            string? changed = null;
            lock (gate)
            {
                changed = full.FirstOrDefault(f => seen[f] != Stamp(f));
            }
            if (changed is not null)
            {
                Reload(Path.GetFileName(changed));
            }
        }, null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
        return new Watchers(watchers, () =>
        {
            poll.Dispose();
            lock (gate)
            {
                debounce?.Dispose();
            }
        });
    }

    // What tells a change: modification time and length (a missing file is a state of its own).
    private static (DateTime, long) Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1);
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
