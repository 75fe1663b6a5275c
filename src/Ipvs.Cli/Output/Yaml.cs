using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Ipvs.Cli.Output;

/// <summary>
/// YAML output as a faithful rendering of the JSON output: the same document, walked as JSON and
/// emitted through YamlDotNet's emitter (which knows YAML's quoting rules). Strings that YAML
/// would read as another type ("80", "true", "null") are quoted, so the types survive.
/// </summary>
internal static class Yaml
{
    public static string FromJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        using var writer = new StringWriter();
        var emitter = new Emitter(writer);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Write(emitter, doc.RootElement);
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void Write(IEmitter e, JsonElement v)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Object:
                e.Emit(new MappingStart());
                foreach (var p in v.EnumerateObject())
                {
                    e.Emit(new Scalar(p.Name));
                    Write(e, p.Value);
                }
                e.Emit(new MappingEnd());
                break;
            case JsonValueKind.Array:
                e.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, SequenceStyle.Block));
                foreach (var item in v.EnumerateArray())
                {
                    Write(e, item);
                }
                e.Emit(new SequenceEnd());
                break;
            case JsonValueKind.String:
                string s = v.GetString()!;
                e.Emit(new Scalar(AnchorName.Empty, TagName.Empty, s, ScalarStyle.Any, !LooksLikeAnotherType(s), true));
                break;
            default:
                // Numbers, booleans and null as JSON spells them, which YAML reads the same.
                e.Emit(new Scalar(AnchorName.Empty, TagName.Empty, v.GetRawText(), ScalarStyle.Plain, true, false));
                break;
        }
    }

    private static bool LooksLikeAnotherType(string s) =>
        s.Length == 0
        || double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
        || s.ToLowerInvariant() is "true" or "false" or "yes" or "no" or "on" or "off" or "null" or "~" or "y" or "n"
        || s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || s.StartsWith("0o", StringComparison.OrdinalIgnoreCase)
        || s.Contains(':', StringComparison.Ordinal);
}
