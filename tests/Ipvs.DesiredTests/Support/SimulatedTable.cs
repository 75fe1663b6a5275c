namespace Ipvs.DesiredTests.Support;

/// <summary>
/// A test simulator of the kernel's IPVS table: applies operations with the kernel's errnos (EEXIST,
/// ESRCH, ENOENT for an unknown scheduler or destination) and stores what it is given, as the kernel
/// does, tunnel settings of non-tunnel destinations included. Not the proof: the kernel tests are.
/// </summary>
internal sealed class SimulatedTable
{
    private readonly List<(VirtualService Service, List<Destination> Destinations)> _services = [];

    public SimulatedTable(IEnumerable<ServiceEntry>? entries = null)
    {
        foreach (var e in entries ?? [])
        {
            _services.Add((e.Info.Service, [.. e.Destinations.Select(d => d.Destination)]));
        }
    }

    /// <summary>Scheduler names the simulated kernel knows.</summary>
    public HashSet<string> Schedulers { get; } = [.. Scheduler.BuiltIn];

    public Timeouts Timeouts { get; private set; } = Timeouts.FromSeconds(900, 120, 300);

    /// <summary>The table as GetTableAsync returns it: kernel order is insertion order here.</summary>
    public IReadOnlyList<ServiceEntry> Entries =>
    [
        .. _services.Select(s => new ServiceEntry(
            new VirtualServiceInfo(s.Service, default),
            [.. s.Destinations.Select(d => new DestinationInfo(d, 0, 0, 0, default))])),
    ];

    /// <summary>Applies one operation; returns 0 or the errno the kernel would give.</summary>
    public int Apply(IpvsOperation op)
    {
        switch (op)
        {
            case AddServiceOperation o:
                if (Find(o.Service.Key) >= 0)
                {
                    return Errno.EEXIST;
                }
                if (!Known(o.Service))
                {
                    return Errno.ENOENT;
                }
                _services.Add((o.Service, []));
                return 0;
            case EditServiceOperation o:
                {
                    int i = Find(o.Service.Key);
                    if (i < 0)
                    {
                        return Errno.ESRCH;
                    }
                    if (!Known(o.Service))
                    {
                        return Errno.ENOENT;
                    }
                    _services[i] = (o.Service, _services[i].Destinations);
                    return 0;
                }
            case DeleteServiceOperation o:
                {
                    int i = Find(o.Service);
                    if (i < 0)
                    {
                        return Errno.ESRCH;
                    }
                    _services.RemoveAt(i);
                    return 0;
                }
            case AddDestinationOperation o:
                {
                    int i = Find(o.Service);
                    if (i < 0)
                    {
                        return Errno.ESRCH;
                    }
                    var dests = _services[i].Destinations;
                    if (dests.Any(d => d.Key == o.Destination.Key))
                    {
                        return Errno.EEXIST;
                    }
                    dests.Add(o.Destination);
                    return 0;
                }
            case EditDestinationOperation o:
                {
                    int i = Find(o.Service);
                    if (i < 0)
                    {
                        return Errno.ESRCH;
                    }
                    var dests = _services[i].Destinations;
                    int j = dests.FindIndex(d => d.Key == o.Destination.Key);
                    if (j < 0)
                    {
                        return Errno.ENOENT;
                    }
                    dests[j] = o.Destination;
                    return 0;
                }
            case DeleteDestinationOperation o:
                {
                    int i = Find(o.Service);
                    if (i < 0)
                    {
                        return Errno.ESRCH;
                    }
                    return _services[i].Destinations.RemoveAll(d => d.Key == o.Destination) == 0 ? Errno.ENOENT : 0;
                }
            case SetTimeoutsOperation o:
                // Zero keeps a value, as in the kernel.
                Timeouts = new Timeouts(
                    o.Timeouts.Tcp == TimeSpan.Zero ? Timeouts.Tcp : o.Timeouts.Tcp,
                    o.Timeouts.TcpFin == TimeSpan.Zero ? Timeouts.TcpFin : o.Timeouts.TcpFin,
                    o.Timeouts.Udp == TimeSpan.Zero ? Timeouts.Udp : o.Timeouts.Udp);
                return 0;
            default:
                throw new NotSupportedException($"The simulator does not do {op.Command}.");
        }
    }

    private bool Known(VirtualService s) =>
        Schedulers.Contains(s.Scheduler.Name) && (s.PersistenceEngine is null || s.PersistenceEngine == "sip");

    private int Find(ServiceKey key) => _services.FindIndex(s => s.Service.Key == key);
}
