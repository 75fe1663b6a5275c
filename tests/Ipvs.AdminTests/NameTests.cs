namespace Ipvs.AdminTests;

/// <summary>
/// Listings without -n (names from the lab's /etc/hosts and /etc/services, including names
/// too long for their columns), names in input, help and version, and argv[0] in messages.
/// </summary>
[Collection("names")]
public sealed class NameTests : IDisposable
{
    private readonly DiffPair _pair = new();

    public void Dispose() => _pair.Dispose();

    private void Same(params string[] args)
    {
        var (real, ours) = _pair.Run(args);
        if (real != ours)
        {
            Assert.Fail($"ipvsadm {Sh.QuoteAll(args)}:\n- real, + ours\nrc {real.ExitCode} / {ours.ExitCode}\n"
                + Listings.Diff(real.Stdout, ours.Stdout) + Listings.Diff(real.Stderr, ours.Stderr));
        }
    }

    [Fact]
    public void Listings_with_names_match()
    {
        foreach (var line in new[]
        {
            "-A -t web1.example:http -s rr",
            "-a -t web1.example:http -r rs1.example:http -m",
            "-a -t 10.0.0.1:80 -r 10.1.0.3:8080 -m -w 2",
            "-a -t 10.0.0.1:80 -r 198.51.100.7:443 -m",
            "-a -t 10.0.0.1:80 -r 10.1.0.9:9999 -m",
            "-A -u web2.example:domain -s wrr -p",
            "-a -u 10.0.0.2:53 -r rs2.example -g",
            "-A -t [2001:db8::1]:https -s sh -b sh-port",
            "-a -t [2001:db8::1]:443 -r [2001:db8:1::2]:443 -m",
            "-a -t [2001:db8::1]:443 -r [2001:db8:1::1]:443 -m",
            "-a -t [2001:db8::1]:443 -r 10.1.0.3 -i --tun-type gue --tun-port 6080 --tun-remcsum",
            "-A --sctp-service far.example:80",
            "-A -f 5 -p 30",
            "-a -f 5 -r rs1.example:http -m",
            "-A -t localhost:ssh",
        })
        {
            var args = line.Split(' ');
            var (real, ours) = _pair.Run(args);
            Assert.Equal(real, ours);
            Assert.Equal(0, ours.ExitCode);
        }
        Same("-L");
        Same("-l", "--stats");
        Same("-L", "--rate", "--exact");
        Same("-L", "--thresholds");
        Same("-L", "--persistent-conn");
        Same("-L", "--tun-info");
        Same("-S");
        Same("-L", "-t", "web1.example:http");
        Same("-L", "-t", "[2001:db8::1]:443", "--stats");
        Same("-L", "-c");
        Same("-L", "-c", "--persistent-conn");
        Same("-L", "--sctp-service", "far.example:80");
        Same("-L", "-f", "5");
        Same("-L", "-t", "web1.example:nosuchservice");
    }

    [Fact]
    public void Help_version_and_no_arguments_match()
    {
        Same("-h");
        Same("--help");
        Same("-v");
        Same("--version");
        Same();
        Same("-h", "-Q");
        Same("-v", "--bogus");
    }

    [Fact]
    public void Argv0_appears_as_invoked()
    {
        foreach (string name in new[] { "/usr/sbin/ipvsadm", "./ipvsadm", "lvsadm" })
        {
            foreach (string args in new[] { "-h", "--bogus", "-L -A" })
            {
                string script = $"(exec -a {Sh.Quote(name)} ipvsadm {args})";
                _pair.Real.BeginScript(script);
                _pair.Ours.BeginScript(script);
                var real = _pair.Real.End();
                var ours = _pair.Ours.End();
                Assert.Equal(real, ours);
                if (args == "-h")
                {
                    Assert.Contains($"  {name} -A|E virtual-service", ours.Stdout);
                }
            }
        }
    }

    [Fact]
    public void Help_ipvs_documents_the_extensions()
    {
        var (real, ours) = _pair.Run(["--help-ipvs"]);
        Assert.Equal(255, real.ExitCode);
        Assert.Equal(0, ours.ExitCode);
        Assert.Contains("-R [--atomic]", ours.Stdout);
        Assert.Contains("nothing at all is applied", ours.Stdout);
    }
}
