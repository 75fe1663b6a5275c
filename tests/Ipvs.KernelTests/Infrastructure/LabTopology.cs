using System.Globalization;

namespace Ipvs.KernelTests.Infrastructure;

/// <summary>
/// A director, a client and real servers in their own network namespaces (lab/netns.sh's
/// lab_topology): real servers answer HTTP on port 80 with their name ("rs1", ...) and echo on
/// TCP and UDP port 9000. Disposing deletes every namespace and process of it.
/// </summary>
internal sealed class LabTopology : IAsyncDisposable
{
    private LabTopology(string prefix, string director, string client, string vip, string[] realServers)
    {
        Prefix = prefix;
        Director = director;
        Client = client;
        Vip = vip;
        RealServers = realServers;
    }

    /// <summary>The name every namespace of this topology starts with.</summary>
    public string Prefix { get; }

    /// <summary>The director's namespace, where IPVS runs.</summary>
    public string Director { get; }

    /// <summary>The client's namespace, which reaches the virtual address through the director.</summary>
    public string Client { get; }

    /// <summary>The virtual address, on the director.</summary>
    public string Vip { get; }

    /// <summary>The real servers' addresses, rs1 first.</summary>
    public IReadOnlyList<string> RealServers { get; }

    /// <summary>
    /// Builds a topology of <paramref name="realServers"/> real servers. <paramref name="options"/>
    /// go to lab_topology (for example "--dr"); <paramref name="setup"/> is more bash, run after it
    /// with the LAB_* variables set (for example a lab_sysctl on "$LAB_NS_DIR").
    /// </summary>
    public static async Task<LabTopology> CreateAsync(int realServers, string options = "", string setup = "")
    {
        KernelLab.Require();
        // Short: interface names are made of it and must fit in 15 characters.
        var prefix = "k" + Guid.NewGuid().ToString("N")[..7];
        var r = await Proc.BashAsync(
            $$"""
            source lab/netns.sh
            lab_topology "$1" "$2" {{options}} >&2 || exit 1
            {{setup}}
            printf '%s\n' "$LAB_NS_DIR" "$LAB_NS_CLI" "$LAB_VIP" "${LAB_RS_IPS[@]}"
            """, prefix, realServers.ToString(CultureInfo.InvariantCulture));
        if (r.ExitCode != 0)
        {
            await DeleteAsync(prefix);
            r.EnsureSuccess();
        }
        return new LabTopology(prefix, r.Lines[0], r.Lines[1], r.Lines[2], r.Lines[3..]);
    }

    /// <summary>Real server <paramref name="i"/> (from 1): lab_rs_VERB, for example "stop" or "start" of its HTTP server.</summary>
    public async Task RealServerAsync(string verb, int i) =>
        (await Proc.BashAsync("source lab/netns.sh; lab_topology_load \"$1\"; lab_rs_" + verb + " \"$2\"",
            Prefix, i.ToString(CultureInfo.InvariantCulture))).EnsureSuccess();

    /// <summary>One HTTP GET from the client's namespace; the body, trimmed (a real server's name).</summary>
    public async Task<string> HttpGetAsync(string url) =>
        (await Proc.BashAsync("source lab/netns.sh; lab_http_get \"$1\" \"$2\"", Client, url)).EnsureSuccess().Stdout.Trim();

    /// <summary><paramref name="count"/> HTTP GETs from the client's namespace, each a new connection; the bodies (one line each).</summary>
    public async Task<string[]> HttpGetManyAsync(string url, int count) =>
        (await Proc.BashAsync(
            """
            source lab/netns.sh
            for ((i = 0; i < $3; i++)); do lab_http_get "$1" "$2" || exit 1; done
            """, Client, url, count.ToString(CultureInfo.InvariantCulture))).EnsureSuccess().Lines;

    /// <summary>The real ipvsadm in the director's namespace; its output lines.</summary>
    public async Task<string[]> IpvsadmAsync(params string[] args) =>
        (await Proc.RunAsync("ip", ["netns", "exec", Director, "ipvsadm", .. args])).EnsureSuccess().Lines;

    public async ValueTask DisposeAsync() => await DeleteAsync(Prefix);

    private static Task<ProcResult> DeleteAsync(string prefix) =>
        Proc.BashAsync("source lab/netns.sh; lab_topology_del \"$1\"", prefix);
}
