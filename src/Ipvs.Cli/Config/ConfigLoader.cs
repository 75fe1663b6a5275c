using Ipvs.Cli.Formats;
using Ipvs.Desired;

namespace Ipvs.Cli.Config;

/// <summary>The kinds of configuration `ipvs check|plan|apply` read.</summary>
internal enum ConfigFormat
{
    Auto,
    Csx,
    Keepalived,
    Ipvsadm,
    Json,
}

/// <summary>
/// Reads a configuration of any kind into a validated desired state, or throws
/// <see cref="BadInputException"/> listing every problem with its place. Nothing here touches
/// the kernel: a C# script is evaluated declaratively, where a live-object call is an error.
/// </summary>
internal static class ConfigLoader
{
    public static async Task<LoadedConfig> LoadAsync(string path, ConfigFormat format, IReadOnlyList<string> args, bool lenient, TextWriter log, CancellationToken ct)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"{path}: {e.Message}");
        }
        if (format == ConfigFormat.Auto)
        {
            format = Detect(path, bytes);
        }
        var (state, warnings) = format switch
        {
            ConfigFormat.Csx => await ScriptConfig.LoadAsync(path, args, log, ct).ConfigureAwait(false),
            ConfigFormat.Keepalived => KeepalivedConfig.Load(path, lenient),
            ConfigFormat.Json => (TableConfig.FromOperations(RestoreInput.Load(bytes, path, InputFormat.Json)), Array.Empty<string>()),
            _ => (TableConfig.FromOperations(RestoreInput.Load(bytes, path, InputFormat.Ipvsadm)), Array.Empty<string>()),
        };
        if (format == ConfigFormat.Csx)
        {
            return new LoadedConfig(state, format, warnings); // the scripting host has validated it
        }
        var result = DesiredValidator.Validate(state);
        var errors = result.Problems.Where(p => p.Severity == ProblemSeverity.Error).Select(Format).ToList();
        if (errors.Count > 0)
        {
            throw new BadInputException(errors);
        }
        return new LoadedConfig(state, format, [.. warnings, .. result.Problems.Where(p => p.Severity != ProblemSeverity.Error).Select(Format)]);
    }

    public static string Format(ValidationProblem p) =>
        (p.Location is { } at ? $"{at}: " : "") + (p.Severity == ProblemSeverity.Error ? "" : "warning: ") + p.Message + (p.Hint is { } hint ? $" ({hint})" : "");

    /// <summary>By extension first (.csx, .json), then by the first word of the file.</summary>
    internal static ConfigFormat Detect(string path, byte[] bytes)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".csx")
        {
            return ConfigFormat.Csx;
        }
        if (ext == ".json")
        {
            return ConfigFormat.Json;
        }
        string text = System.Text.Encoding.UTF8.GetString(bytes);
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            if (line[0] == '{')
            {
                return ConfigFormat.Json;
            }
            if (line[0] == '#')
            {
                continue; // a comment in both ipvsadm rules and keepalived.conf
            }
            // Every ipvsadm rule is an option (-A, -a, --set …), possibly after the word ipvsadm;
            // a keepalived.conf line is a keyword ($DEFINE, @conditional, global_defs, virtual_server …).
            return line[0] == '-' || line.StartsWith("ipvsadm ", StringComparison.Ordinal) ? ConfigFormat.Ipvsadm : ConfigFormat.Keepalived;
        }
        return Path.GetFileName(path).Contains("keepalived", StringComparison.OrdinalIgnoreCase) ? ConfigFormat.Keepalived : ConfigFormat.Ipvsadm;
    }
}

/// <summary>A configuration read and validated: the state, its kind, and warnings to show.</summary>
internal sealed record LoadedConfig(DesiredState State, ConfigFormat Format, IReadOnlyList<string> Warnings);
