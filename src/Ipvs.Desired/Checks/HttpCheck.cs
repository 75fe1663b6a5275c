namespace Ipvs.Desired;

/// <summary>
/// An HTTP GET (or HTTPS with <see cref="UseTls"/>) of one path, passing when the status is one of
/// <see cref="StatusCodes"/> and the body matches (keepalived's HTTP_GET and SSL_GET, one url each;
/// several checks on a destination must all pass, as keepalived's urls must).
/// </summary>
public sealed record HttpCheck : HealthCheck
{
    /// <inheritdoc />
    public override string Kind => UseTls ? "https" : "http";

    /// <summary>The path and query; starts with <c>/</c>.</summary>
    public string Path { get; init; } = "/";

    /// <summary>Accepted status codes or ranges; empty means 200–299.</summary>
    public ImmutableArray<StatusRange> StatusCodes
    {
        get;
        init => field = value.IsDefault ? [] : value;
    } = [];

    /// <summary>A regular expression the body must match, or null.</summary>
    public string? BodyRegex { get; init; }

    /// <summary>The MD5 digest of the expected body in hex (keepalived's digest), or null.</summary>
    public string? BodyDigest { get; init; }

    /// <summary>The Host header, or null for the service's <see cref="ServicePolicy.VirtualHost"/> or the address.</summary>
    public string? VirtualHost { get; init; }

    /// <summary>Use HTTPS.</summary>
    public bool UseTls { get; init; }

    /// <summary>The TLS server name (SNI), or null for none.</summary>
    public string? ServerName { get; init; }

    /// <summary>Verify the server's certificate chain and name.</summary>
    public bool VerifyTls { get; init; }

    internal override bool NeedsPort => true;
}

/// <summary>HTTP status codes from <see cref="Low"/> to <see cref="High"/>, both included.</summary>
/// <param name="Low">The first code.</param>
/// <param name="High">The last code.</param>
public readonly record struct StatusRange(int Low, int High)
{
    /// <summary>One code.</summary>
    public static StatusRange Single(int code) => new(code, code);

    /// <summary>Parses <c>200</c> or <c>200-299</c>.</summary>
    /// <exception cref="FormatException">The text is neither.</exception>
    public static StatusRange Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return Single(Number(text, text));
        }
        return new StatusRange(Number(text[..dash], text), Number(text[(dash + 1)..], text));
    }

    /// <summary>True when the code is in the range.</summary>
    public bool Contains(int code) => code >= Low && code <= High;

    /// <summary><c>200</c> or <c>200-299</c>.</summary>
    public override string ToString() => Low == High
        ? Low.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{Low}-{High}");

    private static int Number(string part, string text) =>
        int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            ? n
            : throw new FormatException($"'{text}' is not a status code or a range such as 200-299.");
}
