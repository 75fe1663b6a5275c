using System.Globalization;
using System.Text;
using Ipvs.Daemon;

namespace Ipvs.Cli.Output;

/// <summary>`ipvs status` as a table: one block per service, a row per destination, its checks beneath.</summary>
internal static class StatusView
{
    public static string Render(DaemonStatus status)
    {
        var w = new StringBuilder();
        w.Append(CultureInfo.InvariantCulture, $"ipvs run - {status.Source} - {status.At.ToLocalTime():yyyy-MM-dd HH:mm:ss}\n");
        if (status.LastReloadError is { } error)
        {
            w.Append("last reload REJECTED, the previous configuration stays in force:\n");
            foreach (var line in error.Split('\n'))
            {
                w.Append("  ").Append(line).Append('\n');
            }
        }
        foreach (var s in status.Services)
        {
            w.Append('\n').Append(s.Service).Append("  ").Append(s.Scheduler);
            w.Append(s.Retired ? "  retired (draining out)" : s.QuorumUp ? "  quorum up" : "  QUORUM DOWN");
            if (s.SorryServerActive)
            {
                w.Append("  sorry server serving");
            }
            if (!s.InKernel)
            {
                w.Append("  (not in the kernel)");
            }
            w.Append('\n');
            var table = new TextTable(new("Destination"), new("State"), new("Weight", RightAligned: true), new("Kernel", RightAligned: true), new("Active", RightAligned: true), new("Inactive", RightAligned: true), new("Note"));
            foreach (var d in s.Destinations)
            {
                string note = d.Drain is { } drain
                    ? $"{drain.Reason}, until {drain.Deadline.ToLocalTime():HH:mm:ss}"
                    : d.LastError ?? "";
                table.Add(d.Destination, d.State, d.Weight.ToString(CultureInfo.InvariantCulture), d.KernelWeight?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    d.ActiveConnections.ToString(CultureInfo.InvariantCulture), d.InactiveConnections.ToString(CultureInfo.InvariantCulture), note);
                foreach (var c in d.Checks)
                {
                    string latency = c.LatencyMs is { } ms ? $"{ms.ToString("0.#", CultureInfo.InvariantCulture)} ms" : "";
                    table.Add("  " + c.Id, c.State, c.Weight?.ToString(CultureInfo.InvariantCulture) ?? "", "", "", "",
                        $"{c.Runs} run(s), {c.Failures} failed {latency}".TrimEnd() + (c.Error is { } e ? $"; {e}" : ""));
                }
            }
            w.Append(table.Render());
        }
        return w.ToString();
    }
}
