using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ipvs.KernelTests.Infrastructure;

namespace Ipvs.KernelTests.Keepalived;

/// <summary>
/// Healthy real servers for keepalived's checkers, in a network namespace of their own: the
/// sockets are created there (<see cref="InNamespace"/>) and served from this process. Each
/// endpoint counts the probes it answered, so a test can wait until every checker has found its
/// server healthy at least once.
/// </summary>
internal sealed class Responders : IAsyncDisposable
{
    private static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(10);
    private static readonly Lazy<X509Certificate2> Certificate = new(CreateCertificate);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _loops = [];
    private readonly Dictionary<EndpointSpec, int> _served = [];
    private readonly List<string> _unknown = [];
    private readonly Lock _lock = new();

    private Responders()
    {
    }

    /// <summary>Endpoints not probed successfully yet.</summary>
    public IReadOnlyList<EndpointSpec> Unprobed
    {
        get
        {
            lock (_lock)
            {
                return [.. _served.Where(p => p.Value == 0).Select(p => p.Key)];
            }
        }
    }

    /// <summary>Probes answered, per endpoint.</summary>
    public string Summary
    {
        get
        {
            lock (_lock)
            {
                return string.Join(", ", _served.Select(p => $"{p.Key}: {p.Value}"))
                    + (_unknown.Count == 0 ? "" : $"; not understood: {string.Join(" | ", _unknown.Distinct())}");
            }
        }
    }

    public static Responders Start(string netnsPath, IEnumerable<EndpointSpec> endpoints)
    {
        if (endpoints.Any(e => e.Kind == ResponderKind.Https))
        {
            // Made before keepalived starts: in the lab a key and a PKCS#12 round trip take seconds.
            _ = Certificate.Value;
        }
        var responders = new Responders();
        try
        {
            foreach (var spec in endpoints)
            {
                var socket = InNamespace.Run(netnsPath, () =>
                {
                    var s = new Socket(spec.EndPoint.AddressFamily, spec.IsUdp ? SocketType.Dgram : SocketType.Stream, spec.IsUdp ? ProtocolType.Udp : ProtocolType.Tcp);
                    s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                    s.Bind(spec.EndPoint);
                    if (!spec.IsUdp)
                    {
                        s.Listen(64);
                    }
                    return s;
                });
                responders._sockets.Add(socket);
                responders._served[spec] = 0;
                responders._loops.Add(spec.IsUdp ? responders.ServeUdpAsync(socket, spec) : responders.ServeTcpAsync(socket, spec));
            }
        }
        catch
        {
            responders.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
        return responders;
    }

    private void Unknown(EndpointSpec spec, string what)
    {
        lock (_lock)
        {
            _unknown.Add($"{spec}: {what}");
        }
    }

    private void Served(EndpointSpec spec)
    {
        lock (_lock)
        {
            _served[spec]++;
        }
    }

    private async Task ServeTcpAsync(Socket listener, EndpointSpec spec)
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(client, spec), ct);
        }
    }

    private async Task HandleAsync(Socket client, EndpointSpec spec)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(IoTimeout);
        var ct = timeout.Token;
        try
        {
            await using var network = new NetworkStream(client, ownsSocket: true);
            switch (spec.Kind)
            {
                case ResponderKind.Tcp:
                    Served(spec);
                    // Hold the connection until the checker closes it.
                    var sink = new byte[256];
                    while (await network.ReadAsync(sink, ct) > 0)
                    {
                    }
                    break;
                case ResponderKind.Http:
                    if (await HttpAsync(network, spec, ct) is { } unknown)
                    {
                        Unknown(spec, unknown);
                    }
                    else
                    {
                        Served(spec);
                    }
                    break;
                case ResponderKind.Https:
                    await using (var tls = new SslStream(network, leaveInnerStreamOpen: true))
                    {
                        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = Certificate.Value }, ct);
                        var notUnderstood = await HttpAsync(tls, spec, ct);
                        await tls.ShutdownAsync();
                        if (notUnderstood is not null)
                        {
                            Unknown(spec, notUnderstood);
                        }
                        else
                        {
                            Served(spec);
                        }
                    }
                    break;
                case ResponderKind.Smtp:
                    if (await SmtpAsync(network, ct))
                    {
                        Served(spec);
                    }
                    break;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or AuthenticationException or ObjectDisposedException)
        {
            // A checker that gave up, or the end of the run.
        }
    }

    // One request, one answer, then close: what keepalived's HTTP_GET and SSL_GET expect. The path
    // is everything between the method and the version, spaces included ("/a path/with#hash").
    // Returns null when it answered a path it knows, else the request line.
    private static async Task<string?> HttpAsync(Stream stream, EndpointSpec spec, CancellationToken ct)
    {
        var request = new StringBuilder();
        var buffer = new byte[4096];
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            int n = await stream.ReadAsync(buffer, ct);
            if (n == 0 || request.Length > 65536)
            {
                return $"incomplete request '{request}'";
            }
            request.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
        var line = request.ToString()[..request.ToString().IndexOf("\r\n", StringComparison.Ordinal)];
        int start = line.IndexOf(' ', StringComparison.Ordinal) + 1;
        int end = line.LastIndexOf(" HTTP/", StringComparison.Ordinal);
        var path = start > 0 && end > start ? line[start..end] : "";
        var answer = spec.Paths.GetValueOrDefault(path) ?? new HttpAnswer(404, "not found\n"u8.ToArray());
        var head = $"HTTP/1.0 {answer.Status} {(answer.Status == 404 ? "Not Found" : "OK")}\r\nContent-Type: text/plain\r\nContent-Length: {answer.Body.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), ct);
        await stream.WriteAsync(answer.Body, ct);
        await stream.FlushAsync(ct);
        return spec.Paths.ContainsKey(path) ? null : line;
    }

    private static async Task<bool> SmtpAsync(Stream stream, CancellationToken ct)
    {
        using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        await stream.WriteAsync("220 oracle ESMTP\r\n"u8.ToArray(), ct);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("QUIT", StringComparison.OrdinalIgnoreCase))
            {
                await stream.WriteAsync("221 bye\r\n"u8.ToArray(), ct);
                return true;
            }
            await stream.WriteAsync("250 oracle\r\n"u8.ToArray(), ct);
        }
        return false;
    }

    private async Task ServeUdpAsync(Socket socket, EndpointSpec spec)
    {
        var ct = _stop.Token;
        var buffer = new byte[65536];
        EndPoint any = new IPEndPoint(spec.EndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, ct);
                var reply = spec.Kind == ResponderKind.Dns ? DnsReply(buffer.AsSpan(0, received.ReceivedBytes)) : spec.UdpReply;
                if (reply.Length > 0)
                {
                    await socket.SendToAsync(reply, SocketFlags.None, received.RemoteEndPoint, ct);
                    Served(spec);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // An ICMP error for an earlier reply; keep serving.
            }
        }
    }

    // The query back as a response without error and without answers: DNS_CHECK only checks the
    // id, the QR bit and the RCODE.
    private static byte[] DnsReply(ReadOnlySpan<byte> query)
    {
        if (query.Length < 12)
        {
            return [];
        }
        var reply = query.ToArray();
        reply[2] |= 0x80;                         // QR: a response
        reply[3] = (byte)((reply[3] & 0x70) | 0x80); // RA, RCODE 0
        return reply;
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=keepalived-oracle", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // A certificate with an exportable key, as SslStream wants on Linux.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
        try
        {
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Best effort: the namespace goes away with the run.
        }
        _stop.Dispose();
    }
}
