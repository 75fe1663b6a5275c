using System.Collections.Concurrent;
using System.Net.Http;

namespace Ipvs.Scripting;

/// <summary>The reply to <see cref="Http.Get"/>.</summary>
/// <param name="Status">The HTTP status code; 0 when no reply came (refused, timed out, …).</param>
/// <param name="Body">The body; null when no reply came, as mruby-ipvs's <c>Curl::get(…).body == nil</c>.</param>
/// <param name="Error">Why no reply came, or null.</param>
public sealed record HttpResult(int Status, string? Body, string? Error)
{
    /// <summary>True for a 2xx reply.</summary>
    public bool Ok => Status is >= 200 and <= 299;
}

/// <summary>
/// An HTTP GET right now, for imperative scripts (Fig. 18): <c>Http.Get($"http://{web.Addr}/")</c>.
/// It never throws for a server that is down (the result says so), only when the script is
/// cancelled. Each request uses a fresh connection, as a health check must. To declare a check for
/// the daemon instead, use <see cref="Check.Http"/>.
/// </summary>
public static class Http
{
    /// <summary>The timeout when none is given.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(5);

    // One client per namespace: HttpClient is meant to be shared, and its handler decides where sockets are made.
    private static readonly ConcurrentDictionary<string, HttpClient> Clients = new(StringComparer.Ordinal);

    /// <summary>GETs the URL and waits for the reply (up to the timeout, 5 s by default).</summary>
    public static HttpResult Get(string url, TimeSpan? timeout = null) =>
        GetAsync(url, timeout).GetAwaiter().GetResult();

    /// <summary>GETs the URL; several can run at once (<c>await Task.WhenAll(…)</c>), so checks need not run one after another.</summary>
    public static async Task<HttpResult> GetAsync(string url, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        var outer = cancellationToken.CanBeCanceled ? cancellationToken : ScriptContext.Token;
        var limit = timeout ?? DefaultTimeout;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        cts.CancelAfter(limit);
        var client = Client(ScriptContext.Current?.NetworkNamespace);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.ConnectionClose = true;
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cts.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cts.Token).ConfigureAwait(false);
            return new HttpResult((int)response.StatusCode, body, null);
        }
        catch (OperationCanceledException) when (!outer.IsCancellationRequested)
        {
            return new HttpResult(0, null, $"no reply within {limit.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SocketException)
        {
            return new HttpResult(0, null, e.InnerException is SocketException s ? s.Message : e.Message);
        }
    }

    private static HttpClient Client(string? ns) => Clients.GetOrAdd(ns ?? "", key =>
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            // A health check judges a fresh connection, not one pooled before the server went away.
            PooledConnectionLifetime = TimeSpan.Zero,
        };
        if (key.Length > 0)
        {
            handler.ConnectCallback = async (context, ct) =>
            {
                var address = await NetworkNamespaces.ResolveAsync(context.DnsEndPoint.Host, ct).ConfigureAwait(false);
                var socket = NetworkNamespaces.CreateSocket(key, address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.NoDelay = true;
                    await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    });
}
