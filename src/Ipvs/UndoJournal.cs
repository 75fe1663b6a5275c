using Ipvs.Model;

namespace Ipvs;

/// <summary>
/// What undoes a run of applied changes, for all-or-nothing application (ipvsadm -R --atomic,
/// ipvs restore --atomic, ipvs apply --atomic). It keeps a shadow of the table, timeouts and
/// sync daemons as they were before the first change, updated as each applied change is
/// recorded, so that every change has an exact inverse: a deleted service comes back with its
/// settings and destinations, an edit goes back to the values it replaced. Counters cannot be
/// put back, so a zeroing has no inverse.
/// </summary>
public sealed class UndoJournal
{
    private readonly List<IReadOnlyList<IpvsOperation>> _steps = [];
    private readonly Dictionary<ServiceKey, ShadowService> _services = [];
    private readonly List<ServiceKey> _order = [];
    private readonly Dictionary<SyncDaemonState, SyncDaemon> _daemons = [];
    private Timeouts _timeouts;

    /// <summary>Starts a journal from the state before any change.</summary>
    public UndoJournal(IReadOnlyList<ServiceEntry> table, Timeouts timeouts, IReadOnlyList<SyncDaemon> daemons)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(timeouts);
        ArgumentNullException.ThrowIfNull(daemons);
        foreach (var e in table)
        {
            var s = new ShadowService(e.Info.Service);
            foreach (var d in e.Destinations)
            {
                s.Add(d.Destination);
            }
            _services[e.Key] = s;
            _order.Add(e.Key);
        }
        _timeouts = timeouts;
        foreach (var d in daemons)
        {
            if (d.State != SyncDaemonState.None)
            {
                _daemons[d.State] = d;
            }
        }
    }

    /// <summary>Reads the current table, timeouts and sync daemons and starts a journal from them.</summary>
    public static async Task<UndoJournal> CaptureAsync(IIpvsClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var table = await client.GetTableAsync(cancellationToken).ConfigureAwait(false);
        var timeouts = await client.GetTimeoutsAsync(cancellationToken).ConfigureAwait(false);
        var daemons = await client.GetSyncDaemonsAsync(cancellationToken).ConfigureAwait(false);
        return new UndoJournal(table, timeouts, daemons);
    }

    /// <summary>How many applied changes have been recorded.</summary>
    public int Count => _steps.Count;

    /// <summary>
    /// Every recorded change's inverse, latest change first: running them in this order puts
    /// the state back as it was when the journal started.
    /// </summary>
    public IReadOnlyList<IpvsOperation> UndoOperations()
    {
        var inverse = new List<IpvsOperation>();
        for (int i = _steps.Count - 1; i >= 0; i--)
        {
            inverse.AddRange(_steps[i]);
        }
        return inverse;
    }

    /// <summary>
    /// Records that <paramref name="op"/> was applied and returns what undoes it (to be run in
    /// order, after the inverses of later changes).
    /// </summary>
    public IReadOnlyList<IpvsOperation> Record(IpvsOperation op)
    {
        ArgumentNullException.ThrowIfNull(op);
        var undo = new List<IpvsOperation>();
        switch (op)
        {
            case AddServiceOperation o:
                undo.Add(IpvsOperation.DeleteService(o.Service.Key));
                Put(o.Service.Key, new ShadowService(o.Service));
                break;
            case EditServiceOperation o:
                if (_services.TryGetValue(o.Service.Key, out var edited))
                {
                    undo.Add(IpvsOperation.EditService(edited.Service));
                    edited.Service = o.Service;
                }
                break;
            case DeleteServiceOperation o:
                if (_services.TryGetValue(o.Service, out var deleted))
                {
                    undo.AddRange(Recreate(deleted));
                    Remove(o.Service);
                }
                break;
            case AddDestinationOperation o:
                undo.Add(IpvsOperation.DeleteDestination(o.Service, o.Destination.Key));
                if (_services.TryGetValue(o.Service, out var addTo))
                {
                    addTo.Add(o.Destination);
                }
                break;
            case EditDestinationOperation o:
                if (_services.TryGetValue(o.Service, out var editIn) && editIn.Dests.TryGetValue(o.Destination.Key, out var before))
                {
                    undo.Add(IpvsOperation.EditDestination(o.Service, before));
                    editIn.Dests[o.Destination.Key] = o.Destination;
                }
                break;
            case DeleteDestinationOperation o:
                if (_services.TryGetValue(o.Service, out var delIn) && delIn.Dests.TryGetValue(o.Destination, out var gone))
                {
                    undo.Add(IpvsOperation.AddDestination(o.Service, gone));
                    delIn.Remove(o.Destination);
                }
                break;
            case FlushOperation:
                foreach (var key in _order)
                {
                    undo.AddRange(Recreate(_services[key]));
                }
                _services.Clear();
                _order.Clear();
                break;
            case SetTimeoutsOperation o:
                undo.Add(IpvsOperation.SetTimeouts(_timeouts));
                _timeouts = new Timeouts(
                    o.Timeouts.Tcp == TimeSpan.Zero ? _timeouts.Tcp : o.Timeouts.Tcp,
                    o.Timeouts.TcpFin == TimeSpan.Zero ? _timeouts.TcpFin : o.Timeouts.TcpFin,
                    o.Timeouts.Udp == TimeSpan.Zero ? _timeouts.Udp : o.Timeouts.Udp);
                break;
            case StartSyncDaemonOperation o:
                undo.Add(IpvsOperation.StopSyncDaemon(o.Daemon.State));
                _daemons[o.Daemon.State] = o.Daemon;
                break;
            case StopSyncDaemonOperation o:
                if (_daemons.Remove(o.State, out var stopped))
                {
                    undo.Add(IpvsOperation.StartSyncDaemon(stopped));
                }
                break;
            case ZeroOperation:
                break; // counters cannot be put back
        }
        _steps.Add(undo);
        return undo;
    }

    private static IEnumerable<IpvsOperation> Recreate(ShadowService s)
    {
        yield return IpvsOperation.AddService(s.Service);
        foreach (var key in s.Order)
        {
            yield return IpvsOperation.AddDestination(s.Service.Key, s.Dests[key]);
        }
    }

    private void Put(ServiceKey key, ShadowService s)
    {
        if (_services.TryAdd(key, s))
        {
            _order.Add(key);
        }
    }

    private void Remove(ServiceKey key)
    {
        _services.Remove(key);
        _order.Remove(key);
    }

    private sealed class ShadowService(VirtualService service)
    {
        public VirtualService Service { get; set; } = service;

        public Dictionary<DestinationKey, Destination> Dests { get; } = [];

        public List<DestinationKey> Order { get; } = [];

        public void Add(Destination d)
        {
            if (Dests.TryAdd(d.Key, d))
            {
                Order.Add(d.Key);
            }
        }

        public void Remove(DestinationKey key)
        {
            Dests.Remove(key);
            Order.Remove(key);
        }
    }
}
