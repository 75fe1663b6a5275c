using System.Collections.Concurrent;
using System.Net.Http;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Ipvs.Checks.Probes;

/// <summary>What one HTTP attempt tells the connect callback: where to connect and its timeouts.</summary>
internal sealed class HttpAttempt(IPEndPoint endpoint, TimeSpan connectTimeout, TimeSpan readTimeout, AttemptTimeout timeout)
{
    // Captured now: the callback may run after the attempt has ended and disposed its timeout; a
    // token of a disposed source still links (as never cancelled), its Token property would throw.
    private readonly CancellationToken _token = timeout.Token;
    private readonly Lock _gate = new();
    private bool _finished;

    public IPEndPoint Endpoint { get; } = endpoint;

    public TimeSpan ConnectTimeout { get; } = connectTimeout;

    public TimeSpan ReadTimeout { get; } = readTimeout;

    public CancellationToken Token => _token;

    /// <summary>True once the TCP connection is open: a later timeout is a read timeout.</summary>
    public bool Connected { get; private set; }

    /// <summary>Starts the read phase.</summary>
    public void OnConnected()
    {
        lock (_gate)
        {
            if (!_finished)
            {
                Connected = true;
                timeout.Start(ReadTimeout);
            }
        }
    }

    /// <summary>The attempt is over; its timeout is about to be disposed.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            _finished = true;
        }
    }
}

/// <summary>The settings that decide how a connection is made, so connections of one transport are interchangeable.</summary>
internal readonly record struct TransportKey(IPAddress? Bind, bool Tls, bool Verify, string? TlsName);

/// <summary>
/// One <see cref="SocketsHttpHandler"/> per <see cref="TransportKey"/>, shared by every check
/// with those settings. Its connect callback opens the TCP connection (binding to the check's
/// address, within its connect timeout) and, for HTTPS, does the TLS handshake itself, so that
/// SNI is exactly the check's server name (the handler's own TLS would send the Host header) and
/// certificates are verified or not per check; the handler then speaks plain HTTP/1.1 over it.
/// Requests say <c>Connection: close</c>, so no connection is reused and none lingers in a pool.
/// </summary>
internal static class Transport
{
    private static readonly ConcurrentDictionary<TransportKey, HttpMessageInvoker> Invokers = new();
    private static readonly HttpRequestOptionsKey<HttpAttempt> AttemptKey = new("Ipvs.Checks.HttpAttempt");
    private static readonly List<SslApplicationProtocol> Http11 = [SslApplicationProtocol.Http11];

    public static HttpRequestOptionsKey<HttpAttempt> Key => AttemptKey;

    public static HttpMessageInvoker For(TransportKey key) => Invokers.GetOrAdd(key, static k => new HttpMessageInvoker(Handler(k)));

    private static SocketsHttpHandler Handler(TransportKey key) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.Zero,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(1),
        MaxResponseHeadersLength = 64, // KiB
        ConnectCallback = (context, token) => ConnectAsync(key, context, token),
    };

    private static async ValueTask<Stream> ConnectAsync(TransportKey key, SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        if (!context.InitialRequestMessage.Options.TryGetValue(AttemptKey, out var attempt))
        {
            throw new InvalidOperationException("An HTTP check request carries no attempt.");
        }
        using var phase = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attempt.Token);
        var socket = Sockets.Open(attempt.Endpoint, SocketType.Stream, ProtocolType.Tcp, key.Bind);
        try
        {
            socket.NoDelay = true;
            phase.CancelAfter(attempt.ConnectTimeout);
            try
            {
                await socket.ConnectAsync(attempt.Endpoint, phase.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (Expired(phase, cancellationToken, attempt))
            {
                throw new ProbeFailure($"connect: timeout after {Words.Seconds(attempt.ConnectTimeout)}");
            }
            catch (SocketException e)
            {
                throw new ProbeFailure($"connect: {Words.Socket(e)}", e);
            }
            attempt.OnConnected();
            var stream = new NetworkStream(socket, ownsSocket: true);
            if (!key.Tls)
            {
                return stream;
            }
            phase.CancelAfter(attempt.ReadTimeout);
            var tls = new SslStream(stream, leaveInnerStreamOpen: false);
            try
            {
                await tls.AuthenticateAsClientAsync(Options(key), phase.Token).ConfigureAwait(false);
                return tls;
            }
            catch (OperationCanceledException) when (Expired(phase, cancellationToken, attempt))
            {
                await tls.DisposeAsync().ConfigureAwait(false);
                throw new ProbeFailure($"tls: no handshake within {Words.Seconds(attempt.ReadTimeout)}");
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
                throw new ProbeFailure($"tls: {Words.Lower(e.InnerException is { } inner && e is IOException ? inner.Message : e.Message)}", e);
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static bool Expired(CancellationTokenSource phase, CancellationToken callback, HttpAttempt attempt) =>
        phase.IsCancellationRequested && !callback.IsCancellationRequested && !attempt.Token.IsCancellationRequested;

    private static SslClientAuthenticationOptions Options(TransportKey key) => new()
    {
        // An empty name sends no SNI; .NET never sends an IP address as SNI either.
        TargetHost = key.TlsName ?? "",
        RemoteCertificateValidationCallback = key.Verify ? null : AcceptAny,
        // Revocation lists would be fetched over the network on the check's clock.
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        ApplicationProtocols = Http11,
    };

    // VerifyTls false is the check's explicit choice, and keepalived's SSL_GET default: a health
    // check asks whether the server answers, not who it is.
    private static bool AcceptAny(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) => true;
}
