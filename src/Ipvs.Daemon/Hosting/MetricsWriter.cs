using System.Text;
using Ipvs.Checks;
using Ipvs.Daemon.Engine;

namespace Ipvs.Daemon.Hosting;

/// <summary>
/// The Prometheus text exposition (format 0.0.4) of the kernel's counters and the daemon's own.
/// Destination metrics keep node_exporter's ipvs collector names and labels
/// (node_ipvs_backend_connections_active, …_inactive, node_ipvs_backend_weight), so existing
/// dashboards work unchanged; the rest are ipvs_*.
/// </summary>
public static class MetricsWriter
{
    /// <summary>Writes every metric.</summary>
    public static string Write(IReadOnlyList<ServiceEntry> table, DaemonStatus status, SupervisorCounters counters, CheckScheduler checks, IEnumerable<CheckHandle> handles)
    {
        var w = new StringBuilder(16 * 1024);
        Backend(w, table);
        Services(w, table);
        Health(w, status);
        Checks(w, checks, handles);
        Engine(w, counters);
        return w.ToString();
    }

    private static void Backend(StringBuilder w, IReadOnlyList<ServiceEntry> table)
    {
        Header(w, "node_ipvs_backend_connections_active", "gauge", "The current active connections by local and remote address.");
        foreach (var e in table)
        {
            foreach (var d in e.Destinations)
            {
                Sample(w, "node_ipvs_backend_connections_active", BackendLabels(e.Key, d.Key), d.ActiveConnections);
            }
        }
        Header(w, "node_ipvs_backend_connections_inactive", "gauge", "The current inactive connections by local and remote address.");
        foreach (var e in table)
        {
            foreach (var d in e.Destinations)
            {
                Sample(w, "node_ipvs_backend_connections_inactive", BackendLabels(e.Key, d.Key), d.InactiveConnections);
            }
        }
        Header(w, "node_ipvs_backend_weight", "gauge", "The current backend weight by local and remote address.");
        foreach (var e in table)
        {
            foreach (var d in e.Destinations)
            {
                Sample(w, "node_ipvs_backend_weight", BackendLabels(e.Key, d.Key), d.Destination.Weight);
            }
        }
    }

    private static void Services(StringBuilder w, IReadOnlyList<ServiceEntry> table)
    {
        (string Name, string Help, Func<IpvsStats, ulong> Value)[] counters =
        [
            ("ipvs_service_connections_total", "Connections scheduled by the service.", s => s.Connections),
            ("ipvs_service_incoming_packets_total", "Packets from clients.", s => s.InPackets),
            ("ipvs_service_outgoing_packets_total", "Packets to clients.", s => s.OutPackets),
            ("ipvs_service_incoming_bytes_total", "Bytes from clients.", s => s.InBytes),
            ("ipvs_service_outgoing_bytes_total", "Bytes to clients.", s => s.OutBytes),
        ];
        foreach (var (name, help, value) in counters)
        {
            Header(w, name, "counter", help);
            foreach (var e in table)
            {
                Sample(w, name, $"service=\"{Escape(e.Key.ToString())}\"", value(e.Info.Stats));
            }
        }
        Header(w, "ipvs_destination_connections_total", "counter", "Connections scheduled to the destination.");
        foreach (var e in table)
        {
            foreach (var d in e.Destinations)
            {
                Sample(w, "ipvs_destination_connections_total", $"service=\"{Escape(e.Key.ToString())}\",destination=\"{Escape(d.Key.ToString())}\"", d.Stats.Connections);
            }
        }
        Header(w, "ipvs_service_connections_per_second", "gauge", "The kernel's estimate of new connections per second.");
        foreach (var e in table)
        {
            Sample(w, "ipvs_service_connections_per_second", $"service=\"{Escape(e.Key.ToString())}\"", e.Info.Stats.ConnectionRate);
        }
    }

    private static void Health(StringBuilder w, DaemonStatus status)
    {
        Header(w, "ipvs_destination_up", "gauge", "1 when the destination's checks pass, 0 when not.");
        foreach (var s in status.Services)
        {
            foreach (var d in s.Destinations.Where(d => d.State is "up" or "ramping" or "down" or "draining"))
            {
                Sample(w, "ipvs_destination_up", $"service=\"{Escape(s.Service)}\",destination=\"{Escape(d.Destination)}\"", d.State is "up" or "ramping" ? 1 : 0);
            }
        }
        Header(w, "ipvs_destination_draining", "gauge", "1 while the destination drains at weight 0.");
        foreach (var s in status.Services)
        {
            foreach (var d in s.Destinations)
            {
                Sample(w, "ipvs_destination_draining", $"service=\"{Escape(s.Service)}\",destination=\"{Escape(d.Destination)}\"", d.Drain is null ? 0 : 1);
            }
        }
        Header(w, "ipvs_service_quorum_up", "gauge", "1 while the service has its quorum.");
        foreach (var s in status.Services.Where(s => !s.Retired))
        {
            Sample(w, "ipvs_service_quorum_up", $"service=\"{Escape(s.Service)}\"", s.QuorumUp ? 1 : 0);
        }
    }

    private static void Checks(StringBuilder w, CheckScheduler scheduler, IEnumerable<CheckHandle> handles)
    {
        var list = handles.Select(h => (h, s: scheduler.GetStatus(h))).ToList();
        Header(w, "ipvs_check_up", "gauge", "1 when the check passes (after rise/fall), 0 when not.");
        foreach (var (h, s) in list)
        {
            Sample(w, "ipvs_check_up", CheckLabel(h), s.State == CheckState.Up ? 1 : 0);
        }
        Header(w, "ipvs_check_runs_total", "counter", "Check runs.");
        foreach (var (h, s) in list)
        {
            Sample(w, "ipvs_check_runs_total", CheckLabel(h), s.Runs);
        }
        Header(w, "ipvs_check_failures_total", "counter", "Failed check runs.");
        foreach (var (h, s) in list)
        {
            Sample(w, "ipvs_check_failures_total", CheckLabel(h), s.Failures);
        }
        Header(w, "ipvs_check_latency_seconds", "gauge", "The last attempt's latency.");
        foreach (var (h, s) in list.Where(x => x.s.Last is not null))
        {
            Sample(w, "ipvs_check_latency_seconds", CheckLabel(h), s.Last!.Value.Latency.TotalSeconds);
        }
        Header(w, "ipvs_check_lateness_max_seconds", "gauge", "The most a run of the check started after its scheduled time.");
        foreach (var (h, s) in list)
        {
            Sample(w, "ipvs_check_lateness_max_seconds", CheckLabel(h), s.MaxLateness.TotalSeconds);
        }
    }

    private static void Engine(StringBuilder w, SupervisorCounters c)
    {
        Counter(w, "ipvs_reconcile_total", "Reconciliations run.", c.Reconciles);
        Counter(w, "ipvs_reconcile_errors_total", "Reconciliations that failed or applied only part of their plan.", c.ReconcileErrors);
        Counter(w, "ipvs_changes_applied_total", "Kernel changes applied.", c.ChangesApplied);
        Counter(w, "ipvs_reloads_total", "Configuration reloads applied.", c.Reloads);
        Counter(w, "ipvs_reload_failures_total", "Configuration reloads rejected for errors.", c.ReloadFailures);
        Counter(w, "ipvs_destination_up_transitions_total", "Destinations that came up.", c.DestinationsUp);
        Counter(w, "ipvs_destination_down_transitions_total", "Destinations that went down.", c.DestinationsDown);
        var (buckets, sum, count) = c.ReconcileSeconds.Snapshot();
        Header(w, "ipvs_reconcile_duration_seconds", "histogram", "How long a reconciliation took (read, plan, apply).");
        for (int i = 0; i < c.ReconcileSeconds.Bounds.Count; i++)
        {
            Sample(w, "ipvs_reconcile_duration_seconds_bucket", $"le=\"{c.ReconcileSeconds.Bounds[i].ToString(CultureInfo.InvariantCulture)}\"", buckets[i]);
        }
        Sample(w, "ipvs_reconcile_duration_seconds_bucket", "le=\"+Inf\"", buckets[^1]);
        Sample(w, "ipvs_reconcile_duration_seconds_sum", null, sum);
        Sample(w, "ipvs_reconcile_duration_seconds_count", null, count);
    }

    // node_exporter's labels: fwmark services have an empty address, port 0 and proto FWM.
    private static string BackendLabels(ServiceKey s, DestinationKey d) =>
        string.Create(CultureInfo.InvariantCulture,
            $"local_address=\"{(s.IsFirewallMark ? "" : s.Address!.ToString())}\",local_port=\"{s.Port}\",local_mark=\"{(s.IsFirewallMark ? s.FirewallMark.ToString(CultureInfo.InvariantCulture) : "")}\",proto=\"{(s.IsFirewallMark ? "FWM" : s.Protocol.ToString().ToUpperInvariant())}\",remote_address=\"{d.Address}\",remote_port=\"{d.Port}\"");

    private static string CheckLabel(CheckHandle h) => $"check=\"{Escape(h.Id)}\"";

    private static void Counter(StringBuilder w, string name, string help, long value)
    {
        Header(w, name, "counter", help);
        Sample(w, name, null, value);
    }

    private static void Header(StringBuilder w, string name, string type, string help) =>
        w.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
         .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder w, string name, string? labels, double value)
    {
        w.Append(name);
        if (labels is not null)
        {
            w.Append('{').Append(labels).Append('}');
        }
        w.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
