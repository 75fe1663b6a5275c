namespace Ipvs.Cli.Formats;

/// <summary>An operation and where in the input it came from (file:line, or a JSON path).</summary>
internal sealed record LocatedOperation(string Location, IpvsOperation Operation);
