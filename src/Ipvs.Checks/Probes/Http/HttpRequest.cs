using System.Text;

namespace Ipvs.Checks.Probes.Http;

/// <summary>
/// The bytes of a check's GET, encoded once per check (the scheduler keeps them with the check):
/// <c>GET path HTTP/1.1</c>, <c>Host</c>, <c>User-Agent: Ipvs.Checks/0.1</c>, <c>Connection: close</c>.
/// The path's spaces, control and non-ASCII characters are percent-encoded and a fragment is
/// dropped, as a URI parser would; a Host with control characters is refused, so no check can
/// smuggle a header into the request.
/// </summary>
internal static class HttpRequest
{
    public const string UserAgent = "Ipvs.Checks/0.1";

    /// <summary>The request of <paramref name="check"/> to <paramref name="endpoint"/>.</summary>
    /// <exception cref="ProbeFailure">The Host header would contain a control character.</exception>
    public static byte[] Encode(HttpCheck check, IPEndPoint endpoint)
    {
        string host = Host(check, endpoint);
        foreach (char c in host)
        {
            if (char.IsControl(c))
            {
                throw new ProbeFailure($"the Host header '{host.ReplaceLineEndings(" ")}' contains a control character");
            }
        }
        var text = new StringBuilder(96 + check.Path.Length + host.Length);
        text.Append("GET ");
        AppendPath(text, check.Path);
        text.Append(" HTTP/1.1\r\nHost: ").Append(host)
            .Append("\r\nUser-Agent: ").Append(UserAgent)
            .Append("\r\nConnection: close\r\n\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>The Host header: the check's virtual host, else the address (with the port unless it is the scheme's).</summary>
    public static string Host(HttpCheck check, IPEndPoint endpoint) => check.VirtualHost ?? DefaultHost(endpoint, check.UseTls);

    /// <summary>The Host header without a virtual host: the address, and the port unless it is the scheme's default.</summary>
    public static string DefaultHost(IPEndPoint endpoint, bool tls)
    {
        bool defaultPort = endpoint.Port == (tls ? 443 : 80);
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return defaultPort ? $"[{endpoint.Address}]" : endpoint.ToString();
        }
        return defaultPort ? endpoint.Address.ToString() : endpoint.ToString();
    }

    private static void AppendPath(StringBuilder text, string path)
    {
        int fragment = path.IndexOf('#', StringComparison.Ordinal);
        var span = fragment >= 0 ? path.AsSpan(0, fragment) : path.AsSpan();
        if (span.IsEmpty || (span[0] != '/' && span[0] != '*'))
        {
            text.Append('/');
        }
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < span.Length; i++)
        {
            char c = span[i];
            if (c > ' ' && c < 0x7f)
            {
                text.Append(c);
                continue;
            }
            int length = char.IsHighSurrogate(c) && i + 1 < span.Length
                ? Encoding.UTF8.GetBytes(span.Slice(i++, 2), utf8)
                : Encoding.UTF8.GetBytes(span.Slice(i, 1), utf8);
            for (int b = 0; b < length; b++)
            {
                text.Append('%').Append(utf8[b].ToString("X2", CultureInfo.InvariantCulture));
            }
        }
    }
}
