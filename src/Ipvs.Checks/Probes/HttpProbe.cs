using System.Buffers;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Text;
using System.Text.RegularExpressions;

namespace Ipvs.Checks.Probes;

/// <summary>
/// HTTP_GET and SSL_GET: one GET of the path over a fresh connection (<c>Connection: close</c>;
/// redirects are not followed), passing when the status is in the accepted ranges (200-299 when
/// none are given) and the body matches the regex or has the MD5 digest. The Host header is the
/// check's virtual host, else the service's, else the address (with the port unless it is the
/// scheme's). The connect timeout bounds the TCP connect; the read timeout bounds everything after
/// it: the TLS handshake, the request and the whole reply.
/// </summary>
internal static class HttpProbe
{
    private static readonly ConditionalWeakTable<HttpCheck, Regex> Regexes = new();
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);
    private static readonly ProductInfoHeaderValue UserAgent = new("Ipvs.Checks", "0.1");

    public static async ValueTask<Outcome> RunAsync(HttpCheck check, CheckTarget target, int maxBodyBytes, CancellationToken cancellationToken)
    {
        var endpoint = target.Endpoint;
        string host = check.VirtualHost ?? DefaultHost(endpoint, check.UseTls);
        var invoker = Transport.For(new TransportKey(check.BindAddress, check.UseTls, check.VerifyTls, TlsName(check, host)));
        using var timeout = new AttemptTimeout(cancellationToken);
        var attempt = new HttpAttempt(endpoint, check.ConnectTimeout!.Value, check.ReadTimeout!.Value, timeout);
        // A backstop until the connect callback starts the read phase; the callback times the connect itself.
        timeout.Start(attempt.ConnectTimeout + attempt.ReadTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://{endpoint}{check.Path}"))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Host = host;
        request.Headers.ConnectionClose = true;
        request.Headers.UserAgent.Add(UserAgent);
        request.Options.Set(Transport.Key, attempt);
        try
        {
            using var response = await invoker.SendAsync(request, timeout.Token).ConfigureAwait(false);
            return await JudgeAsync(check, response, maxBodyBytes, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.Expired)
        {
            return Outcome.Fail(attempt.Connected
                ? $"timeout after {Words.Seconds(attempt.ReadTimeout)} reading the reply"
                : $"connect: timeout after {Words.Seconds(attempt.ConnectTimeout)}");
        }
        catch (HttpRequestException e)
        {
            return Outcome.Fail(Describe(e));
        }
        catch (IOException e)
        {
            return Outcome.Fail($"read: {Words.Lower(e.InnerException?.Message ?? e.Message)}");
        }
        finally
        {
            attempt.Finish();
        }
    }

    private static async ValueTask<Outcome> JudgeAsync(HttpCheck check, HttpResponseMessage response, int maxBodyBytes, CancellationToken cancellationToken)
    {
        int status = (int)response.StatusCode;
        if (!Accepts(check.StatusCodes, status))
        {
            return Outcome.Fail($"status {status} not in {Ranges(check.StatusCodes)}");
        }
        if (check.BodyDigest is null && check.BodyRegex is null)
        {
            return Outcome.Pass;
        }
        using var body = await BodyReader.ReadAsync(response.Content, check.BodyDigest is not null, check.BodyRegex is null ? 0 : maxBodyBytes, cancellationToken).ConfigureAwait(false);
        if (check.BodyDigest is { } expected && !string.Equals(body.Digest, expected, StringComparison.OrdinalIgnoreCase))
        {
            return Outcome.Fail($"body digest {body.Digest}, not {expected.ToLowerInvariant()}");
        }
        if (check.BodyRegex is { } pattern)
        {
            return body.TooLong
                ? Outcome.Fail($"body longer than {maxBodyBytes} bytes, the most matched against a regex")
                : MatchBody(check, pattern, body.Bytes);
        }
        return Outcome.Pass;
    }

    private static Outcome MatchBody(HttpCheck check, string pattern, ReadOnlySpan<byte> bytes)
    {
        Regex regex;
        try
        {
            regex = Regexes.GetValue(check, static c => new Regex(c.BodyRegex!, RegexOptions.CultureInvariant, RegexTimeout));
        }
        catch (ArgumentException e)
        {
            return Outcome.Fail($"the body regex does not parse: {e.Message}");
        }
        char[] text = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(bytes.Length));
        try
        {
            int length = Encoding.UTF8.GetChars(bytes, text);
            return regex.IsMatch(text.AsSpan(0, length)) ? Outcome.Pass : Outcome.Fail($"body does not match /{pattern}/");
        }
        catch (RegexMatchTimeoutException)
        {
            return Outcome.Fail($"body regex /{pattern}/ gave no verdict within {Words.Seconds(RegexTimeout)}");
        }
        finally
        {
            ArrayPool<char>.Shared.Return(text);
        }
    }

    internal static bool Accepts(ImmutableArray<StatusRange> ranges, int status)
    {
        if (ranges.IsDefaultOrEmpty)
        {
            return status is >= 200 and <= 299;
        }
        foreach (var range in ranges)
        {
            if (range.Contains(status))
            {
                return true;
            }
        }
        return false;
    }

    private static string Ranges(ImmutableArray<StatusRange> ranges) =>
        ranges.IsDefaultOrEmpty ? "200-299" : string.Join(", ", ranges);

    /// <summary>The Host header without a virtual host: the address, and the port unless it is the scheme's default.</summary>
    internal static string DefaultHost(IPEndPoint endpoint, bool tls)
    {
        bool defaultPort = endpoint.Port == (tls ? 443 : 80);
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return defaultPort ? $"[{endpoint.Address}]" : endpoint.ToString();
        }
        return defaultPort ? endpoint.Address.ToString() : endpoint.ToString();
    }

    /// <summary>
    /// The name the TLS client sends as SNI and verifies the certificate against: the check's
    /// server name; with verification but no server name, the Host header's name (so a verified
    /// check still checks a name); otherwise none, and no SNI is sent, as keepalived without enable_sni.
    /// </summary>
    private static string? TlsName(HttpCheck check, string host)
    {
        if (!check.UseTls)
        {
            return null;
        }
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

    private static string Describe(HttpRequestException e)
    {
        for (Exception? inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case ProbeFailure failure:
                    return failure.Message;
                case AuthenticationException tls:
                    return $"tls: {Words.Lower(tls.Message)}";
                case SocketException socket:
                    return $"connect: {Words.Socket(socket)}";
            }
        }
        return e.HttpRequestError switch
        {
            HttpRequestError.ResponseEnded => "the server closed the connection without a complete reply",
            HttpRequestError.InvalidResponse => $"invalid HTTP reply: {Words.Lower(e.Message)}",
            HttpRequestError.ConfigurationLimitExceeded => "reply headers too large",
            _ => Words.Lower(e.Message),
        };
    }
}
