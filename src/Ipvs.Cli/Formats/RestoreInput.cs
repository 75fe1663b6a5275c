using Ipvs.Admin.Formats;

namespace Ipvs.Cli.Formats;

/// <summary>The formats `ipvs restore` reads.</summary>
internal enum InputFormat
{
    Auto,
    Ipvsadm,
    Json,
}

/// <summary>
/// Reads a whole restore file into operations, or reports every bad line (file:line) or field
/// (file: JSON path) at once. Nothing here touches the kernel.
/// </summary>
internal static class RestoreInput
{
    public static IReadOnlyList<LocatedOperation> Load(byte[] input, string source, InputFormat format)
    {
        if (format == InputFormat.Auto)
        {
            format = LooksLikeJson(input) ? InputFormat.Json : InputFormat.Ipvsadm;
        }
        if (format == InputFormat.Json)
        {
            return TableJson.ToOperations(TableJson.Parse(input, source), source);
        }
        try
        {
            return [.. IpvsadmFormat.Parse(input, source).Select(c => new LocatedOperation(new Ipvs.Desired.SourceLocation(source, c.Line), c.Operation))];
        }
        catch (IpvsadmFormatException e)
        {
            throw new BadInputException([.. e.Errors.Select(x => $"{source}:{x.Line}: {x.Message}")]);
        }
    }

    // A JSON document starts with '{' (after an optional BOM and white space); an ipvsadm rules
    // file starts with a word or a comment.
    private static bool LooksLikeJson(ReadOnlySpan<byte> input)
    {
        if (input.StartsWith("\xEF\xBB\xBF"u8))
        {
            input = input[3..];
        }
        foreach (byte b in input)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                continue;
            }
            return b == (byte)'{';
        }
        return false;
    }
}
