using Ipvs.Checks.Probes;
using Ipvs.Checks.Probes.Http;

namespace Ipvs.Checks.Reactor;

/// <summary>
/// What the reactor needs to run attempts of one plain HTTP or TCP check, computed once per
/// registered check (or per one-off probe): the peer's and the bind address's sockaddr bytes,
/// the encoded request, and the timeouts in <see cref="Stopwatch"/> ticks. About 200 bytes plus
/// the request; no buffer is held between attempts.
/// </summary>
internal sealed class SocketPlan
{
    private SocketPlan(HealthCheck check, CheckTarget target, int maxBodyBytes)
    {
        var endpoint = target.Endpoint;
        Family = endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? Libc.AF_INET6 : Libc.AF_INET;
        Address = Libc.SockAddr(endpoint.Address, endpoint.Port);
        BindAddress = check.BindAddress;
        if (BindAddress is not null)
        {
            Bind = Libc.SockAddr(BindAddress, 0);
        }
        ConnectTimeout = check.ConnectTimeout!.Value;
        ReadTimeout = check.ReadTimeout!.Value;
        ConnectTicks = Ticks(ConnectTimeout);
        ReadTicks = Ticks(ReadTimeout);
        MaxBodyBytes = maxBodyBytes;
        if (check is HttpCheck http)
        {
            Http = http;
            try
            {
                Request = HttpRequest.Encode(http, endpoint);
            }
            catch (ProbeFailure e)
            {
                Invalid = e.Message;
            }
        }
    }

    public int Family { get; }

    public byte[] Address { get; }

    public IPAddress? BindAddress { get; }

    public byte[]? Bind { get; }

    /// <summary>The check when it is HTTP (else a TCP connect check).</summary>
    public HttpCheck? Http { get; }

    public byte[]? Request { get; }

    /// <summary>Why every attempt fails before connecting (a request that cannot be written), or null.</summary>
    public string? Invalid { get; }

    public TimeSpan ConnectTimeout { get; }

    public TimeSpan ReadTimeout { get; }

    public long ConnectTicks { get; }

    public long ReadTicks { get; }

    public int MaxBodyBytes { get; }

    /// <summary>True for the checks the reactor runs: plain HTTP and TCP connect (TLS needs a stream).</summary>
    public static bool Handles(HealthCheck check) => check is TcpCheck or HttpCheck { UseTls: false };

    /// <summary>The plan of a resolved check the reactor handles, or null when it does not, or when there is no reactor.</summary>
    public static SocketPlan? For(HealthCheck resolved, CheckTarget target, int maxBodyBytes) =>
        Handles(resolved) && CheckReactor.Shared is not null ? new SocketPlan(resolved, target, maxBodyBytes) : null;

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
