using System.Text.RegularExpressions;

namespace Ipvs.Desired;

public static partial class DesiredValidator
{
    private static void Check(DesiredService ds, DesiredDestination dd, HealthCheck check, List<ValidationProblem> problems)
    {
        var at = check.Location ?? dd.Location ?? ds.Location;
        var what = $"Service {ds.Key}: destination {dd.Key}: the {check.Kind} check";
        void Error(string code, string message, string? hint = null) =>
            problems.Add(ValidationProblem.Error(code, $"{what} {message}", at, hint));
        void Warning(string code, string message, string? hint = null) =>
            problems.Add(ValidationProblem.Warning(code, $"{what} {message}", at, hint));

        if (check.Rise < 1)
        {
            Error("check-rise", $"has rise {check.Rise}; it must be 1 or more.");
        }
        if (check.Fall < 1)
        {
            Error("check-fall", $"has fall {check.Fall}; it must be 1 or more.");
        }
        Positive(check.Interval, "interval", "check-interval", Error);
        Positive(check.ConnectTimeout, "connect timeout", "check-connect-timeout", Error);
        Positive(check.ReadTimeout, "read timeout", "check-read-timeout", Error);
        if (check.Retries < 0)
        {
            Error("check-retries", $"has {check.Retries} retries; it must be 0 or more.");
        }
        if (check.DelayBeforeRetry < TimeSpan.Zero)
        {
            Error("check-delay-before-retry", $"has the delay before retry {check.DelayBeforeRetry}; it must be 0 or more.");
        }
        AtMostMax(check.DelayBeforeRetry, "delay before retry", "check-delay-before-retry", Error);
        if (check.WarmUp < TimeSpan.Zero)
        {
            Error("check-warmup", $"has the warm-up {check.WarmUp}; it must be 0 or more.");
        }
        AtMostMax(check.WarmUp, "warm-up", "check-warmup", Error);
        if (check.ConnectPort is { } port and (< 1 or > ushort.MaxValue))
        {
            Error("check-port", $"connects to port {port}; ports are 1 to 65535.");
        }
        else if (check.NeedsPort && check.ConnectPort is null && dd.Key.Port == 0)
        {
            Error("check-no-port", "has no port to connect to: the destination's port is 0.",
                "Set the check's connect port (a firewall-mark or all-ports service leaves the destination's port 0).");
        }
        if (check.ConnectAddress is { } ca && ca.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            Error("check-address", $"connects to '{ca}', which is neither IPv4 nor IPv6.");
        }
        if (check.BindAddress is { } ba && ba.AddressFamily != (check.ConnectAddress ?? dd.Destination.Address).AddressFamily)
        {
            Error("check-bind-family", $"binds to {ba}, another address family than the address it connects to.");
        }

        switch (check)
        {
            case HttpCheck http:
                Http(http, Error, Warning);
                break;
            case UdpCheck udp when !udp.RequireReply && udp.ExpectedReply.Length > 0:
                Warning("udp-expected-reply-unused", "expects a reply but does not require one, so the reply is never checked.",
                    "Set RequireReply.");
                break;
            case DnsCheck dns:
                if (!Enum.IsDefined(dns.Type))
                {
                    Error("dns-type", $"asks for the unknown type {(ushort)dns.Type}.");
                }
                if (string.IsNullOrEmpty(dns.Name) || dns.Name.Length > 253)
                {
                    Error("dns-name", $"asks for the name '{dns.Name}'; a name has 1 to 253 characters ('.' is the root).");
                }
                break;
            case SmtpCheck { HeloName: { Length: 0 } }:
                Error("smtp-helo", "has an empty HELO name.", "Leave it unset to use the host's name.");
                break;
            case ProgramCheck program:
                if (!Path.IsPathFullyQualified(program.Path))
                {
                    Error("program-path", $"runs '{program.Path}', which is not an absolute path.",
                        "Programs run without a shell or a search path; give the full path.");
                }
                Positive(program.Timeout, "timeout", "program-timeout", Error);
                if (program.User is { Length: 0 })
                {
                    Error("program-user", "names an empty user.");
                }
                break;
            case FileCheck file:
                if (string.IsNullOrEmpty(file.Path))
                {
                    Error("file-path", "names no file.");
                }
                if (file.Weight < 0)
                {
                    Error("file-weight", $"has the multiplier {file.Weight}; it must be 0 or more.", "Use Reverse to lower the weight.");
                }
                break;
            case DelegateCheck { Probe: null }:
                Error("delegate-probe", "has no probe.");
                break;
        }
    }

    private static void Http(HttpCheck http, Action<string, string, string?> error, Action<string, string, string?> warning)
    {
        if (string.IsNullOrEmpty(http.Path) || http.Path[0] != '/')
        {
            error("http-path", $"asks for '{http.Path}'; the path must start with '/'.", null);
        }
        foreach (var range in http.StatusCodes)
        {
            if (range.Low < 100 || range.High > 599 || range.Low > range.High)
            {
                error("http-status", $"accepts the status codes {range}; codes are 100 to 599, the lower first.", null);
            }
        }
        if (http.BodyRegex is not null && http.BodyDigest is not null)
        {
            error("http-body", "has both a body regex and a body digest.", "Keep one: a digest already fixes the whole body.");
        }
        if (http.BodyRegex is { } pattern)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                error("http-regex", $"has the body regex '{pattern}', which does not parse: {e.Message}", null);
            }
        }
        if (http.BodyDigest is { } digest && (digest.Length != 32 || !digest.All(char.IsAsciiHexDigit)))
        {
            error("http-digest", $"has the body digest '{digest}'; an MD5 digest is 32 hex digits.", "genhash prints it for a live server.");
        }
        if (http.VirtualHost is { Length: 0 })
        {
            error("http-virtualhost", "has an empty virtual host.", "Leave it unset to use the service's.");
        }
        if (!http.UseTls && (http.ServerName is not null || http.VerifyTls))
        {
            warning("http-tls-unused", "sets TLS options but does not use TLS.", "Set UseTls for HTTPS.");
        }
    }

    private static void Positive(TimeSpan? value, string name, string code, Action<string, string, string?> error)
    {
        if (value is { } v && v <= TimeSpan.Zero)
        {
            error(code, $"has the {name} {v}; it must be positive.", null);
        }
        AtMostMax(value, name, code, error);
    }

    private static void AtMostMax(TimeSpan? value, string name, string code, Action<string, string, string?> error)
    {
        if (value is { } v && v > HealthCheck.MaxDuration)
        {
            error(code, $"has the {name} {v}; it must be at most {HealthCheck.MaxDuration.TotalDays:0} days.", null);
        }
    }
}
