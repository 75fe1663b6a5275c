using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Ipvs.Cli.Output;
using Ipvs.Model;

namespace Ipvs.Cli.Commands;

/// <summary>
/// ipvs top: the table refreshed every interval with per-second rates, connections and
/// weights. On a terminal it takes the screen (keys: s next sort, r reverse, q quit); with
/// --batch, or when stdout is not a terminal, frames are printed one after another as
/// `top -b` does, for logs and tests.
/// </summary>
internal static class TopCommand
{
    public static Command Create(CliConsole console, KernelAccess kernel)
    {
        var interval = new Option<double>("--interval", "-d")
        {
            Description = "Seconds between refreshes (0.1 to 3600, default 1).",
            HelpName = "SECONDS",
            DefaultValueFactory = _ => 1.0,
        };
        interval.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is < 0.1 or > 3600)
            {
                r.AddError($"--interval {r.GetValueOrDefault<double>().ToString(CultureInfo.InvariantCulture)}: give 0.1 to 3600 seconds");
            }
        });
        var sort = new Option<TopSort>("--sort", "-s")
        {
            Description = "Sort services, and destinations within each, by: cps, active, inactive, weight, inpps, outpps, inbps, outbps (busiest first) or name.",
            HelpName = "KEY",
            DefaultValueFactory = _ => TopSort.Cps,
        };
        var reverse = new Option<bool>("--reverse", "-r") { Description = "Reverse the order." };
        var iterations = new Option<int>("--iterations", "-n")
        {
            Description = "Stop after this many frames (default: run until q or Ctrl-C).",
            HelpName = "N",
        };
        iterations.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0)
            {
                r.AddError("--iterations: give a count of 1 or more");
            }
        });
        var batch = new Option<bool>("--batch", "-b") { Description = "Print frames one after another instead of redrawing the screen (automatic when stdout is not a terminal)." };
        var command = new Command("top", "Watch services and destinations live: rates per second, connections, weights.") { interval, sort, reverse, iterations, batch };
        command.SetAction((parse, ct) => CliApp.Guard(console, async () =>
        {
            using var lease = kernel.Open(parse.GetValue(CliApp.NetnsOption));
            var state = new TopState(parse.GetValue(sort), parse.GetValue(reverse));
            bool screen = !parse.GetValue(batch) && console.OutputIsTerminal;
            var loop = new TopLoop(console, lease.Client, TimeSpan.FromSeconds(parse.GetValue(interval)), parse.GetValue(iterations), state, screen);
            await loop.RunAsync(ct).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }
}

/// <summary>The sort a user can change while top runs.</summary>
internal sealed class TopState(TopSort sort, bool reverse)
{
    public TopSort Sort { get; set; } = sort;

    public bool Reverse { get; set; } = reverse;

    public void NextSort() => Sort = (TopSort)(((int)Sort + 1) % Enum.GetValues<TopSort>().Length);
}

internal sealed class TopLoop(CliConsole console, IIpvsClient client, TimeSpan interval, int iterations, TopState state, bool screen)
{
    private const string EnterScreen = "\x1b[?1049h\x1b[?25l";
    private const string LeaveScreen = "\x1b[?25h\x1b[?1049l";
    private const string Home = "\x1b[H\x1b[2J";

    public async Task RunAsync(CancellationToken ct)
    {
        if (screen)
        {
            console.Out.Write(EnterScreen);
        }
        try
        {
            IReadOnlyList<ServiceEntry>? previous = null;
            var clock = Stopwatch.StartNew();
            double last = 0;
            for (int frame = 1; iterations == 0 || frame <= iterations; frame++)
            {
                var table = await client.GetTableAsync(ct).ConfigureAwait(false);
                double now = clock.Elapsed.TotalSeconds;
                string title = $"ipvs top - {DateTime.Now:HH:mm:ss} - every {interval.TotalSeconds.ToString("0.0##", CultureInfo.InvariantCulture)} s";
                string text = TopView.Render(table, previous, now - last, state.Sort, state.Reverse, title);
                previous = table;
                last = now;
                if (screen)
                {
                    console.Out.Write(Home + Fit(text + "keys: s sort, r reverse, q quit\n"));
                }
                else
                {
                    console.Out.Write(frame > 1 ? "\n" + text : text);
                }
                console.Out.Flush();
                if (iterations != 0 && frame == iterations)
                {
                    break;
                }
                if (!await WaitAsync(ct).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl-C: leave quietly, the screen restored below.
        }
        finally
        {
            if (screen)
            {
                console.Out.Write(LeaveScreen);
                console.Out.Flush();
            }
        }
    }

    // Waits one interval, reading keys meanwhile; false when the user quits.
    private async Task<bool> WaitAsync(CancellationToken ct)
    {
        var until = Stopwatch.GetTimestamp() + (long)(interval.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            if (screen && console.InputIsTerminal)
            {
                while (Console.KeyAvailable)
                {
                    switch (char.ToLowerInvariant(Console.ReadKey(intercept: true).KeyChar))
                    {
                        case 'q':
                            return false;
                        case 's':
                            state.NextSort();
                            return true;
                        case 'r':
                            state.Reverse = !state.Reverse;
                            return true;
                        case ' ':
                            return true;
                    }
                }
            }
            await Task.Delay(TimeSpan.FromMilliseconds(screen ? 50 : 1000 * interval.TotalSeconds), ct).ConfigureAwait(false);
        }
        return true;
    }

    // Cuts the frame to the window, so the screen does not scroll.
    private static string Fit(string text)
    {
        int rows = SafeSize(() => Console.WindowHeight, 24);
        int cols = SafeSize(() => Console.WindowWidth, 80);
        var lines = text.Split('\n').Take(Math.Max(1, rows - 1)).Select(l => l.Length > cols ? l[..cols] : l);
        return string.Join('\n', lines);
    }

    private static int SafeSize(Func<int> size, int fallback)
    {
        try
        {
            int n = size();
            return n > 0 ? n : fallback;
        }
        catch (IOException)
        {
            return fallback;
        }
    }
}
