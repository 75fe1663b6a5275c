namespace Ipvs.Checks.Scheduling;

/// <summary>
/// The identity under which identical checks share one running check: the resolved check
/// compared structurally (array contents, not array references; its source location, connect
/// address and connect port left out, as the endpoint already says where it connects) and the
/// endpoint, but not the service. A delegate check's delegate is compared by reference. ICMP
/// checks ignore the port, which they never use.
/// </summary>
internal sealed class CheckKey : IEquatable<CheckKey>
{
    private readonly HealthCheck _check;
    private readonly IPEndPoint _endpoint;
    private readonly int _hash;

    public CheckKey(HealthCheck resolved, IPEndPoint endpoint)
    {
        _check = resolved with { Location = null, ConnectAddress = null, ConnectPort = null };
        _endpoint = resolved is IcmpCheck ? new IPEndPoint(endpoint.Address, 0) : endpoint;
        _hash = HashCode.Combine(_endpoint, Hash(_check));
    }

    public bool Equals(CheckKey? other) =>
        other is not null && (ReferenceEquals(this, other) || (_hash == other._hash && _endpoint.Equals(other._endpoint) && Same(_check, other._check)));

    public override bool Equals(object? obj) => Equals(obj as CheckKey);

    public override int GetHashCode() => _hash;

    // The records' own equality compares ImmutableArray fields by array reference, so each array
    // is compared by content first and then lent to the other side for the record comparison.
    private static bool Same(HealthCheck a, HealthCheck b) => (a, b) switch
    {
        (HttpCheck x, HttpCheck y) =>
            x.StatusCodes.AsSpan().SequenceEqual(y.StatusCodes.AsSpan()) && x.Equals(y with { StatusCodes = x.StatusCodes }),
        (UdpCheck x, UdpCheck y) =>
            x.Payload.AsSpan().SequenceEqual(y.Payload.AsSpan()) && x.ExpectedReply.AsSpan().SequenceEqual(y.ExpectedReply.AsSpan())
            && x.Equals(y with { Payload = x.Payload, ExpectedReply = x.ExpectedReply }),
        (ProgramCheck x, ProgramCheck y) =>
            x.Arguments.AsSpan().SequenceEqual(y.Arguments.AsSpan()) && x.Equals(y with { Arguments = x.Arguments }),
        (DelegateCheck x, DelegateCheck y) => ReferenceEquals(x.Probe, y.Probe) && x.Equals(y),
        _ => a.Equals(b),
    };

    private static int Hash(HealthCheck check)
    {
        var hash = new HashCode();
        switch (check)
        {
            case HttpCheck http:
                hash.Add((http with { StatusCodes = ImmutableArray<StatusRange>.Empty }).GetHashCode());
                foreach (var range in http.StatusCodes)
                {
                    hash.Add(range);
                }
                break;
            case UdpCheck udp:
                hash.Add((udp with { Payload = ImmutableArray<byte>.Empty, ExpectedReply = ImmutableArray<byte>.Empty }).GetHashCode());
                hash.AddBytes(udp.Payload.AsSpan());
                hash.Add(-1);
                hash.AddBytes(udp.ExpectedReply.AsSpan());
                break;
            case ProgramCheck program:
                hash.Add((program with { Arguments = ImmutableArray<string>.Empty }).GetHashCode());
                foreach (var argument in program.Arguments)
                {
                    hash.Add(argument, StringComparer.Ordinal);
                }
                break;
            default:
                // A delegate check hashes its delegate by value, which references equal by reference share.
                hash.Add(check.GetHashCode());
                break;
        }
        return hash.ToHashCode();
    }
}
