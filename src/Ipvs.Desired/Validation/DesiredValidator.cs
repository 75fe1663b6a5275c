using System.Diagnostics.CodeAnalysis;

namespace Ipvs.Desired;

/// <summary>
/// Checks a desired state as a whole and reports every problem, each placed at its declaration.
/// What the library's model refuses to construct at all (a negative weight, a scheduler or engine
/// name over 15 characters, an IPv6 prefix over 128) never reaches a <see cref="DesiredState"/>;
/// front ends catch it where they build the value, with <see cref="TryCreate"/>.
/// </summary>
public static partial class DesiredValidator
{
    // The kernel keeps the persistence timeout in jiffies (u32 seconds × HZ) and reports it divided by
    // HZ; above 2^32 / 1000 seconds it wraps on a HZ=1000 kernel and would never read back as written.
    internal const uint MaxPersistenceTimeout = uint.MaxValue / 1000;

    /// <summary>Validates a desired state.</summary>
    public static ValidationResult Validate(DesiredState state, ValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var caps = options?.Capabilities ?? LibraryChecks.AllFeatures;
        var problems = new List<ValidationProblem>();
        var seen = new Dictionary<ServiceKey, DesiredService>();
        foreach (var service in state.Services)
        {
            if (service is null)
            {
                problems.Add(ValidationProblem.Error("null-service", "The desired state lists a null service."));
                continue;
            }
            if (seen.TryGetValue(service.Key, out var first))
            {
                problems.Add(ValidationProblem.Error(
                    "duplicate-service",
                    $"Service {service.Key} is declared twice{FirstAt(first.Location)}.",
                    service.Location,
                    "Merge the declarations into one, or give one another address, port, protocol or mark."));
                continue;
            }
            seen.Add(service.Key, service);
            Service(service, caps, problems);
        }
        if (state.Timeouts is { } t)
        {
            Timeouts(t, caps, state.TimeoutsLocation, problems);
        }
        return new ValidationResult([.. problems]);
    }

    /// <summary>
    /// Builds a value with the library's constructors, turning what they refuse into a located
    /// problem: <c>TryCreate(() =&gt; new Destination(text, weight), at, problems, out var d)</c>.
    /// </summary>
    /// <returns>True with the value, or false with a problem added.</returns>
    public static bool TryCreate<T>(Func<T> create, SourceLocation? location, ICollection<ValidationProblem> problems, [MaybeNullWhen(false)] out T value)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(problems);
        try
        {
            value = create();
            return true;
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            problems.Add(ValidationProblem.FromException(e, location));
            value = default;
            return false;
        }
    }

    private static void Service(DesiredService ds, KernelCapabilities caps, List<ValidationProblem> problems)
    {
        var s = ds.Service;
        var at = ds.Location;
        if (s.Netmask.Family == AddressFamily.InterNetwork && s.Netmask.PrefixLength is null)
        {
            problems.Add(ValidationProblem.Error(
                "netmask-not-contiguous",
                $"Service {s.Key}: the persistence netmask {s.Netmask} is not contiguous.",
                at,
                "Use a mask of leading ones such as 255.255.255.0 (/24)."));
        }
        if (!s.IsPersistent && s.Netmask != Netmask.Full(s.Key.Family))
        {
            problems.Add(ValidationProblem.Warning(
                "netmask-without-persistence",
                $"Service {s.Key}: the netmask {s.Netmask} has no effect without a persistence timeout.",
                at));
        }
        if (s.PersistenceTimeout > MaxPersistenceTimeout)
        {
            problems.Add(ValidationProblem.Error(
                "persistence-timeout-range",
                $"Service {s.Key}: the persistence timeout {s.PersistenceTimeout} s is above {MaxPersistenceTimeout} s, which the kernel cannot keep on every HZ.",
                at));
        }
        if ((s.Flags & ServiceFlags.OnePacket) != 0 && s.Key.Protocol != IpvsProtocol.Udp && !s.Key.IsFirewallMark)
        {
            problems.Add(ValidationProblem.Warning(
                "one-packet-not-udp",
                $"Service {s.Key}: one-packet scheduling only applies to UDP.",
                at));
        }
        if ((s.Flags & (ServiceFlags.SchedulerFlag1 | ServiceFlags.SchedulerFlag2 | ServiceFlags.SchedulerFlag3)) != 0
            && s.Scheduler.Name is not ("sh" or "mh"))
        {
            problems.Add(ValidationProblem.Warning(
                "scheduler-flags-unused",
                $"Service {s.Key}: scheduler flags are only read by the sh and mh schedulers, not {s.Scheduler}.",
                at));
        }
        Policy(ds, caps, problems);
        var seen = new Dictionary<DestinationKey, DesiredDestination>();
        foreach (var dd in ds.Destinations)
        {
            if (dd is null)
            {
                problems.Add(ValidationProblem.Error("null-destination", $"Service {s.Key} lists a null destination.", at));
                continue;
            }
            var dat = dd.Location ?? at;
            if (seen.TryGetValue(dd.Key, out var first))
            {
                problems.Add(ValidationProblem.Error(
                    "duplicate-destination",
                    $"Destination {dd.Key} is declared twice in service {s.Key}{FirstAt(first.Location)}.",
                    dat,
                    "A real server appears once per service; merge the declarations."));
                continue;
            }
            seen.Add(dd.Key, dd);
            Destination(ds, dd, caps, problems);
        }
    }

    private static void Policy(DesiredService ds, KernelCapabilities caps, List<ValidationProblem> problems)
    {
        var p = ds.Policy;
        var key = ds.Key;
        var at = p.Location ?? ds.Location;
        if (p.Quorum < 1)
        {
            problems.Add(ValidationProblem.Error("quorum-range", $"Service {key}: the quorum {p.Quorum} must be 1 or more.", at));
        }
        if (p.Hysteresis < 0)
        {
            problems.Add(ValidationProblem.Error("hysteresis-range", $"Service {key}: the hysteresis {p.Hysteresis} must be 0 or more.", at));
        }
        else if (p.Quorum >= 1 && p.Hysteresis >= p.Quorum)
        {
            problems.Add(ValidationProblem.Warning(
                "hysteresis-too-large",
                $"Service {key}: with hysteresis {p.Hysteresis} and quorum {p.Quorum} the quorum can never be lost.",
                at,
                "Keep the hysteresis below the quorum."));
        }
        long total = ds.Destinations.Where(d => d is not null).Sum(d => (long)d.Destination.Weight);
        if (p.Quorum >= 1 && ds.Destinations.Length > 0 && total < p.Quorum + (long)Math.Max(p.Hysteresis, 0))
        {
            problems.Add(ValidationProblem.Warning(
                "quorum-unreachable",
                $"Service {key}: the destinations' weights add up to {total}, below the quorum {p.Quorum} (plus hysteresis {p.Hysteresis}), so it can never be up.",
                at));
        }
        if (p.DelayLoop is { } loop && (loop <= TimeSpan.Zero || loop > HealthCheck.MaxDuration))
        {
            problems.Add(ValidationProblem.Error("delay-loop-range", $"Service {key}: the delay loop {loop} must be positive and at most {HealthCheck.MaxDuration.TotalDays:0} days.", at));
        }
        if (p.VirtualHost is { Length: 0 })
        {
            problems.Add(ValidationProblem.Error("virtualhost-empty", $"Service {key}: the virtual host is empty.", at, "Leave it unset instead."));
        }
        if (p.SorryServer is { } sorry)
        {
            SorryServer(ds, sorry, caps, at, problems);
        }
        else if (p.SorryServerInhibit)
        {
            problems.Add(ValidationProblem.Warning("sorry-server-inhibit-unused", $"Service {key}: sorry_server_inhibit is set but there is no sorry server.", at));
        }
        Hook(p.QuorumUp, $"Service {key}: the quorum-up hook", at, problems);
        Hook(p.QuorumDown, $"Service {key}: the quorum-down hook", at, problems);
    }

    private static void SorryServer(DesiredService ds, Destination sorry, KernelCapabilities caps, SourceLocation? at, List<ValidationProblem> problems)
    {
        if (LibraryChecks.Check(IpvsOperation.AddDestination(ds.Key, sorry), caps) is { } e)
        {
            problems.Add(DestinationProblem(ds.Key, sorry, e, at, sorryServer: true));
        }
    }

    private static void Hook(Hook? hook, string what, SourceLocation? fallback, List<ValidationProblem> problems)
    {
        var at = hook?.Location ?? fallback;
        switch (hook)
        {
            case ProgramHook h:
                if (!Path.IsPathFullyQualified(h.Path))
                {
                    problems.Add(ValidationProblem.Error("hook-path", $"{what} runs '{h.Path}', which is not an absolute path.", at,
                        "Programs run without a shell or a search path; give the full path."));
                }
                if (h.Timeout is { } t && t <= TimeSpan.Zero)
                {
                    problems.Add(ValidationProblem.Error("hook-timeout", $"{what} has the timeout {t}; it must be positive.", at));
                }
                if (h.User is { Length: 0 })
                {
                    problems.Add(ValidationProblem.Error("hook-user", $"{what} names an empty user.", at));
                }
                break;
            case DelegateHook { Action: null }:
                problems.Add(ValidationProblem.Error("hook-action", $"{what} has no action.", at));
                break;
        }
    }

    private static void Timeouts(Timeouts t, KernelCapabilities caps, SourceLocation? at, List<ValidationProblem> problems)
    {
        if (LibraryChecks.Check(IpvsOperation.SetTimeouts(t), caps) is { } e)
        {
            problems.Add(ValidationProblem.Error("timeout-range", LibraryChecks.Message(e), at));
        }
    }

    private const string FamilyHint = "Only tunnelling (ipip, gue or gre) reaches a server of another address family; NAT and direct routing need the service's family.";

    private static string FirstAt(SourceLocation? first) => first is { } l ? $" (first at {l})" : "";
}
