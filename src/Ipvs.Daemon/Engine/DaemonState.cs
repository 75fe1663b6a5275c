using System.Text;
using System.Text.Json;

namespace Ipvs.Daemon.Engine;

/// <summary>A destination's health as last decided, kept across restarts.</summary>
/// <param name="Service">The service.</param>
/// <param name="Destination">The destination.</param>
/// <param name="Up">Whether it was up.</param>
public sealed record RememberedHealth(ServiceKey Service, DestinationKey Destination, bool Up);

/// <summary>
/// What the daemon must not forget when it restarts (even after kill -9): the services it manages
/// (so it can retire them when the configuration drops them), the drains in progress, and which
/// destinations were down (so a restart does not put a dead server back for a round of checks).
/// </summary>
/// <param name="Managed">The services the daemon owns.</param>
/// <param name="Drains">Drains in progress.</param>
/// <param name="Health">Destinations' last health.</param>
public sealed record DaemonState(
    ImmutableArray<ServiceKey> Managed,
    ImmutableArray<DrainEntry> Drains,
    ImmutableArray<RememberedHealth> Health)
{
    /// <summary>Nothing remembered: a first start.</summary>
    public static DaemonState Empty { get; } = new([], [], []);

    /// <summary>The file name inside the state directory.</summary>
    public const string FileName = "ipvs-run.state.json";

    /// <summary>Reads the state file; a missing file is <see cref="Empty"/>.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a state file of this version.</exception>
    public static DaemonState Load(string path)
    {
        if (!File.Exists(path))
        {
            return Empty;
        }
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            if (root.GetProperty("version").GetInt32() != 1)
            {
                throw new InvalidDataException($"{path}: unknown state file version {root.GetProperty("version")}");
            }
            var managed = root.GetProperty("managed").EnumerateArray().Select(e => ServiceKey.Parse(e.GetString()!)).ToImmutableArray();
            var drains = root.GetProperty("drains").EnumerateArray().Select(e => new DrainEntry(
                ServiceKey.Parse(e.GetProperty("service").GetString()!),
                DestinationKey.Parse(e.GetProperty("destination").GetString()!),
                e.GetProperty("since").GetDateTimeOffset(),
                e.GetProperty("deadline").GetDateTimeOffset(),
                Enum.Parse<DrainReason>(e.GetProperty("reason").GetString()!, ignoreCase: true))).ToImmutableArray();
            var health = root.GetProperty("health").EnumerateArray().Select(e => new RememberedHealth(
                ServiceKey.Parse(e.GetProperty("service").GetString()!),
                DestinationKey.Parse(e.GetProperty("destination").GetString()!),
                e.GetProperty("up").GetBoolean())).ToImmutableArray();
            return new DaemonState(managed, drains, health);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: not a valid state file: {e.Message}", e);
        }
    }

    /// <summary>
    /// Writes the state file atomically: a temporary file in the same directory, flushed to disk,
    /// then renamed over the old one, so a crash leaves either the old state or the new, never half.
    /// </summary>
    public void Save(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
        {
            stream.Write(ToJson());
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The file's contents.</summary>
    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("version", 1);
            w.WriteStartArray("managed");
            foreach (var s in Managed)
            {
                w.WriteStringValue(s.ToString());
            }
            w.WriteEndArray();
            w.WriteStartArray("drains");
            foreach (var d in Drains)
            {
                w.WriteStartObject();
                w.WriteString("service", d.Service.ToString());
                w.WriteString("destination", d.Destination.ToString());
                w.WriteString("since", d.Since);
                w.WriteString("deadline", d.Deadline);
                w.WriteString("reason", d.Reason.ToString().ToLowerInvariant());
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("health");
            foreach (var h in Health)
            {
                w.WriteStartObject();
                w.WriteString("service", h.Service.ToString());
                w.WriteString("destination", h.Destination.ToString());
                w.WriteBoolean("up", h.Up);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Equal contents (the arrays compared item by item), to skip writes that change nothing.</summary>
    public bool SameAs(DaemonState other) =>
        other is not null && Managed.SequenceEqual(other.Managed) && Drains.SequenceEqual(other.Drains) && Health.SequenceEqual(other.Health);

    /// <inheritdoc />
    public override string ToString() => Encoding.UTF8.GetString(ToJson());
}
