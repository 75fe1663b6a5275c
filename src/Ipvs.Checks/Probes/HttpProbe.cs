using System.Buffers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Ipvs.Checks.Probes.Http;

namespace Ipvs.Checks.Probes;

/// <summary>
/// HTTP_GET and SSL_GET over a stream: SSL_GET always, plain HTTP only where the check reactor
/// does not run (off Linux). One GET of the path over a fresh connection (<c>Connection: close</c>;
/// redirects are not followed), the reply read by <see cref="HttpReplyParser"/>, which passes a
/// status in the accepted ranges (200-299 when none are given) and a body matching the regex or
/// having the MD5 digest. The connect timeout bounds the TCP connect; the read timeout bounds
/// everything after it: the TLS handshake, the request and the reply.
/// <para>
/// TLS: the handshake is done here, so SNI is exactly the check's server name (none when unset;
/// with <see cref="HttpCheck.VerifyTls"/> and no server name, the Host header's name is verified
/// and sent) and certificates are verified or not per check. No HTTP client, no connection pool:
/// nothing per endpoint outlives the attempt.
/// </para>
/// </summary>
internal static class HttpProbe
{
    private const int ReadBytes = 16 * 1024;
    private static readonly List<SslApplicationProtocol> Http11 = [SslApplicationProtocol.Http11];

    public static async ValueTask<Outcome> RunAsync(HttpCheck check, CheckTarget target, int maxBodyBytes, CancellationToken cancellationToken)
    {
        var endpoint = target.Endpoint;
        byte[] request = HttpRequest.Encode(check, endpoint);
        var readTimeout = check.ReadTimeout!.Value;
        using var timeout = new AttemptTimeout(cancellationToken);
        var socket = Sockets.Open(endpoint, SocketType.Stream, ProtocolType.Tcp, check.BindAddress);
        Stream? stream = null;
        byte[]? buffer = null;
        try
        {
            await Sockets.ConnectAsync(socket, endpoint, check.ConnectTimeout!.Value, timeout).ConfigureAwait(false);
            timeout.Start(readTimeout);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (check.UseTls)
            {
                stream = await HandshakeAsync(check, HttpRequest.Host(check, endpoint), stream, timeout).ConfigureAwait(false);
            }
            await stream.WriteAsync(request, timeout.Token).ConfigureAwait(false);
            using var parser = new HttpReplyParser(check, maxBodyBytes);
            buffer = ArrayPool<byte>.Shared.Rent(ReadBytes);
            while (true)
            {
                int read = await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return parser.Finish();
                }
                if (parser.Feed(buffer.AsSpan(0, read)))
                {
                    return parser.Verdict!.Value;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.Expired)
        {
            return Outcome.Fail($"timeout after {Words.Seconds(readTimeout)} reading the reply");
        }
        catch (IOException e)
        {
            return Outcome.Fail($"read: {Words.Lower(e.InnerException?.Message ?? e.Message)}");
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            socket.Dispose();
        }
    }

    /// <summary>The Host header without a virtual host (see <see cref="HttpRequest.DefaultHost"/>).</summary>
    internal static string DefaultHost(IPEndPoint endpoint, bool tls) => HttpRequest.DefaultHost(endpoint, tls);

    private static async ValueTask<Stream> HandshakeAsync(HttpCheck check, string host, Stream stream, AttemptTimeout timeout)
    {
        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(Options(check, host), timeout.Token).ConfigureAwait(false);
            return tls;
        }
        catch (OperationCanceledException) when (timeout.Expired)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new ProbeFailure($"tls: no handshake within {Words.Seconds(timeout.Limit)}");
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new ProbeFailure($"tls: {Words.Lower(e.InnerException is { } inner && e is IOException ? inner.Message : e.Message)}", e);
        }
    }

    private static SslClientAuthenticationOptions Options(HttpCheck check, string host) => new()
    {
        // An empty name sends no SNI; .NET never sends an IP address as SNI either.
        TargetHost = TlsName(check, host) ?? "",
        RemoteCertificateValidationCallback = check.VerifyTls ? null : AcceptAny,
        // Revocation lists would be fetched over the network on the check's clock.
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        ApplicationProtocols = Http11,
    };

    // VerifyTls false is the check's explicit choice, and keepalived's SSL_GET default: a health
    // check asks whether the server answers, not who it is.
    private static bool AcceptAny(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) => true;

    /// <summary>
    /// The name the TLS client sends as SNI and verifies the certificate against: the check's
    /// server name; with verification but no server name, the Host header's name (so a verified
    /// check still checks a name); otherwise none, and no SNI is sent, as keepalived without enable_sni.
    /// </summary>
    private static string? TlsName(HttpCheck check, string host)
    {
        if (check.ServerName is not null || !check.VerifyTls)
        {
            return check.ServerName;
        }
        // Strip a port: "[2001:db8::1]:8443" → "2001:db8::1", "example.com:8443" → "example.com".
        if (host.StartsWith('['))
        {
            int close = host.IndexOf(']', StringComparison.Ordinal);
            return close > 0 ? host[1..close] : host;
        }
        int colon = host.LastIndexOf(':');
        return colon > 0 ? host[..colon] : host;
    }
}
