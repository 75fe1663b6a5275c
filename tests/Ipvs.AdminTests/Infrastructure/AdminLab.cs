using System.Diagnostics;

namespace Ipvs.AdminTests.Infrastructure;

/// <summary>
/// Where the tests run: inside the kernel lab, as root, with the published binary under test.
/// A lab test never skips: outside the lab every test fails and says how to run it.
/// </summary>
internal static class AdminLab
{
    public const string RealIpvsadm = "/usr/sbin/ipvsadm";

    public const string NotInLab =
        "these tests run inside the kernel lab: tests/Ipvs.AdminTests/run-in-lab.sh " +
        "(lab/run -- dotnet tests/Ipvs.AdminTests/bin/Release/net10.0/Ipvs.AdminTests.dll)";

    private static readonly Lazy<string?> Missing = new(Check);
    private static readonly Lazy<string> Setup = new(SetUpOnce);
    private static int _counter;

    /// <summary>The repository root, found upwards from the test binary.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The binary under test: IPVSADM_UNDER_TEST, or the default publish output.</summary>
    public static string UnderTest { get; } = Path.GetFullPath(Environment.GetEnvironmentVariable("IPVSADM_UNDER_TEST") is { Length: > 0 } p
        ? p
        : Path.Combine(RepoRoot, "src/Ipvs.Admin/bin/Release/net10.0/linux-x64/publish/ipvsadm"));

    /// <summary>A directory whose "ipvsadm" is the binary under test (so argv[0] is "ipvsadm").</summary>
    public static string OursDir => Path.Combine(Root, "ours");

    /// <summary>A directory whose "ipvsadm" is the real one.</summary>
    public static string RealDir => Path.Combine(Root, "real");

    /// <summary>Scratch space in the lab's private /tmp.</summary>
    public static string Root => "/tmp/admin-tests";

    /// <summary>Fails the calling test unless it runs in the lab, with both binaries present.</summary>
    public static void Require()
    {
        if (Missing.Value is { } why)
        {
            Assert.Fail($"{NotInLab}; {why}");
        }
        _ = Setup.Value;
    }

    /// <summary>A name unique within this run, for network namespaces and scratch files.</summary>
    public static string Unique(string prefix) => $"{prefix}{Environment.ProcessId % 10000}x{Interlocked.Increment(ref _counter)}";

    private static string? Check()
    {
        if (!File.Exists("/proc/net/ip_vs"))
        {
            return "/proc/net/ip_vs is missing, so this kernel has no IPVS.";
        }
        if (!Environment.IsPrivilegedProcess)
        {
            return "the tests need root.";
        }
        if (!File.Exists(UnderTest))
        {
            return $"the binary under test {UnderTest} is missing; publish it first: dotnet publish src/Ipvs.Admin -c Release -r linux-x64 -p:PublishAot=true";
        }
        if (!File.Exists(RealIpvsadm))
        {
            return $"{RealIpvsadm} (the reference) is missing.";
        }
        return null;
    }

    // Once per run: both binaries reachable as "ipvsadm", and a resolver setup that makes name
    // lookups fast and deterministic: our own /etc/hosts (mounted over the host's, in the lab
    // only) and a resolver that fails at once instead of timing out.
    private static string SetUpOnce()
    {
        Directory.CreateDirectory(OursDir);
        Directory.CreateDirectory(RealDir);
        Link(Path.Combine(OursDir, "ipvsadm"), UnderTest);
        Link(Path.Combine(RealDir, "ipvsadm"), RealIpvsadm);
        string hosts = Path.Combine(Root, "hosts");
        File.WriteAllText(hosts, HostsFile.Text);
        string resolv = Path.Combine(Root, "resolv.conf");
        File.WriteAllText(resolv, "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
        BindMount(hosts, "/etc/hosts");
        BindMount(resolv, "/etc/resolv.conf");
        return Root;
    }

    private static void Link(string link, string target)
    {
        if (File.Exists(link) || new FileInfo(link).LinkTarget is not null)
        {
            File.Delete(link);
        }
        File.CreateSymbolicLink(link, target);
    }

    private static void BindMount(string source, string target)
    {
        var r = Sh.Run("mount", ["--bind", source, target]);
        if (r.ExitCode != 0)
        {
            Assert.Fail($"mount --bind {source} {target} failed: {r.Stderr}");
        }
    }

    private static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "lab", "run")) && Directory.Exists(Path.Combine(d.FullName, "src", "Ipvs.Admin")))
            {
                return d.FullName;
            }
        }
        return Directory.GetCurrentDirectory();
    }
}

/// <summary>The /etc/hosts the tests resolve names with (forward for input, reverse for listings).</summary>
internal static class HostsFile
{
    public const string Text =
        "127.0.0.1\tlocalhost\n" +
        "::1\tlocalhost ip6-localhost ip6-loopback\n" +
        "10.0.0.1\tweb1.example\n" +
        "10.0.0.2\tweb2.example\n" +
        "200.0.0.1\tfar.example\n" +
        "10.1.0.1\trs1.example\n" +
        "10.1.0.2\trs2.example\n" +
        "10.1.0.3\ta-rather-long-real-server-name.example.internal\n" +
        "198.51.100.7\tbackend-with-a-very-very-long-hostname.example.org\n" +
        "2001:db8::1\tv6svc.example\n" +
        "2001:db8:1::1\tv6rs1.example\n" +
        "2001:db8:1::2\tan-ipv6-real-server-with-a-long-name.example.net\n";
}

/// <summary>The outcome of a child process, as bytes-as-text (Latin-1).</summary>
internal sealed record ShResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs helper programs (ip, mount, bash) with captured output.</summary>
internal static class Sh
{
    public static ShResult Run(string file, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.Latin1,
            StandardErrorEncoding = Encoding.Latin1,
            StandardInputEncoding = Encoding.Latin1,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        Clean(psi);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
        }
        p.StandardInput.Close();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(120)))
        {
            p.Kill(true);
            Assert.Fail($"{file} {string.Join(' ', args)} timed out");
        }
        p.WaitForExit();
        return new ShResult(p.ExitCode, o.Result, e.Result);
    }

    /// <summary>bash -c SCRIPT, failing the test when it fails.</summary>
    public static string Bash(string script, TimeSpan? timeout = null)
    {
        var r = Run("bash", ["-c", script], timeout: timeout);
        if (r.ExitCode != 0)
        {
            Assert.Fail($"bash -c failed ({r.ExitCode}):\n{script}\nstdout: {r.Stdout}\nstderr: {r.Stderr}");
        }
        return r.Stdout;
    }

    /// <summary>Removes what would change ipvsadm's or popt's behaviour, or slow name lookups.</summary>
    public static void Clean(ProcessStartInfo psi)
    {
        foreach (var v in new[] { "POSIXLY_CORRECT", "POSIX_ME_HARDER", "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "LOCALDOMAIN", "RES_OPTIONS", "HOSTALIASES" })
        {
            psi.Environment.Remove(v);
        }
        psi.Environment["LC_ALL"] = "C";
    }

    /// <summary>Quotes a word for bash (single quotes).</summary>
    public static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public static string QuoteAll(IEnumerable<string> args) => string.Join(' ', args.Select(Quote));
}
