namespace Ipvs.Checks;

/// <summary>
/// keepalived's arithmetic for weights set by checks: the destination's effective weight is its
/// declared weight plus each check's adjustment. A dynamic program check (misc_dynamic) asks for an
/// absolute weight w, which keepalived applies as the adjustment w − declared (so one such check
/// sets the weight to w); a file check (FILE_CHECK) asks for an adjustment directly.
/// </summary>
public static class DynamicWeight
{
    /// <summary>
    /// The effective weight of a destination with the given declared weight, whose checks currently
    /// ask for the given weights (<see cref="CheckTransition.Weight"/>; null asks for nothing),
    /// clamped to 0 … <see cref="int.MaxValue"/>.
    /// </summary>
    public static int Effective(int declaredWeight, IEnumerable<(HealthCheck Check, int? Weight)> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        long total = declaredWeight;
        foreach (var (check, weight) in weights)
        {
            total += Adjustment(declaredWeight, check, weight);
        }
        return (int)Math.Clamp(total, 0, int.MaxValue);
    }

    /// <summary>What one check's weight adds to the declared weight.</summary>
    public static long Adjustment(int declaredWeight, HealthCheck check, int? weight) => (check, weight) switch
    {
        (_, null) => 0,
        (ProgramCheck, { } absolute) => (long)absolute - declaredWeight,
        (_, { } adjustment) => adjustment,
    };
}
