using System.Net.Sockets;
using Ipvs.Model;

namespace Ipvs;

/// <summary>
/// Checks operations before anything is sent, so that bad input never reaches the kernel and a
/// batch is refused whole. The kernel's own checks stay authoritative; these give clearer words.
/// </summary>
internal static class IpvsValidation
{
    public static void Validate(IpvsOperation operation, KernelCapabilities caps)
    {
        ArgumentNullException.ThrowIfNull(operation);
        switch (operation)
        {
            case AddServiceOperation op:
                Service(op.Service);
                break;
            case EditServiceOperation op:
                Service(op.Service);
                break;
            case DeleteServiceOperation op:
                Key(op.Service);
                break;
            case AddDestinationOperation op:
                Destination(op.Service, op.Destination, caps);
                break;
            case EditDestinationOperation op:
                Destination(op.Service, op.Destination, caps);
                break;
            case DeleteDestinationOperation op:
                Key(op.Service);
                if (op.Destination.Address is null)
                {
                    throw new ArgumentException("The destination key is empty.", nameof(operation));
                }
                break;
            case ZeroOperation op:
                if (op.Service is ServiceKey k)
                {
                    Key(k);
                }
                break;
            case SetTimeoutsOperation op:
                ArgumentNullException.ThrowIfNull(op.Timeouts, nameof(operation));
                Timeout(op.Timeouts.Tcp, "TCP");
                Timeout(op.Timeouts.TcpFin, "TCP FIN");
                Timeout(op.Timeouts.Udp, "UDP");
                break;
            case StartSyncDaemonOperation op:
                Daemon(op.Daemon, caps);
                break;
            case StopSyncDaemonOperation op:
                State(op.State);
                break;
        }
    }

    private static void Key(ServiceKey key)
    {
        if (key.Family == AddressFamily.Unspecified)
        {
            throw new ArgumentException("The service key is empty; create it with ServiceKey.Parse or a factory.");
        }
    }

    private static void Service(VirtualService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        Key(service.Key);
    }

    private static void Destination(ServiceKey service, Destination d, KernelCapabilities caps)
    {
        Key(service);
        ArgumentNullException.ThrowIfNull(d);
        if (d.Family != service.Family)
        {
            if (d.Forwarding != ForwardingMethod.Tunnel)
            {
                throw new ArgumentException($"Destination {d.Key} is {Name(d.Family)} but service {service} is {Name(service.Family)}: a destination of another address family needs tunnel forwarding.");
            }
            Require(caps.MixedFamilyDestinations, "a destination of another address family", KernelCapabilities.MixedFamilyVersion, caps);
        }
        if (d.UpperThreshold > int.MaxValue || d.LowerThreshold > int.MaxValue)
        {
            throw new ArgumentException($"Destination {d.Key}: thresholds are 0 to {int.MaxValue}.");
        }
        if (d.LowerThreshold > d.UpperThreshold)
        {
            // NB: the kernel refuses this with ERANGE even when the upper threshold is 0 ("no limit").
            throw new ArgumentException($"Destination {d.Key}: the lower threshold {d.LowerThreshold} is above the upper threshold {d.UpperThreshold}.");
        }
        if (!Enum.IsDefined(d.TunnelType))
        {
            throw new ArgumentException($"Destination {d.Key}: unknown tunnel type {(byte)d.TunnelType}.");
        }
        if ((d.TunnelFlags & ~(TunnelFlags.Checksum | TunnelFlags.RemoteChecksum)) != 0)
        {
            throw new ArgumentException($"Destination {d.Key}: unknown tunnel flags {(ushort)d.TunnelFlags}.");
        }
        if (d.TunnelType == TunnelType.Gue && d.TunnelPort == 0)
        {
            throw new ArgumentException($"Destination {d.Key}: a GUE tunnel needs a tunnel port.");
        }
        if (d.TunnelType != TunnelType.IpIp || d.TunnelPort != 0)
        {
            Require(caps.TunnelTypes, "a tunnel type or port", KernelCapabilities.TunnelTypeVersion, caps);
        }
        if (d.TunnelType == TunnelType.Gre || d.TunnelFlags != TunnelFlags.NoChecksum)
        {
            Require(caps.TunnelFlags, "a GRE tunnel or tunnel checksum flags", KernelCapabilities.TunnelFlagsVersion, caps);
        }
    }

    private static void Timeout(TimeSpan t, string what)
    {
        if (t < TimeSpan.Zero || t.TotalSeconds > int.MaxValue || t.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(t), t, $"The {what} timeout must be a whole number of seconds from 0 to {int.MaxValue}.");
        }
    }

    private static void State(SyncDaemonState state)
    {
        if (state is not (SyncDaemonState.Master or SyncDaemonState.Backup))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "A sync daemon is either Master or Backup.");
        }
    }

    private static void Daemon(SyncDaemon d, KernelCapabilities caps)
    {
        ArgumentNullException.ThrowIfNull(d);
        State(d.State);
        if (string.IsNullOrEmpty(d.Interface) || d.Interface.Length > 15)
        {
            throw new ArgumentException($"The sync interface name '{d.Interface}' must have 1 to 15 characters.");
        }
        if (d.MulticastGroup is { } g && !(g.AddressFamily == AddressFamily.InterNetworkV6 ? g.IsIPv6Multicast : (g.GetAddressBytes()[0] & 0xF0) == 0xE0))
        {
            throw new ArgumentException($"The sync group {g} is not a multicast address.");
        }
        if (d.MulticastGroup is not null || d.MulticastPort != 0 || d.MulticastTtl != 0 || d.MaxLength != 0)
        {
            Require(caps.SyncMulticastSettings, "sync daemon multicast settings", KernelCapabilities.SyncMulticastVersion, caps);
        }
    }

    private static void Require(bool supported, string feature, Version version, KernelCapabilities caps)
    {
        if (!supported)
        {
            throw new IpvsNotSupportedException(feature, version, caps.KernelVersion);
        }
    }

    private static string Name(AddressFamily f) => f == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
}
