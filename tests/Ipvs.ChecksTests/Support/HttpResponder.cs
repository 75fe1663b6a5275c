using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ipvs.ChecksTests.Support;

/// <summary>What the responder saw of one request.</summary>
internal sealed record SeenRequest(string RequestLine, string? Host, string? ServerName);

/// <summary>
/// A tiny HTTP/1.1 server over <see cref="TcpResponder"/>: reads one request, answers with the
/// status and body of <see cref="Reply"/> and closes, recording the request line, the Host header
/// and (over TLS) the SNI name. <see cref="Hang"/> makes it read the request and never answer.
/// </summary>
internal sealed class HttpResponder : IAsyncDisposable
{
    private readonly TcpResponder _tcp;
    private readonly X509Certificate2? _certificate;

    public HttpResponder(int status = 200, string body = "ok", X509Certificate2? certificate = null)
    {
        Reply = (status, Encoding.UTF8.GetBytes(body));
        _certificate = certificate;
        _tcp = new TcpResponder(ServeAsync);
    }

    public (int Status, byte[] Body) Reply { get; set; }

    public bool Hang { get; set; }

    public IPEndPoint Endpoint => _tcp.Endpoint;

    public ConcurrentQueue<IPEndPoint> Peers => _tcp.Peers;

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    private async Task ServeAsync(Stream stream, CancellationToken cancellationToken)
    {
        string? serverName = null;
        if (_certificate is not null)
        {
            var tls = new SslStream(stream);
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, cancellationToken);
            serverName = tls.TargetHostName;
            stream = tls;
        }
        var head = await ReadHeadAsync(stream, cancellationToken);
        var lines = head.Split("\r\n");
        string? host = lines.Skip(1).Where(l => l.StartsWith("Host:", StringComparison.OrdinalIgnoreCase)).Select(l => l[5..].Trim()).FirstOrDefault();
        Requests.Enqueue(new SeenRequest(lines[0], host, string.IsNullOrEmpty(serverName) ? null : serverName));
        if (Hang)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        var (status, body) = Reply;
        var header = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} Whatever\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(header, cancellationToken);
        await stream.WriteAsync(body, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                break;
            }
            head.Add(one[0]);
        }
        return Encoding.ASCII.GetString(head.ToArray());
    }

    public ValueTask DisposeAsync() => _tcp.DisposeAsync();

    /// <summary>A self-signed certificate for <c>check.test</c> and 127.0.0.1, made for the test run.</summary>
    public static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=check.test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("check.test");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Through PKCS#12 so the private key is usable by the TLS server on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }
}
