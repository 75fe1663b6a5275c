namespace Ipvs.Model;

/// <summary>
/// A scheduler name. The kernel knows the built-in ones below, and any module may register more,
/// so any name is accepted that fits IP_VS_SCHEDNAME_MAXLEN (15 characters plus NUL).
/// </summary>
public readonly record struct Scheduler
{
    /// <summary>The longest name the kernel accepts.</summary>
    public const int MaxLength = 15;

    /// <summary>Creates a scheduler from its name.</summary>
    /// <exception cref="ArgumentException">The name is empty, too long or not printable ASCII.</exception>
    public Scheduler(string name)
    {
        ValidateName(name, nameof(name), "scheduler");
        _name = name;
    }

    private readonly string? _name;

    /// <summary>The name as the kernel knows it, such as <c>wrr</c>. The default value is <c>wlc</c>, as in the kernel and ipvsadm.</summary>
    public string Name => _name ?? "wlc";

    /// <summary>Round robin.</summary>
    public static Scheduler RoundRobin => new("rr");
    /// <summary>Weighted round robin.</summary>
    public static Scheduler WeightedRoundRobin => new("wrr");
    /// <summary>Least connection.</summary>
    public static Scheduler LeastConnection => new("lc");
    /// <summary>Weighted least connection, the kernel's and ipvsadm's default.</summary>
    public static Scheduler WeightedLeastConnection => new("wlc");
    /// <summary>Locality-based least connection.</summary>
    public static Scheduler LocalityLeastConnection => new("lblc");
    /// <summary>Locality-based least connection with replication.</summary>
    public static Scheduler LocalityLeastConnectionReplicated => new("lblcr");
    /// <summary>Destination hashing.</summary>
    public static Scheduler DestinationHashing => new("dh");
    /// <summary>Source hashing.</summary>
    public static Scheduler SourceHashing => new("sh");
    /// <summary>Shortest expected delay.</summary>
    public static Scheduler ShortestExpectedDelay => new("sed");
    /// <summary>Never queue.</summary>
    public static Scheduler NeverQueue => new("nq");
    /// <summary>Weighted failover.</summary>
    public static Scheduler WeightedFailover => new("fo");
    /// <summary>Weighted overflow.</summary>
    public static Scheduler WeightedOverflow => new("ovf");
    /// <summary>Maglev hashing.</summary>
    public static Scheduler MaglevHashing => new("mh");

    /// <summary>The schedulers shipped with Linux 6.1 (twos arrived later and is not listed).</summary>
    public static IReadOnlyList<string> BuiltIn { get; } =
        ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh"];

    /// <summary>Converts a name; throws <see cref="ArgumentException"/> when it cannot be a scheduler.</summary>
    public static implicit operator Scheduler(string name) => new(name);

    /// <summary>Converts a name; throws <see cref="ArgumentException"/> when it cannot be a scheduler.</summary>
    public static Scheduler FromString(string name) => new(name);

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <inheritdoc />
    public bool Equals(Scheduler other) => string.Equals(Name, other.Name, StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    internal static void ValidateName(string? name, string parameter, string what)
    {
        ArgumentNullException.ThrowIfNull(name, parameter);
        if (name.Length == 0)
        {
            throw new ArgumentException($"The {what} name is empty.", parameter);
        }
        if (name.Length > MaxLength)
        {
            throw new ArgumentException($"The {what} name '{name}' has {name.Length} characters; the kernel allows at most {MaxLength}.", parameter);
        }
        foreach (char c in name)
        {
            if (c <= ' ' || c > '~')
            {
                throw new ArgumentException($"The {what} name '{name}' contains a character that is not printable ASCII.", parameter);
            }
        }
    }
}
