namespace Ipvs.CliTests;

public sealed class ConfigTests
{
    private static string Write(string name, string text)
    {
        string dir = Path.Combine(Path.GetTempPath(), "ipvs-clitests-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Check_validates_a_saved_table_without_the_kernel()
    {
        string rules = Write("rules", "-A -t 10.0.0.1:80 -s wrr\n-a -t 10.0.0.1:80 -r 192.168.0.1:80 -m -w 2\n--set 100 20 30\n");

        var (code, output, error) = await Samples.Run(null, "check", rules);

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Equal($"{rules}: valid (ipvsadm): 1 service(s), 1 destination(s), 0 health check(s)\n", output);
    }

    [Fact]
    public async Task A_saved_table_that_changes_rather_than_declares_is_refused_with_its_lines()
    {
        string rules = Write("rules", "-A -t 10.0.0.1:80\n-E -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.2:80 -r 192.168.0.1:80\n-A -t 10.0.0.1:80\n");

        var (code, _, error) = await Samples.Run(null, "check", rules);

        Assert.Equal(2, code);
        Assert.Equal(
            $"ipvs: {rules}:2: a configuration describes a table (-A, -a, --set); -E (edit service) is a change, not a state — use `ipvs restore` to run it\n" +
            $"ipvs: {rules}:3: destination 192.168.0.1:80 belongs to service tcp:10.0.0.2:80, which this file does not declare (with -A) before it\n" +
            $"ipvs: {rules}:4: service tcp:10.0.0.1:80 is declared twice\n",
            error);
    }

    [Fact]
    public async Task Check_reads_a_json_table_by_its_extension()
    {
        string json = Write("table.json", """{ "services": [ { "fwmark": 7, "scheduler": "rr", "destinations": [ { "address": "192.168.0.1", "port": 0, "forward": "route" } ] } ] }""");

        var (code, output, _) = await Samples.Run(null, "check", json);

        Assert.Equal(0, code);
        Assert.EndsWith("valid (json): 1 service(s), 1 destination(s), 0 health check(s)\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_configuration_is_bad_input()
    {
        var (code, _, error) = await Samples.Run(null, "plan", "/nonexistent/lb.csx");

        Assert.Equal(2, code);
        Assert.StartsWith("ipvs: /nonexistent/lb.csx: ", error, StringComparison.Ordinal);
    }
}
