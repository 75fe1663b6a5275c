using Ipvs.Checks.Scheduling;

namespace Ipvs.Checks;

/// <summary>
/// A check registered with a <see cref="CheckScheduler"/>; compared by reference. Registering an
/// identical check and target again returns the same handle.
/// </summary>
public sealed class CheckHandle
{
    internal CheckHandle(CheckScheduler owner, HealthCheck check, CheckTarget target, string id)
    {
        Owner = owner;
        Check = check;
        Target = target;
        Id = id;
    }

    /// <summary>The check, with the defaults it was registered with filled in (<see cref="CheckDefaults.Resolve"/>).</summary>
    public HealthCheck Check { get; }

    /// <summary>The target of the first registration; every registration shares its <see cref="CheckTarget.Endpoint"/>.</summary>
    public CheckTarget Target { get; }

    /// <summary>
    /// A name for logs and metrics, unique among the scheduler's running checks and fixed for the
    /// handle's life: <c>http 10.0.0.2:80 /health</c>, <c>icmp 10.0.0.2</c>, with <c> #2</c> added
    /// when another running check would have the same name.
    /// </summary>
    public string Id { get; }

    internal CheckScheduler Owner { get; }

    internal CheckEntry Entry { get; set; } = null!;

    /// <summary>The <see cref="Id"/>.</summary>
    public override string ToString() => Id;

    /// <summary>The name a check gets before it is made unique.</summary>
    internal static string Describe(HealthCheck check, IPEndPoint endpoint) => check switch
    {
        HttpCheck http => $"{http.Kind} {endpoint} {http.Path}",
        DnsCheck dns => $"dns {endpoint} {dns.Type.ToString().ToUpperInvariant()} {dns.Name}",
        IcmpCheck => $"icmp {endpoint.Address}",
        ProgramCheck program => $"program {endpoint} {program.Path}",
        FileCheck file => $"file {endpoint} {file.Path}",
        DelegateCheck { Name: { } name } => $"delegate {endpoint} {name}",
        _ => $"{check.Kind} {endpoint}",
    };
}
