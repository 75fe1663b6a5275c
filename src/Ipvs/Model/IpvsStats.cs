namespace Ipvs.Model;

/// <summary>
/// Counters and rates of a service or destination. Totals count since creation or the last zero;
/// rates are the kernel estimator's per-second averages, updated about every 2 seconds.
/// </summary>
public readonly record struct IpvsStats(
    ulong Connections,
    ulong InPackets,
    ulong OutPackets,
    ulong InBytes,
    ulong OutBytes,
    ulong ConnectionRate,
    ulong InPacketRate,
    ulong OutPacketRate,
    ulong InByteRate,
    ulong OutByteRate);
