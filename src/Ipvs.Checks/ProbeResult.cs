namespace Ipvs.Checks;

/// <summary>The outcome of one attempt of a check.</summary>
/// <param name="Passed">True when the target answered as the check requires.</param>
/// <param name="Latency">How long the attempt took, failed or not.</param>
/// <param name="Error">Why it failed, short and human (<c>connect: connection refused</c>); null when it passed.</param>
/// <param name="Weight">
/// The weight the check asks for, or null for none (see <see cref="DynamicWeight"/>): for a
/// <see cref="ProgramCheck"/> with <see cref="ProgramCheck.DynamicWeight"/>, the destination's
/// weight (exit status − 2); for a <see cref="FileCheck"/>, an amount added to the destination's
/// declared weight (the file's number × <see cref="FileCheck.Weight"/>, negated by
/// <see cref="FileCheck.Reverse"/>), as keepalived's track_file adds it.
/// </param>
public readonly record struct ProbeResult(bool Passed, TimeSpan Latency, string? Error, int? Weight);
