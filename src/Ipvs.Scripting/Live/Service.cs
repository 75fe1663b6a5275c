namespace Ipvs.Scripting;

/// <summary>
/// A live virtual service (the thesis's Fig. 13, mruby-ipvs's <c>IPVS::Service</c>):
/// <c>var s = new Service("10.0.0.1:80", scheduler: "wrr").Add();</c>. Once added, setting
/// <see cref="Scheduler"/> or <see cref="Persistence"/> changes the kernel at once, and
/// <see cref="Dests"/> and <see cref="Stats"/> read it. For <c>ipvs script</c> only: evaluated as
/// configuration, a call that would reach the kernel is an error at its line.
/// </summary>
public sealed class Service
{
    private readonly List<Dest> _attached = [];
    private VirtualService _settings;

    /// <summary>
    /// A service, not yet added. The address is <c>10.0.0.1:80</c>, <c>10.0.0.1</c>,
    /// <c>[2001:db8::1]:80</c>, <c>udp:…</c> or <c>fwmark:1</c>; <paramref name="port"/> wins over
    /// the address's port, as in mruby-ipvs.
    /// </summary>
    /// <param name="address">The virtual address.</param>
    /// <param name="port">The port, if not in the address.</param>
    /// <param name="protocol"><c>Tcp</c> (the default), <c>Udp</c> or <c>Sctp</c>.</param>
    /// <param name="scheduler">The scheduler; wlc by default.</param>
    /// <param name="persistence">Persistence timeout in seconds; 0 (the default) is none.</param>
    public Service(string address, int? port = null, IpvsProtocol? protocol = null, string scheduler = "wlc", int persistence = 0)
    {
        ArgumentNullException.ThrowIfNull(address);
        var key = ServiceKey.Parse(address);
        if (!key.IsFirewallMark && (port is not null || protocol is not null))
        {
            if (port is < 0 or > ushort.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(port), port, $"Port {port} is out of range; ports are 0 to 65535.");
            }
            key = ServiceKey.Create(protocol ?? key.Protocol, key.Address!, (ushort)(port ?? key.Port));
        }
        _settings = new VirtualService(key) { Scheduler = new Scheduler(scheduler), PersistenceTimeout = Seconds(persistence) };
    }

    /// <summary>What identifies the service.</summary>
    public ServiceKey Key => _settings.Key;

    /// <summary>The virtual address (empty for a firewall-mark service).</summary>
    public string Addr => Key.Address?.ToString() ?? "";

    /// <summary>The virtual port.</summary>
    public int Port => Key.Port;

    /// <summary>The protocol.</summary>
    public IpvsProtocol Protocol => Key.Protocol;

    /// <summary>The firewall mark, or 0.</summary>
    public uint FwMark => Key.FirewallMark;

    /// <summary>All settings, as this object knows them.</summary>
    public VirtualService Settings => _settings;

    /// <summary>True once <see cref="Add"/> has added it (and <see cref="Remove"/> has not removed it).</summary>
    public bool IsAdded { get; private set; }

    /// <summary>The scheduler; setting it on an added service changes the kernel at once.</summary>
    public string Scheduler
    {
        get => _settings.Scheduler.Name;
        set
        {
            var scheduler = new Scheduler(value);
            Change("Service.Scheduler = …", s => s with { Scheduler = scheduler });
        }
    }

    /// <summary>Persistence timeout in seconds (0: none); setting it on an added service changes the kernel at once.</summary>
    public int Persistence
    {
        get => (int)Math.Min(_settings.PersistenceTimeout, int.MaxValue);
        set
        {
            var seconds = Seconds(value);
            Change("Service.Persistence = …", s => s with { PersistenceTimeout = seconds });
        }
    }

    /// <summary>Adds the service to the kernel (add_service); an existing one is an error.</summary>
    /// <returns>This service, so that <c>new Service(…).Add()</c> reads as one statement.</returns>
    public Service Add()
    {
        LiveCalls.Call("Service.Add()", (c, ct) => c.AddServiceAsync(_settings, ct));
        IsAdded = true;
        return this;
    }

    /// <summary>Deletes the service and its destinations from the kernel (del_service).</summary>
    public void Remove()
    {
        LiveCalls.Call("Service.Remove()", (c, ct) => c.DeleteServiceAsync(Key, ct));
        IsAdded = false;
        foreach (var d in _attached)
        {
            d.Detach();
        }
        _attached.Clear();
    }

    /// <summary>Adds a destination to the kernel (add_dest); from then on its setters change the kernel at once.</summary>
    /// <returns>The destination.</returns>
    public Dest AddDest(Dest dest)
    {
        ArgumentNullException.ThrowIfNull(dest);
        var client = ScriptContext.Kernel("Service.AddDest()", changes: true);
        RequireAdded("AddDest");
        if (dest.Service is { } other && !ReferenceEquals(other, this))
        {
            throw new InvalidOperationException($"{dest} belongs to {other}; make another Dest to add the same server to {this}.");
        }
        client.AddDestinationAsync(Key, dest.Settings, ScriptContext.Token).GetAwaiter().GetResult();
        dest.Attach(this);
        if (!_attached.Contains(dest))
        {
            _attached.Add(dest);
        }
        return dest;
    }

    /// <summary>Deletes a destination (del_dest), by address and port.</summary>
    public void DelDest(Dest dest)
    {
        ArgumentNullException.ThrowIfNull(dest);
        var client = ScriptContext.Kernel("Service.DelDest()", changes: true);
        RequireAdded("DelDest");
        client.DeleteDestinationAsync(Key, dest.Key, ScriptContext.Token).GetAwaiter().GetResult();
        foreach (var d in _attached.Where(d => d.Key == dest.Key).ToList())
        {
            d.Detach();
            _attached.Remove(d);
        }
        dest.Detach();
    }

    /// <summary>
    /// The destinations in the kernel now (dests), in kernel order. A destination this script added
    /// comes back as the same object, its settings refreshed; compare others by address and port
    /// (<c>s.Dests.Contains(web1)</c>). Empty when none is left.
    /// </summary>
    public IReadOnlyList<Dest> Dests
    {
        get
        {
            var infos = LiveCalls.Call("Service.Dests", changes: false, (c, ct) => c.GetDestinationsAsync(Key, ct));
            var list = new List<Dest>(infos.Count);
            foreach (var info in infos)
            {
                var known = _attached.Find(d => d.Key == info.Key);
                if (known is null)
                {
                    known = new Dest(info.Destination);
                    known.Attach(this);
                    _attached.Add(known);
                }
                else
                {
                    known.Refresh(info.Destination);
                }
                list.Add(known);
            }
            // Gone from the kernel (deleted by someone else): no longer attached.
            foreach (var gone in _attached.Where(d => !infos.Any(i => i.Key == d.Key)).ToList())
            {
                gone.Detach();
                _attached.Remove(gone);
            }
            return list;
        }
    }

    /// <summary>The service's counters and rates, read now.</summary>
    public IpvsStats Stats => LiveCalls.Call("Service.Stats", changes: false, (c, ct) => c.GetServiceAsync(Key, ct)).Stats;

    /// <summary>The key, such as <c>tcp:10.0.0.1:80</c>.</summary>
    public override string ToString() => Key.ToString();

    // A partial edit: what the script did not set stays as the kernel has it.
    private void Change(string call, Func<VirtualService, VirtualService> change)
    {
        var local = change(_settings);
        _settings = IsAdded ? LiveCalls.Call(call, changes: true, (c, ct) => c.EditServiceAsync(Key, change, ct)) : local;
    }

    private static uint Seconds(int persistence) => persistence >= 0
        ? (uint)persistence
        : throw new ArgumentOutOfRangeException(nameof(persistence), persistence, $"The persistence timeout {persistence} is negative; 0 means not persistent.");

    private void RequireAdded(string method)
    {
        if (!IsAdded)
        {
            throw new InvalidOperationException($"{this} is not added: call Add() before {method}().");
        }
    }
}
