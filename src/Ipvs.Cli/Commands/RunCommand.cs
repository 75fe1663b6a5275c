using System.CommandLine;
using System.Text.Json;
using Ipvs.Checks;
using Ipvs.Cli.Config;
using Ipvs.Cli.Output;
using Ipvs.Daemon;
using Ipvs.Daemon.Engine;
using Ipvs.Daemon.Hosting;

namespace Ipvs.Cli.Commands;

/// <summary>
/// ipvs run: the health-checking daemon for a configuration (C# script, keepalived.conf, saved
/// table); ipvs status: what a running daemon says about every service and destination.
/// </summary>
internal static class RunCommand
{
    private const string DefaultListen = "http://127.0.0.1:9323";

    public static Command Run(CliConsole console)
    {
        var config = new Argument<string>("CONFIG") { Description = "The configuration: a C# script (.csx), a keepalived.conf, or a table saved by `ipvs save`." };
        var args = new Argument<string[]>("ARGS") { Description = "Arguments for a C# script (its Args), after --.", Arity = ArgumentArity.ZeroOrMore };
        var format = CommonOptions.OneOf(new Option<string>("--format", "-f")
        {
            Description = "The configuration's kind: auto, csx, keepalived, ipvsadm or json.",
            HelpName = "auto|csx|keepalived|ipvsadm|json",
            DefaultValueFactory = _ => "auto",
        }, "auto", "csx", "keepalived", "ipvsadm", "json");
        var lenient = new Option<bool>("--lenient") { Description = "keepalived.conf: accept what keepalived accepts, each oddity as a warning." };
        var stateDir = new Option<string>("--state-dir") { Description = "Where drains and health are kept across restarts.", HelpName = "DIR", DefaultValueFactory = _ => "/var/lib/ipvs" };
        var listen = new Option<string>("--listen") { Description = "Where /metrics, /healthz and /status listen, or \"none\".", HelpName = "URL", DefaultValueFactory = _ => DefaultListen };
        var logFormat = CommonOptions.OneOf(new Option<string>("--log-format") { Description = "Log as text lines or JSON objects.", HelpName = "text|json", DefaultValueFactory = _ => "text" }, "text", "json");
        var drainTimeout = new Option<double>("--drain-timeout") { Description = "Seconds a leaving destination may drain at weight 0 before it is deleted with connections left (0: delete at once).", HelpName = "SECONDS", DefaultValueFactory = _ => 300 };
        var udpImmediate = new Option<bool>("--udp-delete-at-once") { Description = "Delete leaving UDP destinations at once instead of draining them." };
        var flush = new Option<bool>("--flush-on-stop") { Description = "Delete the managed services when stopping (by default the table stays and traffic goes on)." };
        var interval = new Option<double>("--reconcile-interval") { Description = "Seconds between comparisons of the kernel's table with the configuration when nothing happens.", HelpName = "SECONDS", DefaultValueFactory = _ => 10 };
        var concurrency = new Option<int>("--max-checks-in-flight") { Description = "Checks running at once, all together.", HelpName = "N", DefaultValueFactory = _ => 256 };
        var noWatch = new Option<bool>("--no-watch") { Description = "Reload on SIGHUP only, not when the configuration file changes." };
        var command = new Command("run", "Run the health-checking load-balancer daemon: check the real servers, keep the pools in the kernel, drain gracefully, reload on SIGHUP or change.")
        {
            config, format, lenient, stateDir, listen, logFormat, drainTimeout, udpImmediate, flush, interval, concurrency, noWatch, args,
        };
        command.SetAction((parse, ct) => CliApp.Guard(console, async () =>
        {
            string path = parse.GetValue(config)!;
            if (!File.Exists(path))
            {
                throw new BadInputException($"{path}: no such file");
            }
            double drain = parse.GetValue(drainTimeout);
            double every = parse.GetValue(interval);
            int inFlight = parse.GetValue(concurrency);
            if (drain < 0 || every <= 0 || inFlight < 1)
            {
                throw new BadInputException("--drain-timeout must be 0 or more, --reconcile-interval more than 0, and --max-checks-in-flight at least 1");
            }
            string listenAt = parse.GetValue(listen)!;
            if (listenAt != "none" && !Uri.TryCreate(listenAt, UriKind.Absolute, out _))
            {
                throw new BadInputException($"--listen {listenAt}: not a URL such as {DefaultListen}, nor \"none\"");
            }
            var source = new CliConfigSource(path, Enum.Parse<ConfigFormat>(parse.GetValue(format)!, ignoreCase: true), parse.GetValue(args) ?? [], parse.GetValue(lenient), console.Err);
            var settings = new DaemonSettings
            {
                Listen = listenAt == "none" ? null : listenAt,
                JsonLogs = parse.GetValue(logFormat) == "json",
                NetworkNamespace = parse.GetValue(CliApp.NetnsOption),
                WatchFiles = parse.GetValue(noWatch) ? [] : [path],
                Engine = new SupervisorOptions
                {
                    StateFile = Path.Combine(parse.GetValue(stateDir)!, DaemonState.FileName),
                    Drain = new DrainOptions { Timeout = TimeSpan.FromSeconds(drain), UdpImmediate = parse.GetValue(udpImmediate) },
                    ReconcileInterval = TimeSpan.FromSeconds(every),
                    FlushOnStop = parse.GetValue(flush),
                    Checks = new CheckSchedulerOptions { MaxConcurrency = inFlight },
                },
            };
            return await DaemonHost.RunAsync(settings, source, ct).ConfigureAwait(false);
        }));
        return command;
    }

    public static Command Status(CliConsole console)
    {
        var url = new Option<string>("--listen") { Description = "Where the daemon's endpoints listen.", HelpName = "URL", DefaultValueFactory = _ => DefaultListen };
        var output = CommonOptions.Output("text", "text", "json");
        var command = new Command("status", "Show what a running `ipvs run` says about every service and destination: check state, weight, drain, last error.") { url, output };
        command.SetAction((parse, ct) => CliApp.Guard(console, async () =>
        {
            string baseUrl = parse.GetValue(url)!.TrimEnd('/');
            string json;
            using (var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) })
            {
                try
                {
                    json = await http.GetStringAsync($"{baseUrl}/status", ct).ConfigureAwait(false);
                }
                catch (HttpRequestException e)
                {
                    console.Error($"no daemon answers at {baseUrl}: {e.Message}");
                    return ExitCodes.Failure;
                }
            }
            if (parse.GetValue(output) == "json")
            {
                console.Out.Write(json);
                return ExitCodes.Ok;
            }
            var status = JsonSerializer.Deserialize<DaemonStatus>(json, DaemonHost.StatusJson)
                ?? throw new InvalidDataException($"{baseUrl}/status: not a status document");
            console.Out.Write(StatusView.Render(status));
            return ExitCodes.Ok;
        }));
        return command;
    }
}

/// <summary>The daemon's configuration, read by the CLI's loader: every kind it reads, errors located.</summary>
internal sealed class CliConfigSource(string path, ConfigFormat format, IReadOnlyList<string> args, bool lenient, TextWriter log) : IConfigSource
{
    public string Description => path;

    public async Task<ConfigLoadResult> LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var loaded = await ConfigLoader.LoadAsync(path, format, args, lenient, log, cancellationToken).ConfigureAwait(false);
            return new ConfigLoadResult(loaded.State, [], [.. loaded.Warnings], [path]);
        }
        catch (BadInputException e)
        {
            return new ConfigLoadResult(null, [.. e.Messages], [], [path]);
        }
    }
}
