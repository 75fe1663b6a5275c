using Ipvs.Desired;
using Ipvs.Keepalived;

namespace Ipvs.Cli.Config;

/// <summary>
/// A keepalived.conf as a configuration: its LVS part (virtual servers, groups, real servers,
/// checkers, lvs_timeouts) becomes the desired state. Strict unless --lenient; VRRP and the
/// other blocks ipvs does not handle are warnings, never silence.
/// </summary>
internal static class KeepalivedConfig
{
    public static (DesiredState State, string[] Warnings) Load(string path, bool lenient)
    {
        var result = KeepalivedImport.Load(path, new KeepalivedParserOptions { Mode = lenient ? KeepalivedParseMode.Lenient : KeepalivedParseMode.Strict });
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        if (errors.Count > 0 || result.State is null)
        {
            throw new BadInputException(errors.Count > 0 ? errors : [$"{path}: no configuration"]);
        }
        return (result.State, [.. result.Diagnostics.Where(d => d.Severity != DiagnosticSeverity.Error).Select(d => d.ToString())]);
    }
}
