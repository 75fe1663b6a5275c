using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ipvs.Netlink;

namespace Ipvs.Desired;

/// <summary>
/// Stable JSON renderings of plans and apply reports (System.Text.Json, source-generated, camelCase;
/// every property always present, null or [] when it does not apply). The shape, version 1:
/// <code>
/// plan:   { "version": 1, "summary": { "add", "change", "delete" }, "changes": [CHANGE…] }
/// CHANGE: { "kind": "add"|"edit"|"delete", "target": "service"|"destination"|"timeouts",
///           "service": "tcp:10.0.0.1:80"|null, "destination": "192.168.0.1:80"|null,
///           "changedFields": ["weight", …], "before": SETTINGS|null, "after": SETTINGS|null,
///           "destinationsBefore": [DESTINATION…] (a deleted service's), "location": { "file", "line", "column" }|null }
/// SETTINGS by target:
///   service:     { "service", "scheduler", "flags": ["ops", "sh-fallback", …], "persistenceTimeout", "netmask", "persistenceEngine"|null }
///   destination: { "destination", "forwarding": "masq"|"route"|"tunnel"|"local"|"bypass", "weight",
///                  "upperThreshold", "lowerThreshold", "tunnelType": "ipip"|"gue"|"gre", "tunnelPort", "tunnelFlags": "nocsum"|"csum"|"remcsum"|"csum,remcsum" }
///   timeouts:    { "tcp", "tcpFin", "udp" } in seconds (0: left as is)
/// report: { "version": 1, "succeeded", "rolledBack",
///           "summary": { "applied", "failed", "notAttempted", "unknown", "rolledBack", "rollbackFailed" },
///           "results": [{ "outcome": "applied"|"failed"|"notAttempted"|"unknown"|"rolledBack"|"rollbackFailed",
///                         "change": CHANGE, "error": ERROR|null, "rollbackError": ERROR|null }] }
/// ERROR:  { "errno": 2, "name": "ENOENT", "message": "…" }
/// </code>
/// Field names in "changedFields" are those of <see cref="FieldNames"/>.
/// </summary>
public static class PlanJson
{
    /// <summary>The "version" written in every document; raised when the shape changes incompatibly.</summary>
    public const int FormatVersion = 1;

    /// <summary>The plan as JSON.</summary>
    public static string Serialize(Plan plan, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var doc = new PlanDocument
        {
            Summary = new PlanSummaryJson { Add = plan.ToAdd, Change = plan.ToChange, Delete = plan.ToDelete },
            Changes = [.. plan.Changes.Select(Change)],
        };
        return Write(w => JsonSerializer.Serialize(w, doc, DesiredJsonContext.Default.PlanDocument), indented);
    }

    /// <summary>The apply report as JSON.</summary>
    public static string Serialize(ApplyReport report, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(report);
        var doc = new ReportDocument
        {
            Succeeded = report.Succeeded,
            RolledBack = report.RolledBack,
            Summary = new ReportSummaryJson
            {
                Applied = report.Applied,
                Failed = report.Failed,
                NotAttempted = report.NotAttempted,
                Unknown = report.Unknown,
                RolledBack = report.RolledBackCount,
                RollbackFailed = report.RollbackFailed,
            },
            Results = [.. report.Results.Select(r => new ResultJson
            {
                Outcome = Words.Outcome(r.Outcome),
                Change = Change(r.Change),
                Error = r.Message is null ? null : Error(r.Errno, r.Message),
                RollbackError = r.RollbackMessage is null ? null : Error(r.RollbackErrno, r.RollbackMessage),
            })],
        };
        return Write(w => JsonSerializer.Serialize(w, doc, DesiredJsonContext.Default.ReportDocument), indented);
    }

    private static string Write(Action<Utf8JsonWriter> write, bool indented)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = indented,
            NewLine = "\n",
            // Addresses, arrows and quotes stay readable; the output is not meant for HTML.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            write(writer);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n";
    }

    private static ChangeJson Change(PlannedChange change)
    {
        string? service = null, destination = null;
        SettingsJson? before = null, after = null;
        var destinationsBefore = new List<DestinationSettingsJson>();
        switch (change)
        {
            case ServiceChange s:
                service = s.Service.ToString();
                (before, after) = (Settings(s.Before), Settings(s.After));
                destinationsBefore.AddRange(s.DestinationsBefore.Select(d => Settings(d)!));
                break;
            case DestinationChange d:
                (service, destination) = (d.Service.ToString(), d.Destination.ToString());
                (before, after) = (Settings(d.Before), Settings(d.After));
                break;
            case TimeoutsChange t:
                (before, after) = (Settings(t.Before), Settings(t.After));
                break;
        }
        return new ChangeJson
        {
            Kind = Words.Kind(change.Kind),
            Target = Words.Target(change.Target),
            Service = service,
            Destination = destination,
            ChangedFields = [.. change.ChangedFields],
            Before = before,
            After = after,
            DestinationsBefore = destinationsBefore,
            Location = change.Location is { } l ? new LocationJson { File = l.File, Line = l.Line, Column = l.Column } : null,
        };
    }

    private static ServiceSettingsJson? Settings(VirtualService? s) => s is null ? null : new ServiceSettingsJson
    {
        Service = s.Key.ToString(),
        Scheduler = s.Scheduler.Name,
        Flags = Words.ServiceFlags(s.Flags, s.Scheduler),
        PersistenceTimeout = s.PersistenceTimeout,
        Netmask = s.Netmask.ToString(),
        PersistenceEngine = s.PersistenceEngine,
    };

    private static DestinationSettingsJson? Settings(Destination? d) => d is null ? null : new DestinationSettingsJson
    {
        Destination = d.Key.ToString(),
        Forwarding = Words.Forwarding(d.Forwarding),
        Weight = d.Weight,
        UpperThreshold = d.UpperThreshold,
        LowerThreshold = d.LowerThreshold,
        TunnelType = Words.TunnelType(d.TunnelType),
        TunnelPort = d.TunnelPort,
        TunnelFlags = Words.TunnelFlags(d.TunnelFlags),
    };

    private static TimeoutsJson? Settings(Timeouts? t) => t is null ? null : new TimeoutsJson
    {
        Tcp = (long)t.Tcp.TotalSeconds,
        TcpFin = (long)t.TcpFin.TotalSeconds,
        Udp = (long)t.Udp.TotalSeconds,
    };

    private static ErrorJson Error(int errno, string message) => new() { Errno = errno, Name = Errno.Name(errno), Message = message };
}
