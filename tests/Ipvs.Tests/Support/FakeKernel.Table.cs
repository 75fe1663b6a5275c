namespace Ipvs.Tests.Support;

// The IPVS table and the errno rules of ip_vs_ctl.c (Linux 6.1).
internal sealed partial class FakeKernel
{
    private int Apply(SentMessage m, IpvsCommand cmd)
    {
        var id = ParseTop(m, out var svcNest, out var destNest, out var daemonNest);
        switch (cmd)
        {
            case IpvsCommand.Flush:
                _services.Clear();
                return 0;
            case IpvsCommand.Zero when svcNest is null:
                return 0;
            case IpvsCommand.SetConfig:
                return SetTimeouts(m);
            case IpvsCommand.NewDaemon:
                return NewDaemon(daemonNest);
            case IpvsCommand.DelDaemon:
                return DelDaemon(daemonNest);
        }
        if (id is null)
        {
            return Errno.EINVAL;
        }
        var svc = _services.FirstOrDefault(s => s.Matches(id));
        if (cmd != IpvsCommand.NewService && svc is null)
        {
            return Errno.ESRCH;
        }
        switch (cmd)
        {
            case IpvsCommand.NewService:
            case IpvsCommand.SetService:
                {
                    var settings = ServiceSettings.Parse(svcNest!);
                    if (settings is null)
                    {
                        return Errno.EINVAL;
                    }
                    if (cmd == IpvsCommand.NewService && svc is not null)
                    {
                        return Errno.EEXIST;
                    }
                    if (!KnownSchedulers.Contains(settings.Scheduler))
                    {
                        return Errno.ENOENT;
                    }
                    if (id.Af == IpvsWire.AF_INET6 && BinaryPrimitives.ReadUInt32LittleEndian(settings.Netmask) is < 1 or > 128)
                    {
                        return Errno.EINVAL;
                    }
                    if (svc is null)
                    {
                        svc = new FakeService(id);
                        _services.Add(svc);
                    }
                    svc.Settings = settings with { Flags = (svc.Settings?.Flags ?? 0) & ~settings.Mask | (settings.Flags & settings.Mask) };
                    return 0;
                }
            case IpvsCommand.DelService:
                _services.Remove(svc!);
                return 0;
            case IpvsCommand.Zero:
                return 0;
            case IpvsCommand.NewDest:
            case IpvsCommand.SetDest:
            case IpvsCommand.DelDest:
                return ApplyDest(cmd, svc!, destNest);
            default:
                return Errno.EOPNOTSUPP;
        }
    }

    private static int ApplyDest(IpvsCommand cmd, FakeService svc, byte[]? nest)
    {
        bool full = cmd != IpvsCommand.DelDest;
        var d = nest is null ? null : FakeDest.Parse(nest, full);
        if (d is null)
        {
            return Errno.EINVAL;
        }
        if (d.Af == 0)
        {
            d = d with { Af = svc.Id.Af };
        }
        if (d.Af is not (IpvsWire.AF_INET or IpvsWire.AF_INET6))
        {
            return Errno.EAFNOSUPPORT;
        }
        if (d.Af != svc.Id.Af && full && d.Forwarding != (uint)ForwardingMethod.Tunnel)
        {
            return Errno.EINVAL;
        }
        if (full)
        {
            if ((int)d.Weight < 0 || d.Lower > d.Upper)
            {
                return Errno.ERANGE;
            }
            if (d.TunnelType == (byte)TunnelType.Gue && d.TunnelPort == 0)
            {
                return Errno.EINVAL;
            }
        }
        int i = svc.Destinations.FindIndex(x => x.SameKey(d));
        switch (cmd)
        {
            case IpvsCommand.NewDest:
                if (i >= 0)
                {
                    return Errno.EEXIST;
                }
                svc.Destinations.Add(d);
                return 0;
            case IpvsCommand.SetDest:
                if (i < 0)
                {
                    return Errno.ENOENT;
                }
                svc.Destinations[i] = d;
                return 0;
            default:
                if (i < 0)
                {
                    return Errno.ENOENT;
                }
                svc.Destinations.RemoveAt(i);
                return 0;
        }
    }

    private int SetTimeouts(SentMessage m)
    {
        uint? tcp = null, fin = null, udp = null;
        var a = new AttributeReader(m.Attributes);
        while (a.MoveNext())
        {
            switch (a.Type)
            {
                case IpvsWire.CmdAttrTimeoutTcp: tcp = a.GetU32(); break;
                case IpvsWire.CmdAttrTimeoutTcpFin: fin = a.GetU32(); break;
                case IpvsWire.CmdAttrTimeoutUdp: udp = a.GetU32(); break;
            }
        }
        if (tcp > int.MaxValue || fin > int.MaxValue || udp > int.MaxValue)
        {
            return Errno.EINVAL;
        }
        // 0 (or absent) means unchanged.
        _tcp = tcp is > 0 ? tcp.Value : _tcp;
        _tcpFin = fin is > 0 ? fin.Value : _tcpFin;
        _udp = udp is > 0 ? udp.Value : _udp;
        return 0;
    }

    private int NewDaemon(byte[]? nest)
    {
        var d = nest is null ? null : FakeDaemon.Parse(nest);
        if (d is null)
        {
            return Errno.EINVAL;
        }
        if (d.State is not (1 or 2))
        {
            return Errno.EINVAL;
        }
        if (_daemons[d.State] is not null)
        {
            return Errno.EEXIST;
        }
        _daemons[d.State] = d;
        return 0;
    }

    private int DelDaemon(byte[]? nest)
    {
        uint? state = null;
        if (nest is not null)
        {
            var a = new AttributeReader(nest);
            while (a.MoveNext())
            {
                if (a.Type == IpvsWire.DaemonState)
                {
                    state = a.GetU32();
                }
            }
        }
        if (state is not (1 or 2))
        {
            return Errno.EINVAL;
        }
        if (_daemons[state.Value] is null)
        {
            return Errno.ESRCH;
        }
        _daemons[state.Value] = null;
        return 0;
    }

    // Top-level attributes; returns the service identity when a valid one is present.
    private static Identity? ParseTop(SentMessage m, out byte[]? service, out byte[]? dest, out byte[]? daemon)
    {
        service = dest = daemon = null;
        var a = new AttributeReader(m.Attributes);
        while (a.MoveNext())
        {
            switch (a.Type)
            {
                case IpvsWire.CmdAttrService: service = a.Value.ToArray(); break;
                case IpvsWire.CmdAttrDest: dest = a.Value.ToArray(); break;
                case IpvsWire.CmdAttrDaemon: daemon = a.Value.ToArray(); break;
            }
        }
        return service is null ? null : Identity.Parse(service);
    }

    private static string Endpoints(FakeDest d)
    {
        var ip = new IPAddress(d.Af == IpvsWire.AF_INET6 ? d.Addr : d.Addr[..4]);
        return ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip}]:{d.Port}" : $"{ip}:{d.Port}";
    }
}
