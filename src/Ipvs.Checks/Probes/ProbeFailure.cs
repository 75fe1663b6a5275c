namespace Ipvs.Checks.Probes;

/// <summary>
/// Thrown inside probers to end an attempt as failed with a short message; <see cref="Prober"/>
/// turns it into a result, so it never leaves this assembly.
/// </summary>
internal sealed class ProbeFailure : Exception
{
    public ProbeFailure(string message)
        : base(message)
    {
    }

    public ProbeFailure()
    {
    }

    public ProbeFailure(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
