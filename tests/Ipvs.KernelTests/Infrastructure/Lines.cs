using System.Globalization;

namespace Ipvs.KernelTests.Infrastructure;

/// <summary>Comparisons of ipvsadm output, with readable failures.</summary>
internal static class Lines
{
    public const string Header = "IP Virtual Server version 1.2.1 (size=4096)";

    /// <summary>The same lines in the same order; trailing blanks (ipvsadm's column padding) are ignored.</summary>
    public static void Equal(IEnumerable<string> expected, IEnumerable<string> actual, string? what = null)
    {
        var e = expected.Select(l => l.TrimEnd()).ToArray();
        var a = actual.Select(l => l.TrimEnd()).ToArray();
        if (!e.SequenceEqual(a, StringComparer.Ordinal))
        {
            Assert.Fail($"{what ?? "ipvsadm output"} differs.\n--- expected ({e.Length} lines)\n{string.Join('\n', e)}\n--- actual ({a.Length} lines)\n{string.Join('\n', a)}\n--- missing\n{string.Join('\n', e.Except(a))}\n--- unexpected\n{string.Join('\n', a.Except(e))}");
        }
    }

    /// <summary>The same lines in any order (ipvsadm -Sn lines each stand alone).</summary>
    public static void SameSet(IEnumerable<string> expected, IEnumerable<string> actual, string? what = null) =>
        Equal(expected.Select(l => l.TrimEnd()).Order(StringComparer.Ordinal), actual.Select(l => l.TrimEnd()).Order(StringComparer.Ordinal), what);

    // Row formats of ipvsadm.c print_service_entry.
    public static string Thresholds(string dest, uint upper, uint lower, uint active = 0, uint inactive = 0) =>
        string.Format(CultureInfo.InvariantCulture, "  -> {0,-28} {1,-10} {2,-10} {3,-10} {4,-10}", dest, upper, lower, active, inactive);

    public static string PersistentConn(string dest, int weight, uint persistent = 0, uint active = 0, uint inactive = 0) =>
        string.Format(CultureInfo.InvariantCulture, "  -> {0,-28} {1,-9} {2,-11} {3,-10} {4,-10}", dest, weight, persistent, active, inactive);

    public static string TunInfo(string dest, string forward, string tunnel, int weight, uint active = 0, uint inactive = 0) =>
        string.Format(CultureInfo.InvariantCulture, "  -> {0,-28} {1,-7} {2,-13} {3,-6} {4,-10} {5,-10}", dest, forward, tunnel, weight, active, inactive);

    public static string Plain(string dest, string forward, int weight, uint active = 0, uint inactive = 0) =>
        string.Format(CultureInfo.InvariantCulture, "  -> {0,-28} {1,-7} {2,-6} {3,-10} {4,-10}", dest, forward, weight, active, inactive);

    public static readonly string[] ThresholdsHeader =
    [
        Header,
        "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn",
        "  -> RemoteAddress:Port",
    ];

    public static readonly string[] PersistentConnHeader =
    [
        Header,
        "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn",
        "  -> RemoteAddress:Port",
    ];

    public static readonly string[] TunInfoHeader =
    [
        Header,
        "Prot LocalAddress:Port Scheduler Flags",
        "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn",
    ];

    public static readonly string[] PlainHeader =
    [
        Header,
        "Prot LocalAddress:Port Scheduler Flags",
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn",
    ];
}
