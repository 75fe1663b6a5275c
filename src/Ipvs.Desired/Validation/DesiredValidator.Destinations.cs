namespace Ipvs.Desired;

public static partial class DesiredValidator
{
    private static void Destination(DesiredService ds, DesiredDestination dd, KernelCapabilities caps, List<ValidationProblem> problems)
    {
        var d = dd.Destination;
        var at = dd.Location ?? ds.Location;
        if (LibraryChecks.Check(IpvsOperation.AddDestination(ds.Key, d), caps) is { } e)
        {
            problems.Add(DestinationProblem(ds.Key, d, e, at, sorryServer: false));
        }
        if (d.Forwarding != ForwardingMethod.Tunnel && (d.TunnelType != TunnelType.IpIp || d.TunnelPort != 0 || d.TunnelFlags != TunnelFlags.NoChecksum))
        {
            problems.Add(ValidationProblem.Warning(
                "tunnel-settings-unused",
                $"Service {ds.Key}: destination {d.Key} has tunnel settings but forwards by {d.Forwarding}; they are ignored.",
                at));
        }
        else if (d.Forwarding == ForwardingMethod.Tunnel && d.TunnelType != TunnelType.Gue && d.TunnelPort != 0)
        {
            problems.Add(ValidationProblem.Warning(
                "tunnel-port-unused",
                $"Service {ds.Key}: destination {d.Key} has a tunnel port, which only GUE tunnels use.",
                at));
        }
        if (dd.SlowStart is { } slow)
        {
            var sat = slow.Location ?? at;
            if (slow.Duration <= TimeSpan.Zero)
            {
                problems.Add(ValidationProblem.Error("slow-start-duration", $"Service {ds.Key}: destination {d.Key} has the slow-start duration {slow.Duration}; it must be positive.", sat));
            }
            if (slow.InitialWeight < 0 || slow.InitialWeight > d.Weight)
            {
                problems.Add(ValidationProblem.Error("slow-start-weight", $"Service {ds.Key}: destination {d.Key} starts its slow start at weight {slow.InitialWeight}, outside 0 to its weight {d.Weight}.", sat));
            }
        }
        Hook(dd.NotifyUp, $"Service {ds.Key}: destination {d.Key}: the up hook", at, problems);
        Hook(dd.NotifyDown, $"Service {ds.Key}: destination {d.Key}: the down hook", at, problems);
        foreach (var check in dd.Checks)
        {
            if (check is null)
            {
                problems.Add(ValidationProblem.Error("null-check", $"Service {ds.Key}: destination {d.Key} lists a null check.", at));
                continue;
            }
            Check(ds, dd, check, problems);
        }
    }

    // The library has already refused the destination; its message says why. The code and hint
    // follow the same order of checks, so they describe the refusal it reported.
    private static ValidationProblem DestinationProblem(ServiceKey service, Destination d, Exception e, SourceLocation? at, bool sorryServer)
    {
        var (code, hint) = e switch
        {
            NotSupportedException => ("unsupported-by-kernel", (string?)"The running kernel is too old for this setting."),
            _ when d.Family != service.Family && d.Forwarding != ForwardingMethod.Tunnel => ("family-mismatch", FamilyHint),
            _ when d.UpperThreshold > int.MaxValue || d.LowerThreshold > int.MaxValue => ("threshold-range", null),
            _ when d.LowerThreshold > d.UpperThreshold =>
                ("threshold-order", "The kernel refuses a lower threshold above the upper one, even when the upper one is 0 (no limit)."),
            _ when d.TunnelType == TunnelType.Gue && d.TunnelPort == 0 => ("tunnel-port-missing", "Give the GUE tunnel's UDP port."),
            _ => ("invalid-destination", null),
        };
        var what = sorryServer ? "sorry server: " : "";
        return ValidationProblem.Error(sorryServer ? "sorry-server-" + code : code, $"Service {service}: {what}{LibraryChecks.Message(e)}", at, hint);
    }
}
