using Ipvs.Cli.Formats;
using Ipvs.Desired;
using Ipvs.Model;

namespace Ipvs.Cli.Config;

/// <summary>
/// A saved table (ipvsadm rules or the JSON document) read as a configuration: its services
/// are the desired ones. Only what describes a table may appear in it (-A, -a, --set; or the
/// JSON document): a rules file that edits, deletes or clears is a script, not a state.
/// </summary>
internal static class TableConfig
{
    public static DesiredState FromOperations(IReadOnlyList<LocatedOperation> ops)
    {
        var errors = new List<string>();
        var services = new List<(DesiredService Service, List<DesiredDestination> Dests)>();
        var index = new Dictionary<ServiceKey, int>();
        Timeouts? timeouts = null;
        SourceLocation? timeoutsAt = null;
        foreach (var op in ops)
        {
            switch (op.Operation)
            {
                case AddServiceOperation a:
                    if (!index.TryAdd(a.Service.Key, services.Count))
                    {
                        errors.Add($"{op.Location}: service {a.Service.Key} is declared twice");
                        break;
                    }
                    services.Add((new DesiredService(a.Service) { Location = op.Where }, []));
                    break;
                case AddDestinationOperation d:
                    if (!index.TryGetValue(d.Service, out int i))
                    {
                        errors.Add($"{op.Location}: destination {d.Destination.Key} belongs to service {d.Service}, which this file does not declare (with -A) before it");
                        break;
                    }
                    services[i].Dests.Add(new DesiredDestination(d.Destination) { Location = op.Where });
                    break;
                case SetTimeoutsOperation t:
                    timeouts = t.Timeouts;
                    timeoutsAt = op.Where;
                    break;
                default:
                    errors.Add($"{op.Location}: a configuration describes a table (-A, -a, --set); {Describe(op.Operation)} is a change, not a state — use `ipvs restore` to run it");
                    break;
            }
        }
        if (errors.Count > 0)
        {
            throw new BadInputException(errors);
        }
        return new DesiredState(services.Select(s => s.Service with { Destinations = [.. s.Dests] }))
        {
            Timeouts = timeouts,
            TimeoutsLocation = timeoutsAt,
        };
    }

    private static string Describe(IpvsOperation op) => op switch
    {
        EditServiceOperation => "-E (edit service)",
        DeleteServiceOperation => "-D (delete service)",
        EditDestinationOperation => "-e (edit server)",
        DeleteDestinationOperation => "-d (delete server)",
        FlushOperation => "-C (clear)",
        ZeroOperation => "-Z (zero)",
        StartSyncDaemonOperation => "--start-daemon",
        StopSyncDaemonOperation => "--stop-daemon",
        _ => op.Command.ToString(),
    };
}
