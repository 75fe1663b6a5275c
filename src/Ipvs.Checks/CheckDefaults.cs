namespace Ipvs.Checks;

/// <summary>
/// Daemon-wide defaults for the settings a check leaves null. The values are keepalived 2.x's
/// (read in keepalived/check/check_api.c, check_data.c, check_http.c, check_dns.c, check_misc.c):
/// where keepalived gives one kind of checker its own default, so does this record. A service's
/// delay_loop and virtualhost are applied by passing <c>defaults with { Interval = …, VirtualHost = … }</c>.
/// </summary>
public sealed record CheckDefaults
{
    /// <summary>The shared instance with keepalived's defaults.</summary>
    public static CheckDefaults Keepalived { get; } = new();

    /// <summary>Time between runs; 60 s (keepalived's KEEPALIVED_DEFAULT_DELAY, the default delay_loop).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a connection may take; 5 s (keepalived's virtual server connect_timeout).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a reply may take (and, for UDP, DNS and ICMP, how long to wait for one); 5 s, as
    /// keepalived uses its one connection timeout for reading too.
    /// </summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Extra attempts in a run; 1 (keepalived's default retry). Program, DNS and file checks have
    /// their own: <see cref="ProgramRetries"/>, <see cref="DnsRetries"/>, and 0 for a file, which
    /// reading again would not change.
    /// </summary>
    public int Retries { get; init; } = 1;

    /// <summary>Extra attempts of a program check; 0 (keepalived's MISC_CHECK default).</summary>
    public int ProgramRetries { get; init; }

    /// <summary>Extra attempts of a DNS check; 3 (keepalived's DNS_DEFAULT_RETRY).</summary>
    public int DnsRetries { get; init; } = 3;

    /// <summary>
    /// The pause before an extra attempt; 1 s (keepalived's default delay_before_retry). HTTP and
    /// DNS checks have their own: <see cref="HttpDelayBeforeRetry"/>, <see cref="DnsDelayBeforeRetry"/>.
    /// </summary>
    public TimeSpan DelayBeforeRetry { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The pause before an extra attempt of an HTTP or HTTPS check; 3 s (keepalived's HTTP_GET and SSL_GET).</summary>
    public TimeSpan HttpDelayBeforeRetry { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The pause before an extra attempt of a DNS check, or null for the check's interval (keepalived's DNS_CHECK).</summary>
    public TimeSpan? DnsDelayBeforeRetry { get; init; }

    /// <summary>
    /// How long a program may run before it is killed, or <see cref="TimeSpan.Zero"/> (the default)
    /// for the check's interval: keepalived's misc_timeout 0 means the delay_loop.
    /// </summary>
    public TimeSpan ProgramTimeout { get; init; }

    /// <summary>The Host header of HTTP checks without a <see cref="HttpCheck.VirtualHost"/> (the service's virtualhost), or null for the address.</summary>
    public string? VirtualHost { get; init; }

    /// <summary>
    /// The most of an HTTP body kept in memory to match <see cref="HttpCheck.BodyRegex"/>; 1 MiB. A
    /// longer body fails such a check; a digest is computed over the whole body as it streams.
    /// </summary>
    public int MaxHttpBodyBytes { get; init; } = 1 << 20;

    /// <summary>
    /// The check with every setting it leaves null filled in from these defaults (the interval, the
    /// timeouts, the retries and their pause, the warm-up, which defaults to the interval as in
    /// keepalived, a program's timeout and an HTTP check's Host). Returns the check itself when it
    /// sets everything.
    /// </summary>
    public HealthCheck Resolve(HealthCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        if (IsResolved(check))
        {
            return check;
        }
        var interval = check.Interval ?? Interval;
        var resolved = check with
        {
            Interval = interval,
            ConnectTimeout = check.ConnectTimeout ?? ConnectTimeout,
            ReadTimeout = check.ReadTimeout ?? ReadTimeout,
            Retries = check.Retries ?? check switch
            {
                ProgramCheck => ProgramRetries,
                DnsCheck => DnsRetries,
                FileCheck => 0,
                _ => Retries,
            },
            DelayBeforeRetry = check.DelayBeforeRetry ?? check switch
            {
                HttpCheck => HttpDelayBeforeRetry,
                DnsCheck => DnsDelayBeforeRetry ?? interval,
                _ => DelayBeforeRetry,
            },
            WarmUp = check.WarmUp ?? interval,
        };
        return resolved switch
        {
            HttpCheck { VirtualHost: null } http when VirtualHost is not null => http with { VirtualHost = VirtualHost },
            ProgramCheck { Timeout: null } program => program with { Timeout = ProgramTimeout > TimeSpan.Zero ? ProgramTimeout : interval },
            _ => resolved,
        };
    }

    private bool IsResolved(HealthCheck check) =>
        check is { Interval: not null, ConnectTimeout: not null, ReadTimeout: not null, Retries: not null, DelayBeforeRetry: not null, WarmUp: not null }
        && check switch
        {
            HttpCheck http => http.VirtualHost is not null || VirtualHost is null,
            ProgramCheck program => program.Timeout is not null,
            _ => true,
        };
}
