using Ipvs.Keepalived.Syntax;

namespace Ipvs.Keepalived.Parsing;

// real_server (rs_handler(), alloc_rs(), rs_end_handler() and the rs_* handlers of check_parser.c).
internal sealed partial class ParseSession
{
    public void RealServerOpen(Line line)
    {
        if (CurrentVs is not { } vs)
        {
            SkipBlock();
            return;
        }
        if (!Server(line, 1, "real server", out var address, out var port))
        {
            SkipBlock();
            return;
        }
        vs.RealServers.Add(new RealServerBuilder(address, port, line.Location, line) { InheritedMethod = vs.Method });
    }

    // rs_end_handler(): a real server that is not tunnelled must have the virtual server's family.
    public void RealServerClose()
    {
        if (CurrentVs is not { } vs || CurrentRs is not { } rs)
        {
            return;
        }
        if (rs.OwnOrInheritedMethod?.Method == ForwardingMethod.Tunnel)
        {
            return;
        }
        var family = rs.Address.AddressFamily;
        if (vs.Family is null)
        {
            vs.Family = family;
        }
        else if (vs.Family != family)
        {
            _d.Deviation(DiagnosticCodes.FamilyMismatch, rs.Location,
                $"{rs.Describe()} is {Values.Family(family)} but {vs.Describe()} is {Values.Family(vs.Family.Value)}",
                "keepalived skips the real server; only tunnelled (TUN) real servers may differ");
            vs.RealServers.Remove(rs);
        }
    }

    private RealServerBuilder? Rs(Line line)
    {
        if (CurrentRs is { } rs)
        {
            Note(rs, line, rs.Describe());
        }
        return CurrentRs;
    }

    public void RsWeight(Line line)
    {
        if (Rs(line) is { } rs && Unsigned(line, 1, 0, IpvsWeightLimit, out var w))
        {
            rs.Weight = (uint)w;
        }
    }

    public void RsMethod(Line line)
    {
        if (Rs(line) is { } rs && Method(line, "real", rs.OwnOrInheritedMethod) is { } method)
        {
            rs.Method = method;
        }
    }

    public void RsUpperThreshold(Line line)
    {
        if (Rs(line) is { } rs && Unsigned(line, 1, 0, UIntMax, out var v))
        {
            rs.UpperThreshold = (uint)v;
        }
    }

    public void RsLowerThreshold(Line line)
    {
        if (Rs(line) is { } rs && Unsigned(line, 1, 0, UIntMax, out var v))
        {
            rs.LowerThreshold = (uint)v;
        }
    }

    public void RsInhibit(Line line)
    {
        if (Rs(line) is { } rs && Bool(line, out var value))
        {
            rs.Inhibit = value;
        }
    }

    public void RsNotifyUp(Line line) => RsNotify(line, up: true);

    public void RsNotifyDown(Line line) => RsNotify(line, up: false);

    private void RsNotify(Line line, bool up)
    {
        if (CurrentRs is not { } rs)
        {
            return;
        }
        if ((up ? rs.NotifyUp : rs.NotifyDown) is { } existing)
        {
            _d.Deviation(DiagnosticCodes.DuplicateSetting, line.Location,
                $"{line.Keyword} is already set for {rs.Describe()} (at {existing.Location.ToShortString()})", "keepalived keeps the first one and ignores this line");
            return;
        }
        var script = Script(line);
        Mark(rs, line);
        if (up)
        {
            rs.NotifyUp = script;
        }
        else
        {
            rs.NotifyDown = script;
        }
    }

    public void RsAlpha(Line line)
    {
        if (Rs(line) is { } rs && Bool(line, out var value))
        {
            rs.Alpha = value;
        }
    }

    public void RsRetry(Line line)
    {
        if (Rs(line) is { } rs && Unsigned(line, 1, 1, UIntMax, out var v))
        {
            rs.Retry = (uint)v;
        }
    }

    public void RsDelayBeforeRetry(Line line)
    {
        if (Rs(line) is { } rs && Timer(line, 1, 0, 0, out var t))
        {
            rs.DelayBeforeRetry = t;
        }
    }

    public void RsWarmup(Line line)
    {
        if (Rs(line) is { } rs && Timer(line, 1, 0, 0, out var t))
        {
            rs.Warmup = t;
        }
    }

    public void RsConnectTimeout(Line line)
    {
        if (Rs(line) is { } rs && Timer(line, 1, 1, ConnectTimeoutMax, out var t))
        {
            rs.ConnectTimeout = t;
        }
    }

    public void RsDelayLoop(Line line)
    {
        if (Rs(line) is { } rs && Timer(line, 1, 1, 0, out var t))
        {
            rs.DelayLoop = t;
        }
    }

    public void RsSmtpAlert(Line line)
    {
        if (Rs(line) is { } rs && Bool(line, out var value))
        {
            rs.SmtpAlert = value;
        }
    }

    public void RsVirtualHost(Line line)
    {
        if (Rs(line) is { } rs && Value(line, "a host name") is { } host)
        {
            rs.VirtualHost = host;
        }
    }

    public void RsSnmpName(Line line)
    {
        if (Rs(line) is { } rs && Value(line, "a name") is { } name)
        {
            rs.SnmpName = name;
        }
    }
}
