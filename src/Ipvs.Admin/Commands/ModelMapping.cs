using System.Net.Sockets;
using Ipvs.Admin.Native;
using Ipvs.Admin.Options;
using Ipvs.Model;

namespace Ipvs.Admin.Commands;

/// <summary>
/// Why a command cannot be expressed in the library's model although ipvsadm would send it,
/// so that the kernel's answer to it has to be worked out here.
/// </summary>
internal enum Emulated
{
    None,

    /// <summary>A scheduler or persistence-engine name the model refuses (spaces, non-ASCII, 16 characters): the kernel answers ENOENT.</summary>
    UnknownName,

    /// <summary>A lower threshold above the upper one: the kernel answers ERANGE.</summary>
    ThresholdRange,
}

/// <summary>A change command turned into a library operation.</summary>
/// <param name="Operation">The operation, or null when <paramref name="Emulated"/> says why not.</param>
/// <param name="Emulated">Why the library cannot send it.</param>
/// <param name="Key">The service the command is about, when it has one.</param>
/// <param name="MixedFamily">A real server of another family than its service.</param>
internal sealed record BuiltOperation(IpvsOperation? Operation, Emulated Emulated, ServiceKey? Key, bool MixedFamily);

/// <summary>From ipvsadm's structures to the library's model.</summary>
internal static class ModelMapping
{
    public static ServiceKey Key(ServiceSpec s)
    {
        if (s.Fwmark != 0)
        {
            return ServiceKey.ForFirewallMark(s.Fwmark, s.Af == Ip.AF_INET6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
        }
        return ServiceKey.Create((IpvsProtocol)s.Protocol, Address(s.Af, s.Addr), s.Port);
    }

    public static IPAddress Address(ushort af, byte[] addr) =>
        new(af == Ip.AF_INET6 ? addr.AsSpan(0, 16) : addr.AsSpan(0, 4));

    /// <summary>The service as ipvsadm sends it, or null if the model refuses a name in it.</summary>
    public static VirtualService? Service(ServiceSpec s)
    {
        var key = Key(s);
        try
        {
            return new VirtualService(key)
            {
                Scheduler = new Scheduler(Bytes.ToUtf8(s.SchedName)),
                Flags = (ServiceFlags)s.Flags,
                PersistenceTimeout = s.Timeout,
                Netmask = s.Af == Ip.AF_INET6
                    ? Netmask.FromPrefixLength((int)s.Netmask, AddressFamily.InterNetworkV6)
                    : Netmask.FromIPv4Value(s.Netmask),
                PersistenceEngine = s.PeName.Length == 0 ? null : Bytes.ToUtf8(s.PeName),
            };
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public static DestinationKey DestKey(DestSpec d) => new(Address(d.Af, d.Addr), d.Port);

    public static Destination Dest(DestSpec d) => new(DestKey(d))
    {
        Forwarding = (ForwardingMethod)(d.ConnFlags & Ip.ConnFwdMask),
        Weight = d.Weight,
        UpperThreshold = (uint)d.UThreshold,
        LowerThreshold = (uint)d.LThreshold,
        TunnelType = (TunnelType)d.TunType,
        TunnelPort = d.TunPort,
        TunnelFlags = (TunnelFlags)d.TunFlags,
    };

    public static SyncDaemon Daemon(DaemonSpec d) => new((SyncDaemonState)d.State, Bytes.ToUtf8(d.McastIfn))
    {
        SyncId = (uint)d.SyncId,
        MaxLength = d.SyncMaxlen,
        MulticastGroup = d.McastAf switch
        {
            Ip.AF_INET => new IPAddress(d.McastGroup.AsSpan(0, 4)),
            Ip.AF_INET6 => new IPAddress(d.McastGroup.AsSpan(0, 16)),
            _ => null,
        },
        MulticastPort = d.McastPort,
        MulticastTtl = d.McastTtl,
    };

    /// <summary>
    /// The operation a validated change command sends. -Z of the all-zero service zeroes
    /// everything, as libipvs then sends no service at all.
    /// </summary>
    public static BuiltOperation Build(CommandEntry ce)
    {
        var s = ce.Service;
        switch (ce.Command)
        {
            case Command.Add:
            case Command.Edit:
            {
                var svc = Service(s);
                if (svc is null)
                {
                    return new BuiltOperation(null, Emulated.UnknownName, Key(s), false);
                }
                return new BuiltOperation(ce.Command == Command.Add ? IpvsOperation.AddService(svc) : IpvsOperation.EditService(svc), Emulated.None, svc.Key, false);
            }
            case Command.Delete:
                return new BuiltOperation(IpvsOperation.DeleteService(Key(s)), Emulated.None, Key(s), false);
            case Command.AddDest:
            case Command.EditDest:
            {
                var key = Key(s);
                bool mixed = ce.Dest.Af != s.Af;
                if (ce.Dest.LThreshold > ce.Dest.UThreshold)
                {
                    return new BuiltOperation(null, Emulated.ThresholdRange, key, mixed);
                }
                var d = Dest(ce.Dest);
                return new BuiltOperation(ce.Command == Command.AddDest ? IpvsOperation.AddDestination(key, d) : IpvsOperation.EditDestination(key, d), Emulated.None, key, mixed);
            }
            case Command.DeleteDest:
                return new BuiltOperation(IpvsOperation.DeleteDestination(Key(s), DestKey(ce.Dest)), Emulated.None, Key(s), false);
            case Command.Flush:
                return new BuiltOperation(IpvsOperation.Flush(), Emulated.None, null, false);
            case Command.Zero:
                if (s.Fwmark == 0 && s.Port == 0 && s.Addr.All(b => b == 0))
                {
                    return new BuiltOperation(IpvsOperation.Zero(), Emulated.None, null, false);
                }
                return new BuiltOperation(IpvsOperation.Zero(Key(s)), Emulated.None, Key(s), false);
            case Command.Timeout:
                return new BuiltOperation(IpvsOperation.SetTimeouts(Timeouts.FromSeconds(ce.Timeouts[0], ce.Timeouts[1], ce.Timeouts[2])), Emulated.None, null, false);
            case Command.StartDaemon:
                return new BuiltOperation(IpvsOperation.StartSyncDaemon(Daemon(ce.Daemon)), Emulated.None, null, false);
            case Command.StopDaemon:
                return new BuiltOperation(IpvsOperation.StopSyncDaemon((SyncDaemonState)ce.Daemon.State), Emulated.None, null, false);
            default:
                throw new InvalidOperationException($"{ce.Command} is not a change");
        }
    }
}
