namespace Ipvs.AdminTests;

/// <summary>
/// -R, where ours differs from ipvsadm on purpose: every line is checked before anything is
/// applied, a bad line is reported with its number and nothing is applied; --atomic undoes
/// what was applied when the kernel refuses a change. Where -R is given only good lines, it
/// must behave exactly as ipvsadm's.
/// </summary>
[Collection("restore")]
public sealed class RestoreTests : IDisposable
{
    private readonly DiffPair _pair = new();

    public void Dispose() => _pair.Dispose();

    private const string Initial =
        "-A -t 10.9.0.1:80 -s wrr\n" +
        "-a -t 10.9.0.1:80 -r 10.9.1.1:8080 -m -w 3\n" +
        "-a -t 10.9.0.1:80 -r 10.9.1.2:8080 -m -w 1\n" +
        "-A -u 10.9.0.1:53 -s rr -p 60\n" +
        "-a -u 10.9.0.1:53 -r 10.9.1.3 -g -w 2\n" +
        "-A -f 9 -s sh -b sh-port\n";

    private string State(NsShell shell)
    {
        var r = shell.Run(["-R"], "-S -n\n-L --timeout\n-L --daemon\n");
        Assert.Equal(0, r.ExitCode);
        return r.Stdout;
    }

    private void Setup()
    {
        var (real, ours) = _pair.Run(["-R"], Initial);
        Assert.Equal(0, real.ExitCode);
        Assert.Equal(0, ours.ExitCode);
        Assert.Equal(State(_pair.Real), State(_pair.Ours));
    }

    [Fact]
    public void A_bad_line_is_reported_with_its_number_and_nothing_is_applied()
    {
        Setup();
        string before = State(_pair.Ours);
        string script =
            "-A -t 10.9.0.2:80 -s rr\n" +
            "-a -t 10.9.0.2:80 -r 10.9.1.1 -m\n" +
            "-A -t 10.9.0.3:99999\n" +
            "-D -t 10.9.0.1:80\n";
        var (real, ours) = _pair.Run(["-R"], script);

        Assert.Equal(2, ours.ExitCode);
        Assert.Equal("", ours.Stdout);
        Assert.Equal("ipvsadm -R: line 3: illegal virtual server address[:port] specified\nipvsadm -R: nothing applied\n", ours.Stderr);
        Assert.Equal(before, State(_pair.Ours));

        // ipvsadm itself applies the first two lines, then stops at the third.
        Assert.Equal(2, real.ExitCode);
        Assert.Equal("illegal virtual server address[:port] specified\n", real.Stderr);
        Assert.Contains("-A -t 10.9.0.2:80 -s rr", State(_pair.Real));
    }

    [Fact]
    public void Every_bad_line_is_reported_and_line_numbers_count_blank_and_comment_lines()
    {
        Setup();
        string before = State(_pair.Ours);
        string script =
            "# a comment line\n" +
            "\n" +
            "-A -t 10.9.0.2:80 -s rr   # a trailing comment\n" +
            "ipvsadm -a -t 10.9.0.2:80 -r 10.9.1.1 -w 70000x\n" +
            "-A -t 10.9.0.4:80 --bogus\n" +
            "-E -t 10.9.0.1:80 -o\n" +
            "-a -t 10.9.0.1:80 -r 10.9.1.5 -x 5 -y 10\n";
        var r = _pair.Ours.Run(["-R"], script);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(
            "ipvsadm -R: line 4: illegal weight specified\n" +
            "ipvsadm -R: line 5: --bogus: unknown option\n" +
            "ipvsadm -R: line 6: One-Packet Scheduling is only for UDP virtual services\n" +
            "ipvsadm -R: line 7: the lower threshold is above the upper threshold (the kernel refuses it: Numerical result out of range)\n" +
            "ipvsadm -R: nothing applied\n", r.Stderr);
        Assert.Equal(before, State(_pair.Ours));
    }

    [Fact]
    public void An_option_error_gives_popts_status()
    {
        Setup();
        var r = _pair.Ours.Run(["-R"], "-A -t 10.9.0.2:80\n-L -t\n");
        Assert.Equal(255, r.ExitCode);
        Assert.Equal("ipvsadm -R: line 2: -t: missing argument\nipvsadm -R: nothing applied\n", r.Stderr);
        var nested = _pair.Ours.Run(["-R"], "-R\n");
        Assert.Equal(255, nested.ExitCode);
        Assert.Equal("ipvsadm -R: line 1: Try `ipvsadm -h' or 'ipvsadm --help' for more information.\nipvsadm -R: nothing applied\n", nested.Stderr);
    }

    [Fact]
    public void Good_lines_behave_as_in_ipvsadm_including_the_kernels_refusals()
    {
        Setup();
        string script =
            "-A -t 10.9.0.2:80 -s lc\n" +
            "-A -t 10.9.0.1:80\n" +                      // exists: "Service already exists", and go on
            "-a -t 10.9.0.2:80 -r 10.9.1.7:80 -m -w 4\n" +
            "-L -n -t 10.9.0.2:80\n" +
            "-e -t 10.9.0.1:80 -r 10.9.1.9:8080 -w 2\n" + // no such destination
            "-d -t 10.9.0.1:80 -r 10.9.1.2:8080\n" +
            "--set 100 20 30\n" +
            "-Z\n" +
            "-D -u 10.9.0.1:53\n";
        var (real, ours) = _pair.Run(["-R"], script);
        Assert.Equal(real, ours);
        Assert.Equal(State(_pair.Real), State(_pair.Ours));
        // ipvsadm's status is that of the last line, even after refusals.
        var (real2, ours2) = _pair.Run(["-R"], "-A -t 10.9.0.2:80\n");
        Assert.Equal(255, real2.ExitCode);
        Assert.Equal(real2, ours2);
    }

    [Fact]
    public void Atomic_undoes_every_applied_change_when_the_kernel_refuses_one()
    {
        Setup();
        string before = State(_pair.Ours);
        string script =
            "-A -t 10.9.0.2:80 -s rr\n" +
            "-a -t 10.9.0.2:80 -r 10.9.1.1 -m -w 5\n" +
            "-E -t 10.9.0.1:80 -s lc -p 300\n" +
            "-e -t 10.9.0.1:80 -r 10.9.1.1:8080 -m -w 9 -x 100 -y 10\n" +
            "-d -t 10.9.0.1:80 -r 10.9.1.2:8080\n" +
            "-D -u 10.9.0.1:53\n" +
            "--set 111 22 33\n" +
            "--start-daemon master --syncid 5\n" +
            "-L -n -t 10.9.0.2:80\n" +
            "-A -f 9\n";                                // exists: refused, everything is undone
        var r = _pair.Ours.Run(["-R", "--atomic"], script);
        Assert.Equal(255, r.ExitCode);
        Assert.Contains("TCP  10.9.0.2:80 rr", r.Stdout);
        Assert.Equal(
            "ipvsadm -R --atomic: line 10: Service already exists\n" +
            "ipvsadm -R --atomic: rolled back 8 applied change(s)\n", r.Stderr);
        Assert.Equal(before, State(_pair.Ours));
    }

    [Fact]
    public void Atomic_undoes_a_clear()
    {
        Setup();
        string before = State(_pair.Ours);
        var r = _pair.Ours.Run(["-R", "--atomic"], "-C\n-A -t 10.9.0.9:80\n-a -t 10.9.0.9:80 -r 10.9.1.1 -m\n-A -t 10.9.0.9:80\n");
        Assert.Equal(255, r.ExitCode);
        Assert.Equal(before, State(_pair.Ours));
    }

    [Fact]
    public void Atomic_applies_everything_when_nothing_is_refused()
    {
        Setup();
        const string script = "-A -t 10.9.0.2:80 -s rr\n-a -t 10.9.0.2:80 -r 10.9.1.1 -m\n-D -f 9\n";
        var ours = _pair.Ours.Run(["-R", "--atomic"], script);
        var real = _pair.Real.Run(["-R"], script);
        Assert.Equal(real, ours);
        Assert.Equal(State(_pair.Real), State(_pair.Ours));
    }

    [Fact]
    public void Atomic_exists_only_after_R_and_behaves_as_an_unknown_option_elsewhere()
    {
        foreach (var args in new[] { new[] { "-L", "--atomic" }, ["--atomic", "-R"], ["-A", "-t", "10.9.0.2:80", "--atomic"], ["-R", "--atomic=1"] })
        {
            var (real, ours) = _pair.Run(args);
            if (args[0] == "-R")
            {
                Assert.Equal(255, ours.ExitCode);
                Assert.Equal("--atomic=1: option does not take an argument\n", ours.Stderr);
                continue;
            }
            Assert.Equal(real, ours);
        }
    }
}
