namespace Ipvs.Scripting;

/// <summary>
/// A live destination (real server) of a <see cref="Service"/> (mruby-ipvs's <c>IPVS::Dest</c>):
/// <c>var d1 = new Dest("192.168.0.1:80", weight: 1); s.AddDest(d1); d1.Weight = 3;</c>. Once
/// added, its setters change the kernel at once and its connection counts are read from it.
/// Two Dests are equal when their address and port are, so <c>s.Dests.Contains(d1)</c> asks the kernel.
/// </summary>
public sealed class Dest : IEquatable<Dest>
{
    private Destination _settings;

    /// <summary>A destination, not yet added; <paramref name="port"/> wins over the address's port.</summary>
    /// <param name="address"><c>192.168.0.1:80</c>, <c>192.168.0.1</c> or <c>[2001:db8::2]:80</c>.</param>
    /// <param name="port">The port, if not in the address.</param>
    /// <param name="weight">Weight; 1 by default.</param>
    /// <param name="forwarding">Masquerade (NAT, the default), DirectRoute or Tunnel; the globals <c>Nat</c>, <c>Dr</c>, <c>Tun</c>.</param>
    public Dest(string address, int? port = null, int weight = 1, ForwardingMethod forwarding = ForwardingMethod.Masquerade)
    {
        ArgumentNullException.ThrowIfNull(address);
        var key = DestinationKey.Parse(address);
        if (port is not null)
        {
            if (port is < 0 or > ushort.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(port), port, $"Port {port} is out of range; ports are 0 to 65535.");
            }
            key = new DestinationKey(key.Address, (ushort)port.Value);
        }
        _settings = new Destination(key) { Weight = weight, Forwarding = forwarding };
    }

    internal Dest(Destination settings) => _settings = settings;

    /// <summary>Address and port.</summary>
    public DestinationKey Key => _settings.Key;

    /// <summary>The address, as text.</summary>
    public string Addr => Key.Address.ToString();

    /// <summary>The port.</summary>
    public int Port => Key.Port;

    /// <summary>All settings, as this object knows them.</summary>
    public Destination Settings => _settings;

    /// <summary>The service it was added to, or null.</summary>
    public Service? Service { get; private set; }

    /// <summary>True while it is added to a service.</summary>
    public bool IsAdded => Service is not null;

    /// <summary>Weight; setting it on an added destination changes the kernel at once.</summary>
    public int Weight
    {
        get => _settings.Weight;
        set => Change("Dest.Weight = …", d => d with { Weight = value });
    }

    /// <summary>Forwarding method; setting it on an added destination changes the kernel at once.</summary>
    public ForwardingMethod Forwarding
    {
        get => _settings.Forwarding;
        set => Change("Dest.Forwarding = …", d => d with { Forwarding = value });
    }

    /// <summary>Upper connection threshold (0: none); setting it on an added destination changes the kernel at once.</summary>
    public int UpperThreshold
    {
        get => (int)Math.Min(_settings.UpperThreshold, int.MaxValue);
        set
        {
            var threshold = Threshold(value);
            Change("Dest.UpperThreshold = …", d => d with { UpperThreshold = threshold });
        }
    }

    /// <summary>Lower connection threshold (0: none); setting it on an added destination changes the kernel at once.</summary>
    public int LowerThreshold
    {
        get => (int)Math.Min(_settings.LowerThreshold, int.MaxValue);
        set
        {
            var threshold = Threshold(value);
            Change("Dest.LowerThreshold = …", d => d with { LowerThreshold = threshold });
        }
    }

    /// <summary>Active connections (activeconns), read now.</summary>
    public uint ActiveConns => Read("Dest.ActiveConns").ActiveConnections;

    /// <summary>Inactive connections (inactconns), read now.</summary>
    public uint InactConns => Read("Dest.InactConns").InactiveConnections;

    /// <summary>Persistence templates pointing here, read now.</summary>
    public uint PersistConns => Read("Dest.PersistConns").PersistentConnections;

    /// <summary>Counters and rates, read now.</summary>
    public IpvsStats Stats => Read("Dest.Stats").Stats;

    /// <summary>True when the address and port are the same.</summary>
    public bool Equals(Dest? other) => other is not null && Key == other.Key;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Dest d && Equals(d);

    /// <inheritdoc />
    public override int GetHashCode() => Key.GetHashCode();

    /// <summary><c>ADDRESS:PORT</c>.</summary>
    public override string ToString() => Key.ToString();

    internal void Attach(Service service) => Service = service;

    private static uint Threshold(int value) => value >= 0
        ? (uint)value
        : throw new ArgumentOutOfRangeException(nameof(value), value, $"The threshold {value} is negative; 0 means none.");

    internal void Detach() => Service = null;

    internal void Refresh(Destination settings) => _settings = settings;

    // A partial edit: what the script did not set stays as the kernel has it. The change is tried
    // on the local copy first, so a bad value fails before anything is sent.
    private void Change(string call, Func<Destination, Destination> change)
    {
        var local = change(_settings);
        _settings = Service is { } s ? LiveCalls.Call(call, changes: true, (c, ct) => c.EditDestinationAsync(s.Key, Key, change, ct)) : local;
    }

    private DestinationInfo Read(string call)
    {
        var infos = LiveCalls.Call(call, changes: false, (c, ct) =>
        {
            var service = Service ?? throw new InvalidOperationException($"{this} is not added to a service: add it with AddDest first.");
            return c.GetDestinationsAsync(service.Key, ct);
        });
        return infos.FirstOrDefault(i => i.Key == Key)
            ?? throw new InvalidOperationException($"{this} is no longer in {Service}: something else deleted it.");
    }
}
