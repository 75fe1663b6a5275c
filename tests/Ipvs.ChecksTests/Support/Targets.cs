namespace Ipvs.ChecksTests.Support;

/// <summary>Targets and helpers shared by the tests.</summary>
internal static class Targets
{
    public static readonly ServiceKey Web = ServiceKey.Parse("tcp:10.0.0.1:80");

    public static readonly ServiceKey Api = ServiceKey.Parse("tcp:10.0.0.1:8080");

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The target of a check on a destination at <paramref name="endpoint"/>.</summary>
    public static CheckTarget At(IPEndPoint endpoint, ServiceKey? service = null) =>
        new(service ?? Web, new Destination(endpoint.Address, (ushort)endpoint.Port), endpoint);

    /// <summary>The target of a check on 127.0.0.1 at <paramref name="port"/>.</summary>
    public static CheckTarget Local(int port = 9) => At(new IPEndPoint(IPAddress.Loopback, port));

    /// <summary>Short timeouts and no retries, for probes that are meant to fail fast.</summary>
    public static T Quick<T>(T check) where T : HealthCheck =>
        (T)(check with { ConnectTimeout = TimeSpan.FromSeconds(2), ReadTimeout = TimeSpan.FromSeconds(2) });

    public static ValueTask<ProbeResult> ProbeAsync(HealthCheck check, CheckTarget target) =>
        Prober.ProbeAsync(check, target, CheckDefaults.Keepalived, Ct);

    /// <summary>A loopback port nothing listens on: bound, never listening, so connects are refused.</summary>
    public static Socket ClosedPort()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    /// <summary>A loopback UDP port with no socket (bound, then closed), so datagrams draw ICMP port-unreachable.</summary>
    public static int UnusedUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Polls (real time) until the condition holds; fails after 10 s saying what was awaited.</summary>
    public static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }
            await Task.Delay(5, Ct);
        }
    }
}
