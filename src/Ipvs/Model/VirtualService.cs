using System.Net.Sockets;

namespace Ipvs.Model;

/// <summary>
/// The settings of a virtual service, without statistics. Immutable: derive changed copies with
/// <c>with</c>. Defaults match ipvsadm's: wlc, not persistent, full netmask.
/// </summary>
public sealed record VirtualService
{
    private readonly Netmask? _netmask;
    private readonly string? _persistenceEngine;

    /// <summary>Creates a service with default settings.</summary>
    public VirtualService(ServiceKey key)
    {
        if (key.Family == AddressFamily.Unspecified)
        {
            throw new ArgumentException("The service key is empty; create it with ServiceKey.Parse or a factory.", nameof(key));
        }
        Key = key;
    }

    /// <summary>Creates a service from a key in text form, such as <c>tcp:10.0.0.1:80</c>.</summary>
    public VirtualService(string key, Scheduler scheduler = default)
        : this(ServiceKey.Parse(key)) => Scheduler = scheduler;

    /// <summary>What identifies the service.</summary>
    public ServiceKey Key { get; init; }

    /// <summary>The scheduler; wlc by default.</summary>
    public Scheduler Scheduler { get; init; }

    /// <summary>
    /// One-packet and scheduler flags. Persistent and Hashed are not kept here: persistence follows
    /// from <see cref="PersistenceTimeout"/>, and Hashed is the kernel's own bookkeeping.
    /// </summary>
    public ServiceFlags Flags
    {
        get;
        init => field = value & ~(ServiceFlags.Persistent | ServiceFlags.Hashed);
    }

    /// <summary>Persistence timeout in seconds; 0 means not persistent. ipvsadm -p alone gives 360.</summary>
    public uint PersistenceTimeout { get; init; }

    /// <summary>Persistence granularity; /32 (IPv4) or /128 (IPv6) by default.</summary>
    public Netmask Netmask
    {
        get => _netmask ?? Netmask.Full(Key.Family);
        init
        {
            if (value.Family != Key.Family)
            {
                throw new ArgumentException($"A {Describe(value.Family)} netmask cannot belong to the {Describe(Key.Family)} service {Key}.", nameof(Netmask));
            }
            _netmask = value == Netmask.Full(Key.Family) ? null : value;
        }
    }

    /// <summary>Persistence engine name, such as <c>sip</c>, or null.</summary>
    public string? PersistenceEngine
    {
        get => _persistenceEngine;
        init
        {
            if (!string.IsNullOrEmpty(value))
            {
                Scheduler.ValidateName(value, nameof(PersistenceEngine), "persistence engine");
            }
            _persistenceEngine = string.IsNullOrEmpty(value) ? null : value;
        }
    }

    /// <summary>True when the service has a persistence timeout.</summary>
    public bool IsPersistent => PersistenceTimeout > 0;

    private static string Describe(AddressFamily f) => f == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
}
