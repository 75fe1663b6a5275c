namespace Ipvs.KernelTests.Infrastructure;

/// <summary>
/// A fresh network namespace for one test (kt-XXXXXXXX, loopback up: without it the kernel refuses
/// destinations with EINVAL), with the real ipvsadm run inside it as the oracle. Disposing kills
/// whatever still runs in it and deletes it, which also drops its IPVS table and sync daemons.
/// </summary>
internal sealed class Netns : IAsyncDisposable
{
    private Netns(string name) => Name = name;

    public string Name { get; }

    public string Path => "/run/netns/" + Name;

    public static async Task<Netns> CreateAsync(bool dummyInterface = false)
    {
        KernelLab.Require();
        var ns = new Netns("kt-" + Guid.NewGuid().ToString("N")[..8]);
        (await Proc.RunAsync("ip", "netns", "add", ns.Name)).EnsureSuccess();
        try
        {
            var batch = "link set lo up\n" + (dummyInterface ? "link add d0 type dummy\nlink set d0 up\n" : "");
            (await Proc.RunAsync("ip", ["-n", ns.Name, "-batch", "-"], batch)).EnsureSuccess();
        }
        catch
        {
            await ns.DisposeAsync();
            throw;
        }
        return ns;
    }

    /// <summary>Opens the library's client in this namespace (by name).</summary>
    public IpvsClient OpenClient(IpvsClientOptions? options = null) =>
        IpvsClient.Open((options ?? new IpvsClientOptions()) with { NetworkNamespace = Name });

    /// <summary>Runs ipvsadm in the namespace; the caller checks the result.</summary>
    public Task<ProcResult> IpvsadmAsync(params string[] args) =>
        Proc.RunAsync("ip", ["netns", "exec", Name, "ipvsadm", .. args]);

    /// <summary>Runs ipvsadm in the namespace, fails the test on a non-zero exit, returns its output lines.</summary>
    public async Task<string[]> IpvsadmOkAsync(params string[] args) =>
        (await IpvsadmAsync(args)).EnsureSuccess().Lines;

    /// <summary>Runs several ipvsadm commands as one process (ipvsadm -R reads the same syntax).</summary>
    public async Task RestoreAsync(IEnumerable<string> rules) =>
        (await Proc.RunAsync("ip", ["netns", "exec", Name, "ipvsadm", "-R"], string.Join('\n', rules) + "\n")).EnsureSuccess();

    /// <summary><c>ipvsadm -Sn</c>: the table as rules.</summary>
    public Task<string[]> SaveAsync() => IpvsadmOkAsync("-Sn");

    /// <summary><c>ip -n NS ARGS</c>, which must succeed.</summary>
    public async Task IpAsync(params string[] args) =>
        (await Proc.RunAsync("ip", ["-n", Name, .. args])).EnsureSuccess();

    public async ValueTask DisposeAsync()
    {
        try
        {
            var pids = await Proc.RunAsync("ip", "netns", "pids", Name);
            foreach (var pid in pids.Lines.Select(l => l.Trim()).Where(l => l.Length > 0))
            {
                await Proc.RunAsync("kill", "-KILL", pid);
            }
            await Proc.RunAsync("ip", "netns", "del", Name);
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException)
        {
            // Best effort: the lab is thrown away after the run anyway.
        }
    }
}
