using Ipvs.Desired;

namespace Ipvs.Cli.Formats;

/// <summary>An operation and where in the input it came from (file:line, or file: JSON path).</summary>
internal sealed record LocatedOperation(SourceLocation Where, IpvsOperation Operation)
{
    /// <summary>For messages: "rules:4", "table.json: services[1]", "--flush".</summary>
    public string Location => Where.ToString();
}
