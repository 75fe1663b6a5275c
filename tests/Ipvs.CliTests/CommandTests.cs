using Ipvs.Cli.Output;

namespace Ipvs.CliTests;

public sealed class CommandTests
{
    [Theory]
    [InlineData("list", "--output", "xml", "ipvs: --output xml: not one of table, json, yaml\n")]
    [InlineData("save", "-o", "yaml", "ipvs: --output yaml: not one of ipvsadm, json\n")]
    [InlineData("top", "--interval", "0", "ipvs: --interval 0: give 0.1 to 3600 seconds\n")]
    public async Task A_value_outside_the_choices_is_a_usage_error_naming_the_option(string command, string option, string value, string message)
    {
        var (code, output, error) = await Samples.Run(null, command, option, value);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal(message + $"Try 'ipvs {command} --help' for more information.\n", error);
    }

    [Fact]
    public async Task An_unknown_option_is_a_usage_error()
    {
        var (code, _, error) = await Samples.Run(null, "list", "--bogus");

        Assert.Equal(1, code);
        Assert.Contains("'--bogus'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_restore_file_exits_2_without_reaching_the_kernel()
    {
        var (code, _, error) = await Samples.Run("-A -t 10.0.0.1:80\n-A -t 10.0.0.2:80 -s\n", "restore", "-");

        Assert.Equal(2, code);
        Assert.StartsWith("ipvs: <stdin>:2: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_restore_file_is_bad_input_named_by_its_path()
    {
        var (code, _, error) = await Samples.Run(null, "restore", "/nonexistent/rules");

        Assert.Equal(2, code);
        Assert.StartsWith("ipvs: /nonexistent/rules: ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("list")]
    [InlineData("save")]
    [InlineData("restore")]
    [InlineData("top")]
    [InlineData("lab")]
    [InlineData("check")]
    [InlineData("plan")]
    [InlineData("apply")]
    [InlineData("convert")]
    [InlineData("script")]
    public async Task Every_command_has_a_man_page_style_help(string command)
    {
        var (code, output, _) = await Samples.Run(null, command.Length == 0 ? ["--help"] : [command, "--help"]);

        Assert.Equal(0, code);
        foreach (var section in new[] { "NAME\n", "SYNOPSIS\n", "DESCRIPTION\n", "OPTIONS\n", "EXIT STATUS\n", "EXAMPLES\n", "SEE ALSO\n" })
        {
            Assert.Contains(section, output, StringComparison.Ordinal);
        }
        Assert.Contains("--netns NAME|PATH", output, StringComparison.Ordinal);
        Assert.All(output.Split('\n'), l => Assert.True(l.Length <= 100, $"line too long: {l}"));
    }

    [Fact]
    public void The_list_table_shows_services_with_their_destinations_in_order()
    {
        string text = ListView.Render(Samples.Table(), new ListColumns(false, false, false));

        Assert.Equal("SERVICE  SCHEDULER  PERSISTENCE  DESTINATION  FORWARD  WEIGHT  ACTIVE  INACTIVE", string.Join("  ", text.Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)));
        var lines = text.Split('\n');
        Assert.StartsWith("tcp 10.0.0.1:80 ", lines[1], StringComparison.Ordinal);
        Assert.Contains("192.168.0.1:80", lines[2], StringComparison.Ordinal);
        Assert.Contains("192.168.0.2:80", lines[3], StringComparison.Ordinal);
        Assert.StartsWith("udp [2001:db8::1]:53 ", lines[4], StringComparison.Ordinal);
        Assert.Contains("tunnel/gue:6080,csum", lines[5], StringComparison.Ordinal);
        Assert.StartsWith("fwmark 7 ", lines[6], StringComparison.Ordinal);
        Assert.Contains("sh sh-port ops", lines[6], StringComparison.Ordinal);
        Assert.Contains("300s mask 255.255.255.0", lines[6], StringComparison.Ordinal);
        Assert.Contains("route", lines[7], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0UL, false, "0")]
    [InlineData(99_999UL, false, "99999")]
    [InlineData(123_456UL, false, "123K")]
    [InlineData(1_234_567UL, false, "1.2M")]
    [InlineData(1_234_567UL, true, "1234567")]
    [InlineData(ulong.MaxValue, false, "18.4E")]
    public void Large_numbers_are_shortened_unless_exact(ulong n, bool exact, string expected) =>
        Assert.Equal(expected, ListView.Number(n, exact));

    [Fact]
    public void Top_rates_are_the_counter_differences_per_second_and_sorting_puts_the_busiest_first()
    {
        var quiet = new Destination("192.168.0.1:80", 1);
        var busy = new Destination("192.168.0.2:80", 1);
        var key = ServiceKey.Tcp("10.0.0.1:80");
        IReadOnlyList<ServiceEntry> At(ulong quietConns, ulong busyConns) =>
        [
            new(new VirtualServiceInfo(new VirtualService(key), new IpvsStats(quietConns + busyConns, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                [Samples.Dest(quiet, stats: new IpvsStats(quietConns, 0, 0, 0, 0, 0, 0, 0, 0, 0)), Samples.Dest(busy, stats: new IpvsStats(busyConns, 0, 0, 0, 0, 0, 0, 0, 0, 0))]),
        ];

        string frame = TopView.Render(At(10, 100), At(8, 40), 2.0, TopSort.Cps, false, "t");

        var lines = frame.Split('\n');
        Assert.Equal("t - 1 service(s), 2 destination(s) - sorted by cps", lines[0]);
        Assert.Equal("31", Cells(lines[2])[4]); // a service row has no weight
        Assert.Equal(("  192.168.0.2:80", "30"), (lines[3][..16], Cells(lines[3])[5]));
        Assert.Equal("1", Cells(lines[4])[5]);
    }

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is var c && c[0] == "tcp" ? [c[0] + " " + c[1], .. c[2..]] : c;
}
