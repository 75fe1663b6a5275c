using System.Text.Json.Serialization;

namespace Ipvs.Desired;

// The JSON documents of PlanJson, as plain classes for System.Text.Json's source generator. Every
// property is always written (null or [] when it does not apply), so the shape is fixed per target.

internal sealed class PlanDocument
{
    public int Version { get; init; } = PlanJson.FormatVersion;
    public required PlanSummaryJson Summary { get; init; }
    public required List<ChangeJson> Changes { get; init; }
}

internal sealed class PlanSummaryJson
{
    public int Add { get; init; }
    public int Change { get; init; }
    public int Delete { get; init; }
}

internal sealed class ChangeJson
{
    public required string Kind { get; init; }
    public required string Target { get; init; }
    public string? Service { get; init; }
    public string? Destination { get; init; }
    public required List<string> ChangedFields { get; init; }
    public SettingsJson? Before { get; init; }
    public SettingsJson? After { get; init; }
    public required List<DestinationSettingsJson> DestinationsBefore { get; init; }
    public LocationJson? Location { get; init; }
}

// Written as the runtime type's properties, without a type discriminator: "target" says which.
[JsonPolymorphic]
[JsonDerivedType(typeof(ServiceSettingsJson))]
[JsonDerivedType(typeof(DestinationSettingsJson))]
[JsonDerivedType(typeof(TimeoutsJson))]
internal abstract class SettingsJson;

internal sealed class ServiceSettingsJson : SettingsJson
{
    public required string Service { get; init; }
    public required string Scheduler { get; init; }
    public required List<string> Flags { get; init; }
    public uint PersistenceTimeout { get; init; }
    public required string Netmask { get; init; }
    public string? PersistenceEngine { get; init; }
}

internal sealed class DestinationSettingsJson : SettingsJson
{
    public required string Destination { get; init; }
    public required string Forwarding { get; init; }
    public int Weight { get; init; }
    public uint UpperThreshold { get; init; }
    public uint LowerThreshold { get; init; }
    public required string TunnelType { get; init; }
    public ushort TunnelPort { get; init; }
    public required string TunnelFlags { get; init; }
}

internal sealed class TimeoutsJson : SettingsJson
{
    public long Tcp { get; init; }
    public long TcpFin { get; init; }
    public long Udp { get; init; }
}

internal sealed class LocationJson
{
    public required string File { get; init; }
    public int Line { get; init; }
    public int Column { get; init; }
}

internal sealed class ReportDocument
{
    public int Version { get; init; } = PlanJson.FormatVersion;
    public bool Succeeded { get; init; }
    public bool RolledBack { get; init; }
    public required ReportSummaryJson Summary { get; init; }
    public required List<ResultJson> Results { get; init; }
}

internal sealed class ReportSummaryJson
{
    public int Applied { get; init; }
    public int Failed { get; init; }
    public int NotAttempted { get; init; }
    public int Unknown { get; init; }
    public int RolledBack { get; init; }
    public int RollbackFailed { get; init; }
}

internal sealed class ResultJson
{
    public required string Outcome { get; init; }
    public required ChangeJson Change { get; init; }
    public ErrorJson? Error { get; init; }
    public ErrorJson? RollbackError { get; init; }
}

internal sealed class ErrorJson
{
    public int Errno { get; init; }
    public required string Name { get; init; }
    public required string Message { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, GenerationMode = JsonSourceGenerationMode.Default)]
[JsonSerializable(typeof(PlanDocument))]
[JsonSerializable(typeof(ReportDocument))]
internal sealed partial class DesiredJsonContext : JsonSerializerContext;
