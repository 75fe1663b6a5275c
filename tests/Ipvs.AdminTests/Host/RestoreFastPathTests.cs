using System.Globalization;
using System.Net;
using CsCheck;
using Ipvs.Admin.Commands;
using Ipvs.Admin.Options;
using Ipvs.Model;

namespace Ipvs.AdminTests.Host;

/// <summary>
/// -R's fast path (<see cref="RestoreFastPath"/>) against the full parser
/// (<see cref="RestoreCommand.Check"/>): every line the fast path takes gives exactly the full
/// parser's operation, every line in its grammar that the full parser accepts is taken, and
/// everything else is left to the full parser. Host only: no kernel, no root.
/// </summary>
public sealed class RestoreFastPathTests
{
    [Theory]
    [InlineData("-A -t 10.0.0.1:80 -s wrr")]
    [InlineData("-a -t 10.0.0.1:80 -r 172.16.0.1:80 -m -w 1")]
    [InlineData("-a -t 10.0.0.1:80 -r 172.16.0.2:8080 -m -w 5 -x 100 -y 10")]
    [InlineData("-a -t 10.0.0.1:80 -r 172.16.0.3 -g -w 0")]
    [InlineData("-a -t 10.0.0.1:80 -r 172.16.0.3:81 -g")]
    [InlineData("-A -u 10.0.0.2:53 -s rr -p 300 -M 255.255.255.0 -o")]
    [InlineData("-a -u 10.0.0.2:53 -r 172.16.1.1:53 -i -w 2 --tun-type ipip")]
    [InlineData("-A --sctp-service 10.0.0.3:9000 -s sh -b sh-fallback,sh-port")]
    [InlineData("-a --sctp-service 10.0.0.3:9000 -r 172.16.2.1:9000 -m -w 1")]
    [InlineData("-A -f 7 -s lc -p 60")]
    [InlineData("-a -f 7 -r 172.16.3.1:0 -g -w 3")]
    [InlineData("-A -f 8 -6 -s wlc -p 120 -M 64")]
    [InlineData("-a -f 8 -6 -r [2001:db8::9]:0 -g -w 3")]
    [InlineData("-A -t [2001:db8::1]:443 -s mh -p 360 --pe sip -b mh-port")]
    [InlineData("-a -t [2001:db8::1]:443 -r [2001:db8::2]:443 -m -w 7")]
    [InlineData("-a -t [2001:db8::1]:443 -r 172.16.9.9:443 -i -w 7 --tun-type gue --tun-port 6080 --tun-csum")]
    [InlineData("-a -t [2001:db8::1]:443 -r 172.16.9.10:443 -i -w 7 --tun-type gre --tun-nocsum")]
    [InlineData("-a -t [::ffff:10.0.0.1]:443 -r [::FFFF:172.16.0.1]:443 -m -w 7")]
    [InlineData("-A -t 10.0.0.6:0 -s rr -p")]
    [InlineData("-A -t 10.0.0.6:0 -p -s rr")]
    [InlineData("-A -t 10.0.0.1:80 -M 255.255.0.0 -s wrr -p 10")]
    [InlineData("-E -t 10.0.0.1:80 -s rr")]
    [InlineData("-e -t 10.0.0.1:80 -r 172.16.0.1:80 -m -w 9")]
    [InlineData("-D -t 10.0.0.1:80")]
    [InlineData("-d -t 10.0.0.1:80 -r 172.16.0.1:80")]
    [InlineData("--add-service --tcp-service 10.0.0.1:80 --scheduler rr --persistent")]
    [InlineData("--add-server --udp-service 10.0.0.1:53 --real-server 10.1.1.1 --gatewaying --weight 4 --u-threshold 9 --l-threshold 2")]
    [InlineData("ipvsadm -A -t 10.0.0.1:80   -s\twrr\r")]
    [InlineData("-A -t 10.0.0.1:80 -s wrr # the web servers")]
    [InlineData("-A -t 10.0.0.1:080 -s wrr -p 0300")]
    public void A_line_as_ipvsadm_writes_it_takes_the_fast_path_and_gives_the_full_parsers_operation(string line)
    {
        var full = Full(line);
        Assert.Null(full.Error);
        Assert.Equal(full.Operation, Fast(line));
    }

    [Theory]
    [InlineData("-A -t localhost:80 -s rr")]               // a name: looked up by the full parser
    [InlineData("-A -t 10.0.0.1:http -s rr")]              // a service name
    [InlineData("-a -t 10.0.0.1:80 -r 010.1.1.1:80")]      // inet_aton reads 010 as octal
    [InlineData("-a -t 10.0.0.1:80 -r 10.1.1:80")]         // and takes three parts too
    [InlineData("-A -t 2001:db8::1 -s rr")]                // IPv6 without brackets
    [InlineData("-A -t10.0.0.1:80")]                       // an attached argument
    [InlineData("-A -t=10.0.0.1:80")]
    [InlineData("--add-service --tcp-service=10.0.0.1:80")]
    [InlineData("-At 10.0.0.1:80")]                        // a cluster
    [InlineData("-A -t 10.0.0.1:80 -s wrr -s rr")]         // a repeated option
    [InlineData("-a -t 10.0.0.1:80 -r 1.2.3.4:80 -m -g")]
    [InlineData("-A -t 10.0.0.1:80 -6")]                   // -6 without -f
    [InlineData("-A -f 1 -s rr -6")]                       // -6 not right after the mark
    [InlineData("-A -t 10.0.0.1:0")]                       // zero port, not persistent
    [InlineData("-A -t 10.0.0.1:80 -o")]                   // one-packet scheduling on TCP
    [InlineData("-a -t 10.0.0.1:80 -r 1.2.3.4:80 -x 5 -y 10")] // lower threshold above the upper
    [InlineData("-a -t 10.0.0.1:80 -r [2001:db8::1]:80 -m")]   // another family, not tunnelled
    [InlineData("-a -t 10.0.0.1:80 -r 1.2.3.4:80 -m --tun-type gue")]
    [InlineData("-a -t 10.0.0.1:80 -r 1.2.3.4:80 -i --tun-type gue")] // GUE without a port
    [InlineData("-A -t 10.0.0.1:80 -b ,,,")]               // ipvsadm crashes on it
    [InlineData("-A -t 10.0.0.1:80 -s sh -b mh-port")]
    [InlineData("-A -t 10.0.0.1:80 -w 1")]                 // an option the command does not take
    [InlineData("-a -t 10.0.0.1:80 -r 1.2.3.4:80 -w +5")]  // strtol takes a sign
    [InlineData("-a -t 10.0.0.1:80 -r 1.2.3.4:80 -w 2147483648")]
    [InlineData("-A -t 10.0.0.1:80 -s rr extra")]          // a stray argument
    [InlineData("-A -t 10.0.0.1:80 -s !#:+ rr")]           // popt's argument expansion
    [InlineData("-A -t 10.0.0.1:80 -p 0")]
    [InlineData("-A -t 10.0.0.1:80 -p 2678401")]
    [InlineData("-A -t 10.0.0.1:80 -p x")]
    [InlineData("-A -t 10.0.0.1:80 -s abcdefghijklmnop")]  // cut to 15 by the full parser
    [InlineData("-A -t 10.0.0.1:80 --pe abcdefghijklmnop")]
    [InlineData("-A -t 10.0.0.1:65536")]
    [InlineData("-A -f 0")]
    [InlineData("-A -f 4294967296")]
    [InlineData("-A -f 8 -6 -M 0")]
    [InlineData("-A -t [2001:db8::1]:443 -M 255.255.255.0 -p")]
    [InlineData("-A -t [1.2.3.4]:80 -s rr")]               // the full parser drops this port
    [InlineData("-A -t [2001:db8::1] -s rr")]
    [InlineData("-A -t 10.0.0.1:80 --atomic")]
    [InlineData("-Ln")]
    [InlineData("-L -n")]
    [InlineData("-S")]
    [InlineData("-C")]
    [InlineData("-Z")]
    [InlineData("--set 1 2 3")]
    [InlineData("--start-daemon master")]
    [InlineData("-h")]
    [InlineData("# a comment")]
    [InlineData("")]
    [InlineData("   \t\r")]
    public void Any_other_line_is_left_to_the_full_parser(string line)
    {
        Assert.Null(Fast(line));
    }

    [Fact]
    public void The_benchmarks_script_takes_the_fast_path_line_by_line()
    {
        var fast = new RestoreFastPath("ipvsadm");
        for (int i = 0; i < 300; i++)
        {
            int v = i + 1;
            string svc = $"10.{v / 65536 % 256}.{v / 256 % 256}.{v % 256}:80";
            Check(fast, $"-A -t {svc} -s wrr");
            for (int d = 0; d < 10; d++)
            {
                int j = (i * 10) + d + 1;
                Check(fast, $"-a -t {svc} -r {172 + (j / 16777216)}.{16 + (j / 65536 % 256)}.{j / 256 % 256}.{j % 256}:80 -m -w 1");
            }
        }

        static void Check(RestoreFastPath fast, string line)
        {
            var full = Full(line);
            Assert.Null(full.Error);
            Assert.Equal(full.Operation, fast.TryParse(Encoding.Latin1.GetBytes(line)));
        }
    }

    [Fact]
    public void A_real_servers_line_reuses_its_services_key_only_when_the_same_words_named_it()
    {
        var fast = new RestoreFastPath("ipvsadm");
        var a = Assert.IsType<AddServiceOperation>(fast.TryParse("-A -t 10.0.0.1:80 -s rr"u8));
        var d1 = Assert.IsType<AddDestinationOperation>(fast.TryParse("-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m"u8));
        var d2 = Assert.IsType<AddDestinationOperation>(fast.TryParse("-a -u 10.0.0.1:80 -r 10.1.1.1:80 -m"u8));
        var d3 = Assert.IsType<AddDestinationOperation>(fast.TryParse("-a -f 7 -r 10.1.1.1:80 -g"u8));
        var d4 = Assert.IsType<AddDestinationOperation>(fast.TryParse("-a -f 7 -6 -r [::1]:80 -g"u8));

        Assert.Same(a.Service.Key.Address, d1.Service.Address);
        Assert.Equal(ServiceKey.Parse("udp:10.0.0.1:80"), d2.Service);
        Assert.Equal(ServiceKey.ForFirewallMark(7), d3.Service);
        Assert.Equal(ServiceKey.ForFirewallMark(7, System.Net.Sockets.AddressFamily.InterNetworkV6), d4.Service);
    }

    [Fact]
    public void Every_canonical_line_the_full_parser_accepts_takes_the_fast_path_with_the_same_operation()
    {
        // A script's worth of lines through one fast path, so that the reuse of service keys from
        // line to line is exercised as well.
        Lines.Canonical.List[1, 20].Sample(lines =>
        {
            var fast = new RestoreFastPath("ipvsadm");
            foreach (string line in lines)
            {
                var full = Full(line);
                var op = fast.TryParse(Encoding.Latin1.GetBytes(line));
                if (full.Error is null)
                {
                    Assert.True(op is not null, $"the fast path left a good line to the full parser: {line}");
                    Assert.True(full.Operation!.Equals(op), $"{line}\n  full: {full.Operation}\n  fast: {op}");
                }
                else
                {
                    Assert.True(op is null, $"the fast path took a line the full parser refuses ({full.Error.Trim()}): {line}");
                }
            }
        }, iter: 3000);
    }

    [Fact]
    public void Whatever_the_fast_path_takes_the_full_parser_takes_with_the_same_operation()
    {
        Lines.Mangled.List[1, 10].Sample(lines =>
        {
            var fast = new RestoreFastPath("ipvsadm");
            foreach (string line in lines)
            {
                if (fast.TryParse(Encoding.Latin1.GetBytes(line)) is { } op)
                {
                    var full = Full(line);
                    Assert.True(full.Error is null, $"the fast path took a line the full parser refuses ({full.Error?.Trim()}): {line}");
                    Assert.True(full.Operation!.Equals(op), $"{line}\n  full: {full.Operation}\n  fast: {op}");
                }
            }
        }, iter: 5000);
    }

    [Fact]
    public void An_entry_reset_for_a_change_is_a_new_entry()
    {
        var used = CommandLineParser.Parse(["ipvsadm", "-a", "-f", "9", "-6", "-r", "[::1]:8", "-i", "-w", "4", "-x", "9", "-y", "3",
            "--tun-type", "gue", "--tun-port", "9", "--tun-csum"]);
        var svc = CommandLineParser.Parse(["ipvsadm", "-A", "-u", "[::2]:53", "-s", "sh", "-p", "5", "-M", "64", "--pe", "sip", "-b", "sh-port"]);
        used.Service = svc.Service;
        used.Format = ListFormat.Exact;
        used.Atomic = true;

        used.ResetForChange(Command.EditDest);

        var fresh = new CommandEntry("ipvsadm") { Command = Command.EditDest };
        Assert.Equal(Fields(fresh), Fields(used));
        Assert.Equal(Fields(fresh.Service), Fields(used.Service));
        Assert.Equal(Fields(fresh.Dest), Fields(used.Dest));
    }

    [Fact]
    public void Option_words_are_looked_up_as_popt_looks_them_up()
    {
        foreach (var o in OptionTable.All)
        {
            if (o.ShortName != '\0')
            {
                Assert.Equal(OptionTable.All.First(p => p.ShortName == o.ShortName).Value, RestoreFastPath.OptionOf(Encoding.Latin1.GetBytes("-" + o.ShortName)));
            }
            if (o.LongName is { } name)
            {
                int expected = o.Value is OptionTable.TagAtomic or OptionTable.TagHelpIpvs ? -1 : OptionTable.All.First(p => p.LongName == name).Value;
                Assert.Equal(expected, RestoreFastPath.OptionOf(Encoding.Latin1.GetBytes("--" + name)));
            }
        }
        foreach (string word in new[] { "-", "--", "-Ln", "-t=1", "--tcp-service=1", "---A", "--nosuch", "-%", "A", "-\0" })
        {
            Assert.Equal(-1, RestoreFastPath.OptionOf(Encoding.Latin1.GetBytes(word)));
        }
    }

    private static IpvsOperation? Fast(string line) => new RestoreFastPath("ipvsadm").TryParse(Encoding.Latin1.GetBytes(line));

    // What -R makes of the line without the fast path: its operation, or why not.
    private static (IpvsOperation? Operation, string? Error) Full(string line)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(line);
        var words = RestoreScript.Line(1, bytes, 0, bytes.Length, withText: false, []);
        if (words is null)
        {
            return (null, "no words");
        }
        try
        {
            return RestoreCommand.Check(words, "ipvsadm") is RestoreCommand.ChangeStep c ? (c.Operation, null) : (null, "not a change");
        }
        catch (AdminExit e)
        {
            return (null, e.Crash ? "crash" : e.Stderr);
        }
    }

    private static string Fields(object o) => string.Join(", ", o.GetType().GetFields().Select(f => f.GetValue(o) switch
    {
        byte[] b => $"{f.Name}=[{string.Join(' ', b)}]",
        int[] a => $"{f.Name}=[{string.Join(' ', a)}]",
        var v => $"{f.Name}={v}",
    }));

    /// <summary>Generators of -R lines.</summary>
    private static class Lines
    {
        private static readonly string[] SchedulerNames = ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "my_sched15chars"];
        private static readonly string[] FlagNames = ["flag-1", "flag-2", "flag-3", "sh-fallback", "sh-port", "mh-fallback", "mh-port"];

        // Small pools, so that lines of a script share services; and fresh addresses.
        private static readonly Gen<string> IPv4 = Gen.Frequency(
            (2, Gen.OneOf("10.0.0.1", "10.0.0.2", "0.0.0.0", "255.255.255.255")),
            (3, Gen.Byte.Array[4].Select(b => $"{b[0]}.{b[1]}.{b[2]}.{b[3]}")));

        private static readonly Gen<string> IPv6 = Gen.Frequency(
            (2, Gen.OneOf("2001:db8::1", "::1", "::", "::ffff:10.0.0.1", "FE80::A:b:C")),
            (3, Gen.Byte.Array[16].Select(b => new IPAddress(b).ToString())));

        private static readonly Gen<string> Port = Gen.Frequency(
            (16, Gen.Int[1, 65535].Select(p => p.ToString(CultureInfo.InvariantCulture))),
            (1, Gen.Const("0")),
            (1, Gen.Int[0, 999].Select(p => "00" + p.ToString(CultureInfo.InvariantCulture))),
            (1, Gen.Int[65536, 1000000].Select(p => p.ToString(CultureInfo.InvariantCulture))));

        private static readonly Gen<string> Endpoint4 = Gen.Frequency(
            (4, Gen.Select(IPv4, Port, (a, p) => $"{a}:{p}")),
            (1, IPv4));

        private static readonly Gen<string> Endpoint6 = Gen.Select(IPv6, Port, (a, p) => $"[{a}]:{p}");

        private static readonly Gen<string> Endpoint = Gen.Frequency((2, Endpoint4), (1, Endpoint6));

        // A real server: mostly of its service's family.
        private static Gen<string> Server(bool ipv6) => Gen.Frequency((5, ipv6 ? Endpoint6 : Endpoint4), (1, Endpoint));

        private static readonly Gen<string> Count = Gen.Frequency(
            (5, Gen.Int[0, 100].Select(n => n.ToString(CultureInfo.InvariantCulture))),
            (1, Gen.Int[0, int.MaxValue].Select(n => n.ToString(CultureInfo.InvariantCulture))),
            (1, Gen.OneOf("2147483647", "2147483648", "0001", "99999999999999999999")));

        // The service: its words, and whether it is IPv6 (for -M).
        private static readonly Gen<(string Words, bool IPv6)> Service = Gen.Frequency(
            (4, Gen.Select(Gen.OneOf("-t", "-u", "--sctp-service", "--tcp-service", "--udp-service"), Endpoint,
                (o, e) => ($"{o} {e}", e.StartsWith('[')))),
            (1, Gen.Select(Gen.OneOf("-f", "--fwmark-service"),
                Gen.Frequency((8, Gen.UInt[1, 20]), (2, Gen.UInt[1, uint.MaxValue]), (1, Gen.Const(0u))), Gen.Bool,
                (o, m, six) => ($"{o} {m}{(six ? " -6" : "")}", six))));

        private static Gen<string[]> ServiceOptions(bool ipv6) => Gen.Select(
            Gen.Frequency((4, Gen.OneOf(SchedulerNames).Select(s => $"-s {s}")), (1, Gen.Const(""))),
            Gen.Frequency(
                (2, Gen.Const("")),
                (1, Gen.Const("-p")),
                (2, Gen.Frequency((5, Gen.Int[1, 2678400]), (1, Gen.OneOf(0, 2678401))).Select(t => $"-p {t}"))),
            Gen.Frequency(
                (3, Gen.Const("")),
                (1, ipv6
                    ? Gen.Int[0, 129].Select(p => $"-M {p}")
                    : Gen.Byte.Array[4].Select(b => $"-M {b[0]}.{b[1]}.{b[2]}.{b[3]}"))),
            Gen.Frequency((4, Gen.Const("")), (1, Gen.OneOf("--pe sip", "--pe x_1"))),
            Gen.Frequency((6, Gen.Const("")), (1, Gen.Const("-o"))),
            Gen.Frequency((4, Gen.Const("")), (1, Gen.OneOf(FlagNames).Array[1, 3].Select(f => "-b " + string.Join(',', f)))),
            (s, p, m, pe, o, b) => new[] { s, p, m, pe, o, b });

        private static Gen<string[]> DestOptions(bool ipv6) => Gen.Select(
            Gen.Frequency((12, Server(ipv6).Select(e => $"-r {e}")), (1, Gen.Const(""))),
            Gen.Frequency((8, Gen.OneOf("-m", "-g", "-i", "--masquerading", "--gatewaying", "--ipip")), (1, Gen.Const(""))),
            Gen.Frequency((3, Count.Select(w => $"-w {w}")), (1, Gen.Const(""))),
            Gen.Frequency((4, Gen.Const("")), (1, Count.Select(x => $"-x {x}"))),
            Gen.Frequency((4, Gen.Const("")), (1, Count.Select(y => $"-y {y}"))),
            Gen.Frequency((6, Gen.Const("")), (1, Gen.OneOf("--tun-type ipip", "--tun-type gue", "--tun-type gre"))),
            Gen.Frequency((8, Gen.Const("")), (1, Gen.Frequency((4, Gen.Int[1, 65535]), (1, Gen.Const(0))).Select(p => $"--tun-port {p}"))),
            Gen.Frequency((8, Gen.Const("")), (1, Gen.OneOf("--tun-nocsum", "--tun-csum", "--tun-remcsum"))),
            (r, f, w, x, y, tt, tp, tc) => new[] { r, f, w, x, y, tt, tp, tc });

        /// <summary>Lines in the fast path's grammar: a command, its service, options in any order.</summary>
        public static readonly Gen<string> Canonical =
            from command in Gen.Frequency(
                (3, Gen.OneOf("-A", "-E", "--add-service")),
                (4, Gen.OneOf("-a", "-e", "--edit-server")),
                (1, Gen.OneOf("-D", "-d")))
            from service in Service
            from options in command is "-A" or "-E" or "--add-service" ? ServiceOptions(service.IPv6)
                : command is "-D" ? Gen.Const(Array.Empty<string>())
                : command is "-d" ? Server(service.IPv6).Select(e => new[] { $"-r {e}" })
                : DestOptions(service.IPv6)
            from order in Gen.Int.Array[options.Length]
            from layout in Gen.Int[0, 3]
            select Layout(command, service.Words, [.. options.Zip(order).OrderBy(p => p.Second).Select(p => p.First).Where(o => o.Length > 0)], layout);

        // As ipvsadm -S writes them, or with the spacing, prefix and comment a hand-written script may have.
        private static string Layout(string command, string service, string[] options, int layout)
        {
            string line = string.Join(' ', [command, service, .. options]);
            return layout switch
            {
                1 => "ipvsadm " + line.Replace(" ", "  \t", StringComparison.Ordinal) + "\r",
                2 => line + " # a comment -A -t 1.2.3.4:5",
                _ => line,
            };
        }

        private static readonly string[] OddWords =
        [
            "-6", "-p", "-s", "-r", "-w", "-x", "-t", "-f", "-o", "-m", "-M", "-b", "--pe", "--tun-port", "-Ln", "-C", "--",
            "-", "ipvsadm", "#", "1", "+1", "-1", "0", "!#:+", "localhost", "http", "10.0.0.1", "010.0.0.1", "1.2.3",
            "[::1]:80", "[::1]", "::1", "rr", "sh-port", ",", "ipip", "gue", "255.255.255.0", "64", "=", "-t=1.2.3.4:5",
        ];

        /// <summary>Canonical lines with a word added, dropped, swapped, glued or changed.</summary>
        public static readonly Gen<string> Mangled =
            from line in Canonical
            from kind in Gen.Int[0, 5]
            from at in Gen.Int[0, 1000]
            from other in Gen.Int[0, 1000]
            from odd in Gen.OneOf(OddWords)
            from c in Gen.Char['\0', '\x7f']
            select Mangle(line, kind, at, other, odd, c);

        private static string Mangle(string line, int kind, int at, int other, string odd, char c)
        {
            var words = line.Split(' ').ToList();
            int i = at % words.Count;
            int j = other % words.Count;
            switch (kind)
            {
                case 0:
                    words.Insert(i, odd);
                    break;
                case 1:
                    words.RemoveAt(i);
                    break;
                case 2:
                    (words[i], words[j]) = (words[j], words[i]);
                    break;
                case 3:
                    if (i + 1 < words.Count)
                    {
                        words[i] += words[i + 1];
                        words.RemoveAt(i + 1);
                    }
                    break;
                case 4:
                    words[i] = words[i].Length == 0 ? odd : words[i].Remove(other % words[i].Length, 1).Insert(other % words[i].Length, c.ToString());
                    break;
                default:
                    words.Insert(i, words[j]);
                    break;
            }
            return string.Join(' ', words);
        }
    }
}
