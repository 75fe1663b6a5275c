using Ipvs.Desired;
using Ipvs.Keepalived.Parsing;
using DesiredLocation = Ipvs.Desired.SourceLocation;

namespace Ipvs.Keepalived.Mapping;

/// <summary>
/// One import of a parsed configuration: the global settings, then every virtual server in file
/// order, each becoming one desired service (or one per group address and fwmark), then the whole
/// state through <see cref="DesiredValidator"/>. Findings go to the parser's
/// <see cref="DiagnosticBag"/>, so strict and lenient mean the same here as in the parser:
/// <see cref="DiagnosticBag.Deviation"/> where keepalived silently changes what was written on its
/// way to the kernel, <see cref="DiagnosticBag.Warning"/> where the desired state has no place for a
/// setting, <see cref="DiagnosticBag.Fatal"/> where no state can be built.
/// </summary>
internal sealed partial class ImportSession(KeepalivedConfig config, DiagnosticBag diagnostics)
{
    private readonly KeepalivedConfig _config = config;
    private readonly DiagnosticBag _d = diagnostics;

    public DesiredState Run()
    {
        var timeouts = Global();
        var services = new List<DesiredService>();
        foreach (var vs in _config.VirtualServers)
        {
            services.AddRange(Services(vs));
        }
        var state = new DesiredState(services)
        {
            Timeouts = timeouts?.Timeouts,
            TimeoutsLocation = timeouts is null ? null : ToDesired(timeouts.Value.Location),
        };
        if (!_d.HasErrors)
        {
            Validate(state);
        }
        return state;
    }

    // The rules of Ipvs.Desired (thresholds in order, hook paths absolute, ...) that the AST cannot
    // break by construction. Warnings are left to the caller's own validation (ipvs check shows them).
    private void Validate(DesiredState state)
    {
        // A group's services share their real servers, so one mistake is one problem per service:
        // report it once, at its place, with the count.
        foreach (var same in DesiredValidator.Validate(state).Errors.GroupBy(p => (p.Code, p.Location, p.Hint)))
        {
            var problem = same.First();
            int others = same.Count() - 1;
            var message = others == 0 ? problem.Message : $"{problem.Message} (and the same for {others} more service(s) of its virtual_server_group)";
            _d.Fatal(problem.Code, FromDesired(problem.Location), message, problem.Hint);
        }
    }

    /// <summary>Builds a library value, turning what its constructors refuse into a located error in their words.</summary>
    private bool Try<T>(Func<T> create, SourceLocation at, out T value)
    {
        try
        {
            value = create();
            return true;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            _d.Fatal(DiagnosticCodes.InvalidValue, at, ValidationProblem.FromException(e).Message);
            value = default!;
            return false;
        }
    }

    /// <summary>A setting that keepalived acts on and the desired state cannot carry.</summary>
    private void NotMapped(SourceLocation at, string message, string? hint = null) =>
        _d.Warning(DiagnosticCodes.NotMapped, at, message, hint);

    private static DesiredLocation ToDesired(SourceLocation at) => new(at.File, at.Line, at.Column);

    private SourceLocation FromDesired(DesiredLocation? at) => at is { } l
        ? new SourceLocation(l.File, l.Line, l.Column)
        : new SourceLocation(_config.Files.IsDefaultOrEmpty ? "keepalived.conf" : _config.Files[0], 0, 0);

    private static SourceLocation? Written(ImmutableDictionary<string, SourceLocation> settings, params ReadOnlySpan<string> keywords)
    {
        foreach (var keyword in keywords)
        {
            if (settings.TryGetValue(keyword, out var at))
            {
                return at;
            }
        }
        return null;
    }
}
