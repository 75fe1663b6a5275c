namespace Ipvs.KernelTests.Infrastructure;

/// <summary>Where the tests run, and the guard that keeps them from ever passing vacuously.</summary>
internal static class KernelLab
{
    public const string NotInLab =
        "kernel tests must run inside the kernel lab: lab/run -- dotnet tests/Ipvs.KernelTests/bin/Release/net10.0/Ipvs.KernelTests.dll " +
        "(or tests/Ipvs.KernelTests/run-in-lab.sh)";

    private static readonly Lazy<string?> Missing = new(Check);

    /// <summary>Fails the calling test unless this kernel has IPVS and we are root: a kernel test never skips.</summary>
    public static void Require()
    {
        if (Missing.Value is { } why)
        {
            Assert.Fail($"{NotInLab}; {why}");
        }
    }

    private static string? Check()
    {
        if (!File.Exists("/proc/net/ip_vs"))
        {
            return "/proc/net/ip_vs is missing, so this kernel has no IPVS.";
        }
        if (!Environment.IsPrivilegedProcess)
        {
            return "the tests need root (CAP_NET_ADMIN) to manage IPVS and network namespaces.";
        }
        return null;
    }

    /// <summary>The repository root (the directory that holds lab/), found upwards from the test binary.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    private static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "lab", "run")) && Directory.Exists(Path.Combine(d.FullName, "src", "Ipvs")))
            {
                return d.FullName;
            }
        }
        return Directory.GetCurrentDirectory();
    }

    /// <summary>The running test's cancellation token.</summary>
    public static CancellationToken Ct => TestContext.Current.CancellationToken;
}
