namespace Ipvs.AdminTests.Generator;

/// <summary>A virtual service identity the generator draws from.</summary>
/// <param name="Proto">"t", "u", "sctp" or "f".</param>
/// <param name="Addr">The address (none for firewall marks).</param>
/// <param name="Port">The port.</param>
/// <param name="Mark">The firewall mark.</param>
/// <param name="V6">IPv6 (address, or -6 for a mark).</param>
internal sealed record ServiceId(string Proto, string Addr, int Port, string Mark, bool V6);

/// <summary>The fixed pools of services and real servers, small enough that commands often hit existing entries.</summary>
internal static class Pools
{
    public static readonly ServiceId[] Services =
    [
        new("t", "10.0.0.1", 80, "", false),
        new("t", "10.0.0.1", 443, "", false),
        new("u", "10.0.0.1", 53, "", false),
        new("sctp", "10.0.0.2", 80, "", false),
        new("t", "200.0.0.1", 80, "", false),
        new("t", "10.0.0.3", 0, "", false),
        new("u", "10.0.0.2", 5060, "", false),
        new("t", "2001:db8::1", 80, "", true),
        new("u", "2001:db8::1", 53, "", true),
        new("t", "fd00::10", 8080, "", true),
        new("f", "", 0, "1", false),
        new("f", "", 0, "2147483648", false),
        new("f", "", 0, "4294967295", false),
        new("f", "", 0, "7", true),
    ];

    public static readonly string[] DestV4 = ["10.1.0.1", "10.1.0.2", "10.1.0.3", "198.51.100.7", "127.0.0.1", "192.168.77.1", "10.1.0.4"];

    public static readonly string[] DestV6 = ["2001:db8:1::1", "2001:db8:1::2", "2001:db8:77::1", "2001:db8:1::3"];

    public static readonly int[] DestPorts = [80, 8080, 443, 53, 0, 65535];

    public static readonly string[] Schedulers = ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh"];

    public static readonly string[] OddSchedulers = ["none", "bogus", "", "r r", "averyveryverylongschedulername", "WRR", "rr\u00e9"];

    public static readonly Dictionary<string, string> Names = new()
    {
        ["10.0.0.1"] = "web1.example",
        ["10.0.0.2"] = "web2.example",
        ["200.0.0.1"] = "far.example",
        ["10.1.0.1"] = "rs1.example",
        ["10.1.0.2"] = "rs2.example",
        ["10.1.0.3"] = "a-rather-long-real-server-name.example.internal",
        ["198.51.100.7"] = "backend-with-a-very-very-long-hostname.example.org",
    };

    public static readonly string[] BadAddresses =
    [
        "10.0.0.256:80", "foo", "", "1.2.3.4:99999", "[::1", "::1:80", "[::1]", "[1.2.3.4]:80", "12345", "1.2.3.4:",
        ":80", "no-such-host.invalid:80", "1.2.3.4:nosuchservice", "0x0a000001:80", "10.1:80", "[2001:db8::1]:http",
    ];

    public static readonly string[] Garbage =
    [
        "-Q", "--bogus", "--lis", "--tcp", "-", "--", "foo", "--list=1", "-L=", "-Lz", "-h=1", "--zero=x", "-6", "-x",
        "--start-daemon", "--set", "-ZZ", "--help-me", "-R -R", "--atomic", "-A -A",
    ];
}
