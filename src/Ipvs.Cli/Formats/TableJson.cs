using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Ipvs.Model;

namespace Ipvs.Cli.Formats;

/// <summary>What goes into a table document besides the settings.</summary>
internal sealed record DocumentContent(bool Connections, bool Stats, bool Rates);

/// <summary>The library's table to and from <see cref="TableDocument"/> (JSON).</summary>
internal static class TableJson
{
    public const int CurrentVersion = 1;

    public static TableDocument FromTable(IReadOnlyList<ServiceEntry> table, Timeouts? timeouts, DocumentContent content) => new()
    {
        Version = CurrentVersion,
        Services = [.. TableOrder.Sort(table).Select(e => Service(e, content))],
        Timeouts = timeouts is null ? null : new TimeoutsDocument((long)timeouts.Tcp.TotalSeconds, (long)timeouts.TcpFin.TotalSeconds, (long)timeouts.Udp.TotalSeconds),
    };

    public static string Serialize(TableDocument document) =>
        JsonSerializer.Serialize(document, TableJsonContext.Default.TableDocument) + "\n";

    /// <summary>Reads a document; a syntax error is reported with its line and column.</summary>
    public static TableDocument Parse(byte[] json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize(json, TableJsonContext.Default.TableDocument)
                ?? throw new BadInputException($"{source}: the document is null; expected an object with \"services\"");
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is long line ? $"{source}:{line + 1}:{(e.BytePositionInLine ?? 0) + 1}" : source;
            // System.Text.Json's message repeats the position; keep its first sentence.
            string message = e.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd('.', ' ');
            throw new BadInputException($"{where}: {message}");
        }
    }

    /// <summary>
    /// The operations that build a saved table: each service, then its destinations, then the
    /// timeouts. Every problem in the document is reported, each located by its JSON path.
    /// </summary>
    public static IReadOnlyList<LocatedOperation> ToOperations(TableDocument document, string source)
    {
        var errors = new List<string>();
        var ops = new List<LocatedOperation>();
        if (document.Version is { } version && version is < 1 or > CurrentVersion)
        {
            errors.Add($"{source}: version: {document.Version} is not a version this ipvs reads (1 to {CurrentVersion})");
        }
        var seen = new HashSet<ServiceKey>();
        var services = document.Services ?? [];
        for (int i = 0; i < services.Count; i++)
        {
            string path = $"services[{i}]";
            var service = TryBuild(errors, source, path, () => BuildService(services[i], path));
            if (service is null)
            {
                continue;
            }
            if (!seen.Add(service.Key))
            {
                errors.Add($"{source}: {path}: service {service.Key} appears twice");
                continue;
            }
            ops.Add(new LocatedOperation(At(source, path), IpvsOperation.AddService(service)));
            var dests = services[i].Destinations ?? [];
            var seenDests = new HashSet<DestinationKey>();
            for (int j = 0; j < dests.Count; j++)
            {
                string dpath = $"{path}.destinations[{j}]";
                var d = TryBuild(errors, source, dpath, () => BuildDestination(dests[j], dpath));
                if (d is null)
                {
                    continue;
                }
                if (!seenDests.Add(d.Key))
                {
                    errors.Add($"{source}: {dpath}: destination {d.Key} appears twice in {service.Key}");
                    continue;
                }
                ops.Add(new LocatedOperation(At(source, dpath), IpvsOperation.AddDestination(service.Key, d)));
            }
        }
        if (document.Timeouts is { } t)
        {
            var timeouts = TryBuild(errors, source, "timeouts", () => new Timeouts(
                Seconds(t.Tcp, "timeouts.tcp"), Seconds(t.TcpFin, "timeouts.tcpFin"), Seconds(t.Udp, "timeouts.udp")));
            if (timeouts is not null)
            {
                ops.Add(new LocatedOperation(At(source, "timeouts"), IpvsOperation.SetTimeouts(timeouts)));
            }
        }
        if (errors.Count > 0)
        {
            throw new BadInputException(errors);
        }
        return ops;
    }

    // A JSON path stands in for a line: System.Text.Json keeps no positions after parsing.
    private static Ipvs.Desired.SourceLocation At(string source, string path) => new($"{source}: {path}", 0);

    private static T? TryBuild<T>(List<string> errors, string source, string path, Func<T> build)
        where T : class
    {
        try
        {
            return build();
        }
        catch (DocumentException e)
        {
            errors.Add($"{source}: {e.Path}: {e.Message}");
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            errors.Add($"{source}: {path}: {ErrorText.Plain(e)}");
        }
        return null;
    }

    private static ServiceDocument Service(ServiceEntry e, DocumentContent content)
    {
        var s = e.Info.Service;
        var key = s.Key;
        return new ServiceDocument
        {
            Service = key.ToString(),
            Family = Names.Family(key.Family),
            Protocol = key.IsFirewallMark ? null : Names.Protocol(key.Protocol),
            Address = key.Address?.ToString(),
            Port = key.IsFirewallMark ? null : key.Port,
            Fwmark = key.IsFirewallMark ? key.FirewallMark : null,
            Scheduler = s.Scheduler.Name,
            SchedulerFlags = Names.SchedulerFlags(s) is { Count: > 0 } flags ? flags : null,
            OnePacket = (s.Flags & ServiceFlags.OnePacket) != 0 ? true : null,
            Persistence = s.IsPersistent ? s.PersistenceTimeout : null,
            Netmask = s.IsPersistent || s.Netmask != Netmask.Full(key.Family) ? s.Netmask.ToString() : null,
            PersistenceEngine = s.PersistenceEngine,
            Stats = content.Stats ? Counters(e.Info.Stats) : null,
            Rates = content.Rates ? Rates(e.Info.Stats) : null,
            Destinations = [.. TableOrder.Sort(e.Destinations).Select(d => Destination(d, content))],
        };
    }

    private static DestinationDocument Destination(DestinationInfo info, DocumentContent content)
    {
        var d = info.Destination;
        return new DestinationDocument
        {
            Address = d.Address.ToString(),
            Port = d.Port,
            Forward = Names.Forward(d.Forwarding),
            Weight = d.Weight,
            UpperThreshold = d.UpperThreshold,
            LowerThreshold = d.LowerThreshold,
            Tunnel = d.Forwarding == ForwardingMethod.Tunnel
                ? new TunnelDocument
                {
                    Type = Names.Tunnel(d.TunnelType),
                    Port = d.TunnelType == TunnelType.Gue ? d.TunnelPort : null,
                    Checksum = Names.Checksum(d.TunnelFlags),
                }
                : null,
            ActiveConnections = content.Connections ? info.ActiveConnections : null,
            InactiveConnections = content.Connections ? info.InactiveConnections : null,
            PersistentConnections = content.Connections ? info.PersistentConnections : null,
            Stats = content.Stats ? Counters(info.Stats) : null,
            Rates = content.Rates ? Rates(info.Stats) : null,
        };
    }

    private static StatsDocument Counters(IpvsStats s) => new(s.Connections, s.InPackets, s.OutPackets, s.InBytes, s.OutBytes);

    private static StatsDocument Rates(IpvsStats s) => new(s.ConnectionRate, s.InPacketRate, s.OutPacketRate, s.InByteRate, s.OutByteRate);

    private static VirtualService BuildService(ServiceDocument s, string path)
    {
        var key = BuildKey(s, path);
        var scheduler = s.Scheduler is null ? default : new Scheduler(s.Scheduler);
        var flags = s.OnePacket == true ? ServiceFlags.OnePacket : ServiceFlags.None;
        foreach (var name in s.SchedulerFlags ?? [])
        {
            flags |= Names.ParseSchedulerFlag(name) ?? throw new DocumentException($"{path}.schedulerFlags",
                $"'{name}' is not a scheduler flag (sh-fallback, sh-port, mh-fallback, mh-port, flag-1, flag-2, flag-3)");
        }
        var service = new VirtualService(key)
        {
            Scheduler = scheduler,
            Flags = flags,
            PersistenceTimeout = s.Persistence is null ? 0 : (uint)Range(s.Persistence.Value, 1, uint.MaxValue, $"{path}.persistence"),
            PersistenceEngine = s.PersistenceEngine,
        };
        if (s.Netmask is not null)
        {
            try
            {
                service = service with { Netmask = Netmask.Parse(s.Netmask, key.Family) };
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw new DocumentException($"{path}.netmask", ErrorText.Plain(e));
            }
        }
        return service;
    }

    private static ServiceKey BuildKey(ServiceDocument s, string path)
    {
        ServiceKey? fromParts = null;
        if (s.Fwmark is long mark)
        {
            if (s.Protocol is not null || s.Address is not null || s.Port is not null)
            {
                throw new DocumentException(path, "a firewall-mark service has no protocol, address or port");
            }
            var family = s.Family is null ? AddressFamily.InterNetwork : Names.ParseFamily(s.Family) ?? throw new DocumentException($"{path}.family", $"'{s.Family}' is not ipv4 or ipv6");
            fromParts = ServiceKey.ForFirewallMark((uint)Range(mark, 1, uint.MaxValue, $"{path}.fwmark"), family);
        }
        else if (s.Protocol is not null || s.Address is not null)
        {
            var protocol = Names.ParseProtocol(s.Protocol ?? throw new DocumentException($"{path}.protocol", "missing (tcp, udp or sctp)"))
                ?? throw new DocumentException($"{path}.protocol", $"'{s.Protocol}' is not tcp, udp or sctp");
            if (!IPAddress.TryParse(s.Address ?? throw new DocumentException($"{path}.address", "missing"), out var address))
            {
                throw new DocumentException($"{path}.address", $"'{s.Address}' is not an IP address");
            }
            if (s.Family is not null && Names.ParseFamily(s.Family) != address.AddressFamily)
            {
                throw new DocumentException($"{path}.family", $"'{s.Family}' does not match the address {address}");
            }
            ushort port = (ushort)Range(s.Port ?? throw new DocumentException($"{path}.port", "missing"), 0, ushort.MaxValue, $"{path}.port");
            fromParts = ServiceKey.Create(protocol, address, port);
        }
        ServiceKey? fromString = null;
        if (s.Service is not null)
        {
            try
            {
                fromString = ServiceKey.Parse(s.Service);
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw new DocumentException($"{path}.service", ErrorText.Plain(e));
            }
        }
        if (fromParts is { } a && fromString is { } b && a != b)
        {
            throw new DocumentException($"{path}.service", $"'{s.Service}' does not match the service's own fields ({a})");
        }
        return fromParts ?? fromString ?? throw new DocumentException(path, "no key: give protocol, address and port, or fwmark (or \"service\": \"tcp:10.0.0.1:80\")");
    }

    private static Destination BuildDestination(DestinationDocument d, string path)
    {
        if (!IPAddress.TryParse(d.Address ?? throw new DocumentException($"{path}.address", "missing"), out var address))
        {
            throw new DocumentException($"{path}.address", $"'{d.Address}' is not an IP address");
        }
        ushort port = (ushort)Range(d.Port ?? throw new DocumentException($"{path}.port", "missing"), 0, ushort.MaxValue, $"{path}.port");
        var forward = d.Forward is null ? ForwardingMethod.Masquerade
            : Names.ParseForward(d.Forward) ?? throw new DocumentException($"{path}.forward", $"'{d.Forward}' is not masq, route, tunnel, local or bypass");
        var dest = new Destination(address, port)
        {
            Forwarding = forward,
            Weight = (int)Range(d.Weight ?? 1, 0, int.MaxValue, $"{path}.weight"),
            UpperThreshold = (uint)Range(d.UpperThreshold ?? 0, 0, int.MaxValue, $"{path}.upperThreshold"),
            LowerThreshold = (uint)Range(d.LowerThreshold ?? 0, 0, int.MaxValue, $"{path}.lowerThreshold"),
        };
        if (d.Tunnel is { } t)
        {
            if (forward != ForwardingMethod.Tunnel)
            {
                throw new DocumentException($"{path}.tunnel", "tunnel settings need \"forward\": \"tunnel\"");
            }
            dest = dest with
            {
                TunnelType = t.Type is null ? TunnelType.IpIp : Names.ParseTunnel(t.Type) ?? throw new DocumentException($"{path}.tunnel.type", $"'{t.Type}' is not ipip, gue or gre"),
                TunnelPort = (ushort)Range(t.Port ?? 0, 0, ushort.MaxValue, $"{path}.tunnel.port"),
                TunnelFlags = t.Checksum is null ? TunnelFlags.NoChecksum : Names.ParseChecksum(t.Checksum) ?? throw new DocumentException($"{path}.tunnel.checksum", $"'{t.Checksum}' is not nocsum, csum or remcsum"),
            };
        }
        return dest;
    }

    private static long Range(long value, long min, long max, string path) =>
        value >= min && value <= max ? value : throw new DocumentException(path, $"{value} is out of range ({min} to {max})");

    private static TimeSpan Seconds(long value, string path) => TimeSpan.FromSeconds(Range(value, 0, int.MaxValue, path));

    private sealed class DocumentException(string path, string message) : Exception(message)
    {
        public string Path { get; } = path;
    }
}
