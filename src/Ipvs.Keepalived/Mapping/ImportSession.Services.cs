using System.Buffers.Binary;
using Ipvs.Desired;

namespace Ipvs.Keepalived.Mapping;

// virtual_server → services: the keys as ipvs_cmd() and ipvs_group_cmd() (check/ipvswrapper.c)
// build them, the settings as ipvs_set_srule() fills them in, and the daemon's policy.
internal sealed partial class ImportSession
{
    // Beyond this, a virtual_server_group is surely a mistake (a /8 is 16 million services).
    internal const int MaxGroupServices = 65536;

    /// <summary>One kernel service of a virtual server: its key, and where it came from.</summary>
    /// <param name="Key">The service's key.</param>
    /// <param name="Group">True for an entry of a virtual_server_group.</param>
    private readonly record struct Instance(ServiceKey Key, bool Group);

    private IEnumerable<DesiredService> Services(VirtualServer vs)
    {
        var instances = Instances(vs);
        if (instances.Count == 0)
        {
            yield break;
        }
        var policy = Policy(vs);
        bool persistent = vs.PersistenceTimeout > 0;
        if (vs.PersistenceEngine is not null && !persistent)
        {
            _d.Deviation(DiagnosticCodes.Adjusted, Written(vs.SettingLocations, "persistence_engine") ?? vs.Location,
                $"persistence_engine {vs.PersistenceEngine} has no effect: the virtual server is not persistent",
                "keepalived sends the engine only with a persistence_timeout; add one, or remove persistence_engine");
        }
        bool grouped = vs.Id is VirtualServerGroupId;
        if (grouped && persistent && vs.PersistenceGranularity != Netmask.Full(vs.PersistenceGranularity.Family)
            && Written(vs.SettingLocations, "persistence_granularity") is { } granularityAt)
        {
            // ipvs_group_range_cmd() and the fwmark loop of ipvs_group_cmd() reset the netmask to
            // /32 or /128 after ipvs_set_srule() set it: 2.2.7 never sends a group's granularity.
            _d.Deviation(DiagnosticCodes.Adjusted, granularityAt,
                $"persistence_granularity {vs.PersistenceGranularity} is dropped: keepalived 2.2.7 gives every service of a virtual_server_group the full mask",
                "its services are persistent per client address; list the addresses as virtual servers of their own to use a granularity");
        }

        foreach (var instance in instances)
        {
            if (!Try(() => new VirtualService(instance.Key)
            {
                Scheduler = vs.Scheduler,
                Flags = vs.Flags,
                PersistenceTimeout = vs.PersistenceTimeout,
                Netmask = persistent && !grouped ? vs.PersistenceGranularity : Netmask.Full(instance.Key.Family),
                PersistenceEngine = persistent ? vs.PersistenceEngine : null,
            }, vs.Location, out var service))
            {
                yield break;
            }
            var destinations = new List<DesiredDestination>();
            foreach (var rs in vs.RealServers)
            {
                if (Destination(vs, rs, instance) is { } destination)
                {
                    destinations.Add(destination);
                }
            }
            var sorry = SorryServer(vs, instance);
            if (sorry is not null && vs.SorryServer!.Inhibit && !destinations.Any(d => d.Key == sorry.Key))
            {
                // init_service_vs(): an inhibited sorry server is added at once with weight 0 and
                // only edited to weight 1 when the quorum is lost; it is in the kernel all along.
                destinations.Add(new DesiredDestination(sorry with { Weight = 0 }) { Location = ToDesired(vs.SorryServer.Location) });
            }
            yield return new DesiredService(service, destinations)
            {
                Policy = policy with { SorryServer = sorry },
                Location = ToDesired(vs.Location),
            };
        }
    }

    private List<Instance> Instances(VirtualServer vs)
    {
        var instances = new List<Instance>();
        switch (vs.Id)
        {
            case VirtualServerAddress a:
                // validate_check_config() made a missing protocol UDP (the parser reported it).
                if (Try(() => ServiceKey.Create(vs.Protocol ?? IpvsProtocol.Udp, a.Address, a.Port), vs.Location, out var key))
                {
                    instances.Add(new Instance(key, Group: false));
                }
                break;
            case VirtualServerFwmark f:
                if (Try(() => ServiceKey.ForFirewallMark(f.Mark, vs.Family ?? AddressFamily.InterNetwork), vs.Location, out var mark))
                {
                    instances.Add(new Instance(mark, Group: false));
                }
                break;
            case VirtualServerGroupId g when _config.VirtualServerGroups.FirstOrDefault(x => x.Name == g.Name) is { } group:
                GroupInstances(vs, group, instances);
                break;
        }
        return instances;
    }

    // ipvs_group_cmd(): every address of every range (the last byte, or the whole address, counts
    // up; for IPv6 only the last 16 bits), then every fwmark, in that order.
    private void GroupInstances(VirtualServer vs, VirtualServerGroup group, List<Instance> instances)
    {
        var protocol = vs.Protocol ?? IpvsProtocol.Udp;
        foreach (var range in group.Entries.OfType<VirtualServerGroupRange>())
        {
            foreach (var address in Expand(range))
            {
                if (instances.Count >= MaxGroupServices)
                {
                    _d.Fatal(DiagnosticCodes.Unsupported, range.Location,
                        $"virtual_server_group {group.Name} expands to more than {MaxGroupServices} services",
                        "use a firewall mark for large address blocks");
                    instances.Clear();
                    return;
                }
                if (!Try(() => ServiceKey.Create(protocol, address, range.Port), range.Location, out var key))
                {
                    return;
                }
                instances.Add(new Instance(key, Group: true));
            }
        }
        foreach (var entry in group.Entries.OfType<VirtualServerGroupFwmark>())
        {
            // The entry's family, else the virtual server's, else IPv4 ("We default to IPv4 if
            // cannot determine the family").
            var family = entry.Family ?? vs.Family ?? AddressFamily.InterNetwork;
            if (!Try(() => ServiceKey.ForFirewallMark(entry.Mark, family), entry.Location, out var key))
            {
                return;
            }
            instances.Add(new Instance(key, Group: true));
        }
    }

    internal static IEnumerable<IPAddress> Expand(VirtualServerGroupRange range)
    {
        if (range.First.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // ipvs_group_range_cmd() counts s6_addr16[7] only, up to the end's (wrapping at 16 bits),
            // whatever the end's other groups are: a range or block wider than the last group
            // yields only its first address's last-group span.
            var bytes = range.First.GetAddressBytes();
            var lastBytes = range.Last.GetAddressBytes();
            ushort last = (ushort)((lastBytes[14] << 8) | lastBytes[15]);
            for (ushort i = (ushort)((bytes[14] << 8) | bytes[15]); ; i++)
            {
                bytes[14] = (byte)(i >> 8);
                bytes[15] = (byte)i;
                yield return new IPAddress(bytes);
                if (i == last)
                {
                    yield break;
                }
            }
        }
        uint from = BinaryPrimitives.ReadUInt32BigEndian(range.First.GetAddressBytes());
        uint to = BinaryPrimitives.ReadUInt32BigEndian(range.Last.GetAddressBytes());
        for (ulong a = from; a <= to; a++)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(b, (uint)a);
            yield return new IPAddress(b);
        }
    }

    private ServicePolicy Policy(VirtualServer vs)
    {
        var quorum = (int)Math.Min(vs.Quorum, int.MaxValue);
        var hysteresis = (int)Math.Min(vs.Hysteresis, int.MaxValue);
        if (quorum == 0)
        {
            // Every real server weighs 0, so keepalived lowered the quorum to 0 (always met); the
            // desired state's quorum is at least 1.
            NotMapped(Written(vs.SettingLocations, "quorum") ?? vs.Location,
                "the real servers' weights add up to 0, so keepalived's quorum is 0 and always met; the desired state keeps quorum 1 and no hysteresis");
            quorum = 1;
            hysteresis = 0;
        }
        if (vs.HaSuspend && Written(vs.SettingLocations, "ha_suspend") is { } suspend)
        {
            NotMapped(suspend, "ha_suspend: pausing the checks while the virtual address is not on this host is not part of the desired state");
        }
        return new ServicePolicy
        {
            Quorum = quorum,
            Hysteresis = hysteresis,
            QuorumUp = Hook(vs.QuorumUp),
            QuorumDown = Hook(vs.QuorumDown),
            SorryServerInhibit = vs.SorryServer?.Inhibit ?? false,
            InhibitOnFailure = vs.InhibitOnFailure,
            Alpha = vs.Alpha,
            Omega = vs.Omega,
            DelayLoop = vs.DelayLoop,
            VirtualHost = vs.VirtualHost,
        };
    }

    // check_script_secure() (lib/notify.c) looks a bare name up in keepalived's PATH, which for a
    // daemon is the standard one; a name not found stays bare, and validation then asks for a path.
    private static readonly string[] ScriptPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    internal static string Program(string command)
    {
        if (command.Length == 0 || command.Contains('/', StringComparison.Ordinal))
        {
            return command;
        }
        return ScriptPath.Select(dir => Path.Combine(dir, command)).FirstOrDefault(File.Exists) ?? command;
    }

    // notify_up "/path arg" → the program and its arguments (keepalived split and unquoted them);
    // the user is the script's own, else global_defs' script_user.
    private ProgramHook? Hook(NotifyScript? script)
    {
        if (script is null)
        {
            return null;
        }
        if (script.Group is not null)
        {
            NotMapped(script.Location, $"the group {script.Group} of {script.Command}: hooks run as a user with that user's groups");
        }
        return new ProgramHook(Program(script.Command), script.Arguments.Skip(1))
        {
            User = script.User ?? _config.Global.ScriptUser,
            Location = ToDesired(script.Location),
        };
    }
}
