using System.Net.Sockets;

namespace Ipvs.Model;

/// <summary>
/// A real server of a virtual service, without counters. Immutable. Defaults: masquerading (NAT),
/// weight 1, no thresholds, IP-in-IP when tunnelling.
/// </summary>
public sealed record Destination
{
    private readonly int _weight = 1;

    /// <summary>Creates a destination with default settings.</summary>
    public Destination(DestinationKey key)
    {
        if (key.Address is null)
        {
            throw new ArgumentException("The destination key is empty.", nameof(key));
        }
        Key = key;
    }

    /// <summary>Creates a destination from an address and port.</summary>
    public Destination(IPAddress address, ushort port)
        : this(new DestinationKey(address, port))
    {
    }

    /// <summary>Creates a destination from <c>ADDRESS:PORT</c>.</summary>
    public Destination(string endpoint, int weight = 1, ForwardingMethod forwarding = ForwardingMethod.Masquerade)
        : this(DestinationKey.Parse(endpoint))
    {
        Weight = weight;
        Forwarding = forwarding;
    }

    /// <summary>Address and port.</summary>
    public DestinationKey Key { get; init; }

    /// <summary>The address.</summary>
    public IPAddress Address => Key.Address;

    /// <summary>The port.</summary>
    public ushort Port => Key.Port;

    /// <summary>The family of the destination's address.</summary>
    public AddressFamily Family => Key.Address.AddressFamily;

    /// <summary>How packets reach it.</summary>
    public ForwardingMethod Forwarding
    {
        get;
        init
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(Forwarding), value, "Unknown forwarding method.");
            }
            field = value;
        }
    }

    /// <summary>Weight, 0 to 2147483647; 0 takes no new connections (quiesced).</summary>
    public int Weight
    {
        get => _weight;
        init
        {
            if (value < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(Weight), value, $"Weight {value} is negative; weights are 0 to {int.MaxValue}.");
            }
            _weight = value;
        }
    }

    /// <summary>Upper connection threshold; 0 means none.</summary>
    public uint UpperThreshold { get; init; }

    /// <summary>Lower connection threshold; 0 means none.</summary>
    public uint LowerThreshold { get; init; }

    /// <summary>Tunnel encapsulation, when <see cref="Forwarding"/> is Tunnel.</summary>
    public TunnelType TunnelType { get; init; }

    /// <summary>Tunnel destination port (GUE).</summary>
    public ushort TunnelPort { get; init; }

    /// <summary>Tunnel checksum options (GUE and GRE).</summary>
    public TunnelFlags TunnelFlags { get; init; }
}
