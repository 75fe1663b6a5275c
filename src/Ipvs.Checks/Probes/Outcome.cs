namespace Ipvs.Checks.Probes;

/// <summary>What a prober decides; <see cref="Prober"/> adds the latency.</summary>
internal readonly record struct Outcome(bool Passed, string? Error, int? Weight)
{
    public static Outcome Pass { get; } = new(true, null, null);

    public static Outcome PassWithWeight(int? weight) => new(true, null, weight);

    public static Outcome Fail(string error) => new(false, error, null);
}
