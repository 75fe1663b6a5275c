using System.Text;

namespace Ipvs.Desired;

/// <summary>
/// The readable renderings of plans and apply reports, one line per change:
/// <code>
/// + tcp 10.0.0.1:80 wrr
///   + -> 192.168.0.1:80 masq weight 1
/// ~ tcp 10.0.0.2:80 scheduler wrr -> rr
///   tcp 10.0.0.3:80
///   ~ -> 192.168.0.5:80 weight 1 -> 3
///   - -> 192.168.0.9:80 masq weight 1
/// - tcp 10.0.0.9:80 wlc (with 2 destinations)
/// Plan: 2 to add, 2 to change, 2 to delete.
/// </code>
/// A destination change under a service that does not change itself gets the service as a context
/// line. An empty plan is <c>No changes.</c>
/// </summary>
public static class PlanText
{
    /// <summary>The plan as a diff, ending with the summary line.</summary>
    public static string Render(Plan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.IsEmpty)
        {
            return "No changes.\n";
        }
        var text = new StringBuilder();
        ServiceKey? context = null;
        foreach (var change in plan.Changes)
        {
            switch (change)
            {
                case ServiceChange s:
                    context = s.Service;
                    break;
                case DestinationChange d when context != d.Service:
                    text.Append("  ").Append(Words.Service(d.Service)).Append('\n');
                    context = d.Service;
                    break;
                case TimeoutsChange:
                    context = null;
                    break;
            }
            text.Append(Line(change, withService: false)).Append('\n');
        }
        text.Append(CultureInfo.InvariantCulture, $"Plan: {plan.ToAdd} to add, {plan.ToChange} to change, {plan.ToDelete} to delete.\n");
        return text.ToString();
    }

    /// <summary>
    /// The report: each change with its outcome (and, for a failure, why), then a summary line such
    /// as <c>Applied 1 of 4 changes: 1 failed, 2 not attempted.</c>
    /// </summary>
    public static string Render(ApplyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Results.Length == 0)
        {
            return "No changes.\n";
        }
        var text = new StringBuilder();
        foreach (var r in report.Results)
        {
            text.Append(OutcomeWord(r.Outcome).PadRight(16)).Append(Line(r.Change, withService: true)).Append('\n');
            if (r.Message is { } m)
            {
                text.Append("    error: ").Append(m).Append('\n');
            }
            if (r.RollbackMessage is { } rb)
            {
                text.Append("    undo failed: ").Append(rb).Append('\n');
            }
        }
        var parts = new List<string>();
        void Part(int n, string what)
        {
            if (n > 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{n} {what}"));
            }
        }
        Part(report.Failed, "failed");
        Part(report.Unknown, "unknown");
        Part(report.NotAttempted, "not attempted");
        Part(report.RolledBackCount, "rolled back");
        Part(report.RollbackFailed, "could not be undone");
        var n = report.Results.Length;
        text.Append(CultureInfo.InvariantCulture, $"Applied {report.Applied} of {n} change{(n == 1 ? "" : "s")}");
        text.Append(parts.Count == 0 ? "." : ": " + string.Join(", ", parts) + ".").Append('\n');
        return text.ToString();
    }

    /// <summary>One change as one line, without a line break; with the service named in destination lines when asked.</summary>
    public static string Line(PlannedChange change, bool withService = false)
    {
        ArgumentNullException.ThrowIfNull(change);
        char sign = change.Kind switch
        {
            ChangeKind.Add => '+',
            ChangeKind.Edit => '~',
            _ => '-',
        };
        switch (change)
        {
            case ServiceChange s:
                var what = s.Kind == ChangeKind.Edit ? Fields(s) : Settings(s.After ?? s.Before!);
                var dests = s.Kind == ChangeKind.Delete && s.DestinationsBefore.Length > 0
                    ? string.Create(CultureInfo.InvariantCulture, $" (with {s.DestinationsBefore.Length} destination{(s.DestinationsBefore.Length == 1 ? "" : "s")})")
                    : "";
                return $"{sign} {Words.Service(s.Service)} {what}{dests}";
            case DestinationChange d:
                var lead = withService ? $"{sign} {Words.Service(d.Service)} -> " : $"  {sign} -> ";
                var settings = d.Kind == ChangeKind.Edit ? Fields(d) : Settings(d.After ?? d.Before!);
                return $"{lead}{d.Destination} {settings}";
            case TimeoutsChange t:
                return $"{sign} timeouts {Fields(t)}";
            default:
                return $"{sign} {change.Operation}";
        }
    }

    private static string OutcomeWord(ChangeOutcome o) => o switch
    {
        ChangeOutcome.Applied => "applied",
        ChangeOutcome.Failed => "failed",
        ChangeOutcome.NotAttempted => "not attempted",
        ChangeOutcome.Unknown => "unknown",
        ChangeOutcome.RolledBack => "rolled back",
        _ => "undo failed",
    };

    private static string Settings(VirtualService s)
    {
        var text = new StringBuilder(s.Scheduler.Name);
        if (s.IsPersistent)
        {
            text.Append(CultureInfo.InvariantCulture, $" persistent {s.PersistenceTimeout}");
        }
        if (s.Netmask != Netmask.Full(s.Key.Family))
        {
            text.Append(" netmask ").Append(s.Netmask.ToString());
        }
        if (s.PersistenceEngine is { } pe)
        {
            text.Append(" pe ").Append(pe);
        }
        if (s.Flags != ServiceFlags.None)
        {
            text.Append(" flags ").Append(FlagText(s));
        }
        return text.ToString();
    }

    private static string Settings(Destination d)
    {
        var text = new StringBuilder(Words.Forwarding(d.Forwarding));
        if (d.Forwarding == ForwardingMethod.Tunnel)
        {
            text.Append(' ').Append(Words.TunnelType(d.TunnelType));
            if (d.TunnelType == TunnelType.Gue)
            {
                text.Append(CultureInfo.InvariantCulture, $" port {d.TunnelPort}");
            }
            if (d.TunnelType != TunnelType.IpIp)
            {
                text.Append(' ').Append(Words.TunnelFlags(d.TunnelFlags));
            }
        }
        text.Append(CultureInfo.InvariantCulture, $" weight {d.Weight}");
        if (d.UpperThreshold != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" upper {d.UpperThreshold}");
        }
        if (d.LowerThreshold != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" lower {d.LowerThreshold}");
        }
        return text.ToString();
    }

    private static string FlagText(VirtualService s)
    {
        var names = Words.ServiceFlags(s.Flags, s.Scheduler);
        return names.Count == 0 ? "none" : string.Join(',', names);
    }

    private static string Fields(ServiceChange s) => string.Join(", ", s.ChangedFields.Select(f => f switch
    {
        FieldNames.Scheduler => $"scheduler {s.Before!.Scheduler} -> {s.After!.Scheduler}",
        FieldNames.Flags => $"flags {FlagText(s.Before!)} -> {FlagText(s.After!)}",
        FieldNames.PersistenceTimeout => string.Create(CultureInfo.InvariantCulture, $"persistent {s.Before!.PersistenceTimeout} -> {s.After!.PersistenceTimeout}"),
        FieldNames.Netmask => $"netmask {s.Before!.Netmask} -> {s.After!.Netmask}",
        FieldNames.PersistenceEngine => $"pe {s.Before!.PersistenceEngine ?? "none"} -> {s.After!.PersistenceEngine ?? "none"}",
        _ => f,
    }));

    private static string Fields(DestinationChange d) => string.Join(", ", d.ChangedFields.Select(f => f switch
    {
        FieldNames.Forwarding => $"forwarding {Words.Forwarding(d.Before!.Forwarding)} -> {Words.Forwarding(d.After!.Forwarding)}",
        FieldNames.Weight => string.Create(CultureInfo.InvariantCulture, $"weight {d.Before!.Weight} -> {d.After!.Weight}"),
        FieldNames.UpperThreshold => string.Create(CultureInfo.InvariantCulture, $"upper {d.Before!.UpperThreshold} -> {d.After!.UpperThreshold}"),
        FieldNames.LowerThreshold => string.Create(CultureInfo.InvariantCulture, $"lower {d.Before!.LowerThreshold} -> {d.After!.LowerThreshold}"),
        FieldNames.TunnelType => $"tunnel-type {Words.TunnelType(d.Before!.TunnelType)} -> {Words.TunnelType(d.After!.TunnelType)}",
        FieldNames.TunnelPort => string.Create(CultureInfo.InvariantCulture, $"tunnel-port {d.Before!.TunnelPort} -> {d.After!.TunnelPort}"),
        FieldNames.TunnelFlags => $"tunnel-flags {Words.TunnelFlags(d.Before!.TunnelFlags)} -> {Words.TunnelFlags(d.After!.TunnelFlags)}",
        _ => f,
    }));

    private static string Fields(TimeoutsChange t) => string.Join(", ", t.ChangedFields.Select(f =>
    {
        var (label, before, after) = f switch
        {
            FieldNames.Tcp => ("tcp", t.Before?.Tcp, t.After.Tcp),
            FieldNames.TcpFin => ("tcpfin", t.Before?.TcpFin, t.After.TcpFin),
            _ => ("udp", t.Before?.Udp, t.After.Udp),
        };
        return $"{label} {(before is { } b ? Words.Seconds(b) : "?")} -> {Words.Seconds(after)}";
    }));
}
