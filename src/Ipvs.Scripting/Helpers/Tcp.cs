namespace Ipvs.Scripting;

/// <summary>
/// TCP: the protocol value for the DSL (<c>vs.Protocol = Tcp</c>) and a connect probe for
/// imperative scripts (<c>Tcp.Connect("192.168.0.1", 80, 2.Seconds())</c>). Scripts see one name
/// for both: <c>Tcp</c> is a global of this type, and C# lets a name that is both a value and its
/// type reach the static members.
/// </summary>
public sealed class Tcp
{
    private Tcp()
    {
    }

    internal static Tcp Protocol { get; } = new();

    /// <summary>The timeout when none is given.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(5);

    /// <summary>The protocol number.</summary>
    public static implicit operator IpvsProtocol(Tcp tcp) => IpvsProtocol.Tcp;

    /// <summary>The protocol number.</summary>
    public static IpvsProtocol ToIpvsProtocol() => IpvsProtocol.Tcp;

    /// <summary>True when a TCP connection to the host and port opens within the timeout (5 s by default); the connection is closed at once.</summary>
    public static bool Connect(string host, int port, TimeSpan? timeout = null) =>
        ConnectAsync(host, port, timeout).GetAwaiter().GetResult();

    /// <summary>True when a TCP connection to the endpoint opens within the timeout (for checks: <c>Tcp.Connect(c.Target)</c>).</summary>
    public static bool Connect(IPEndPoint endpoint, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return ConnectAsync(endpoint.Address.ToString(), endpoint.Port, timeout).GetAwaiter().GetResult();
    }

    /// <summary>True when a TCP connection to the endpoint opens within the timeout.</summary>
    public static Task<bool> ConnectAsync(IPEndPoint endpoint, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return ConnectAsync(endpoint.Address.ToString(), endpoint.Port, timeout, cancellationToken);
    }

    /// <summary>True when a TCP connection to the host and port opens within the timeout; only cancelling the script throws.</summary>
    public static async Task<bool> ConnectAsync(string host, int port, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, ushort.MaxValue);
        var outer = cancellationToken.CanBeCanceled ? cancellationToken : ScriptContext.Token;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        cts.CancelAfter(timeout ?? DefaultTimeout);
        try
        {
            var address = await NetworkNamespaces.ResolveAsync(host, cts.Token).ConfigureAwait(false);
            using var socket = NetworkNamespaces.CreateSocket(ScriptContext.Current?.NetworkNamespace, address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(address, port), cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!outer.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return false;
        }
    }

    /// <summary><c>tcp</c>.</summary>
    public override string ToString() => "tcp";
}
