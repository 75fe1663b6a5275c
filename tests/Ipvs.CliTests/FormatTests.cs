using System.Text;
using Ipvs.Cli;
using Ipvs.Cli.Formats;
using Ipvs.Cli.Output;

namespace Ipvs.CliTests;

public sealed class FormatTests
{
    [Fact]
    public void A_json_save_reads_back_as_the_operations_that_rebuild_the_same_table()
    {
        var table = Samples.Table();
        var json = TableJson.Serialize(TableJson.FromTable(table, Timeouts.FromSeconds(900, 120, 300), new DocumentContent(false, false, false)));

        var ops = TableJson.ToOperations(TableJson.Parse(Encoding.UTF8.GetBytes(json), "t.json"), "t.json");

        var services = ops.Select(o => o.Operation).OfType<AddServiceOperation>().Select(o => o.Service).ToList();
        Assert.Equal(table.Select(e => e.Info.Service).OrderBy(s => s.Key.ToString(), StringComparer.Ordinal),
            services.OrderBy(s => s.Key.ToString(), StringComparer.Ordinal));
        var dests = ops.Select(o => o.Operation).OfType<AddDestinationOperation>().ToList();
        Assert.Equal(table.Sum(e => e.Destinations.Count), dests.Count);
        foreach (var e in table)
        {
            foreach (var d in e.Destinations)
            {
                Assert.Contains(dests, x => x.Service == e.Key && x.Destination == d.Destination);
            }
        }
        Assert.Equal(Timeouts.FromSeconds(900, 120, 300), ops.Select(o => o.Operation).OfType<SetTimeoutsOperation>().Single().Timeouts);
        Assert.Equal("t.json: services[0]", ops[0].Location);
    }

    [Fact]
    public void Json_output_is_sorted_and_leaves_out_what_was_not_asked_for()
    {
        var json = TableJson.Serialize(TableJson.FromTable(Samples.Table(), null, new DocumentContent(true, false, false)));

        Assert.StartsWith("{\n  \"version\": 1,\n  \"services\": [\n    {\n      \"service\": \"tcp:10.0.0.1:80\",", json, StringComparison.Ordinal);
        Assert.True(json.IndexOf("192.168.0.1", StringComparison.Ordinal) < json.IndexOf("192.168.0.2", StringComparison.Ordinal));
        Assert.True(json.IndexOf("udp:[2001:db8::1]:53", StringComparison.Ordinal) < json.IndexOf("fwmark:7", StringComparison.Ordinal));
        Assert.DoesNotContain("stats", json, StringComparison.Ordinal);
        Assert.DoesNotContain("timeouts", json, StringComparison.Ordinal);
        Assert.Contains("\"activeConnections\": 5", json, StringComparison.Ordinal);
        Assert.Contains("\"schedulerFlags\": [\n        \"sh-port\"\n      ]", json, StringComparison.Ordinal);
        Assert.Contains("\"tunnel\": {\n            \"type\": \"gue\",\n            \"port\": 6080,\n            \"checksum\": \"csum\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_json_syntax_error_is_reported_with_its_line_and_column()
    {
        var e = Assert.Throws<BadInputException>(() => TableJson.Parse(Encoding.UTF8.GetBytes("{\n  \"services\": [\n    { \"port\": 80,, }\n  ]\n}"), "t.json"));

        Assert.StartsWith("t.json:3:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_json_field_is_an_error_not_silence()
    {
        var e = Assert.Throws<BadInputException>(() => TableJson.Parse(Encoding.UTF8.GetBytes("{ \"services\": [ { \"protocol\": \"tcp\", \"adress\": \"10.0.0.1\" } ] }"), "t.json"));

        Assert.Contains("adress", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_bad_json_field_is_reported_at_once_by_its_path()
    {
        const string json = """
            { "version": 1, "services": [
              { "protocol": "tcp", "address": "10.0.0.1", "port": 80,
                "destinations": [ { "address": "192.168.0.1", "port": 80, "weight": -1 },
                                  { "address": "192.168.0.1", "port": 80 },
                                  { "address": "192.168.0.1", "port": 80 } ] },
              { "protocol": "tcp", "address": "10.0.0.1", "port": 80 },
              { "fwmark": 0 },
              { "protocol": "icmp", "address": "10.0.0.2", "port": 1 },
              { "service": "tcp:10.0.0.3:80", "protocol": "tcp", "address": "10.0.0.4", "port": 80 },
              { "fwmark": 5, "family": "ipv6", "netmask": "/129", "persistence": 30 } ] }
            """;

        var e = Assert.Throws<BadInputException>(() => TableJson.ToOperations(TableJson.Parse(Encoding.UTF8.GetBytes(json), "t.json"), "t.json"));

        Assert.Equal(
            [
                "t.json: services[0].destinations[0].weight: -1 is out of range (0 to 2147483647)",
                "t.json: services[0].destinations[2]: destination 192.168.0.1:80 appears twice in tcp:10.0.0.1:80",
                "t.json: services[1]: service tcp:10.0.0.1:80 appears twice",
                "t.json: services[2].fwmark: 0 is out of range (1 to 4294967295)",
                "t.json: services[3].protocol: 'icmp' is not tcp, udp or sctp",
                "t.json: services[4].service: 'tcp:10.0.0.3:80' does not match the service's own fields (tcp:10.0.0.4:80)",
                "t.json: services[5].netmask: An IPv6 persistence prefix must be 1 to 128; 129 is out of range.",
            ],
            e.Messages);
    }

    [Fact]
    public void Every_bad_line_of_an_ipvsadm_rules_file_is_reported_with_its_number()
    {
        var rules = "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 192.168.0.1:80 -w lots\n\n-L -n\n-A -t 10.0.0.1:99999\n";

        var e = Assert.Throws<BadInputException>(() => RestoreInput.Load(Encoding.UTF8.GetBytes(rules), "rules", InputFormat.Auto));

        Assert.Equal(3, e.Messages.Count);
        Assert.StartsWith("rules:2: ", e.Messages[0], StringComparison.Ordinal);
        Assert.Equal("rules:4: a listing (-L, -S) is not a change; a rules file holds changes only", e.Messages[1]);
        Assert.StartsWith("rules:5: ", e.Messages[2], StringComparison.Ordinal);
    }

    [Fact]
    public void The_format_is_json_when_the_file_starts_with_a_brace_and_ipvsadm_otherwise()
    {
        var json = RestoreInput.Load(Encoding.UTF8.GetBytes("\n  {\"services\": [{\"fwmark\": 3}]}"), "a", InputFormat.Auto);
        var rules = RestoreInput.Load(Encoding.UTF8.GetBytes("# comment\n-A -f 3\n"), "b", InputFormat.Auto);

        Assert.Equal(json.Single().Operation, rules.Single().Operation);
        Assert.Equal("b:2", rules.Single().Location);
    }

    [Fact]
    public void Yaml_is_the_json_document_with_strings_that_look_like_numbers_quoted()
    {
        string yaml = Yaml.FromJson("{\"a\": \"80\", \"b\": 80, \"c\": \"true\", \"d\": \"wrr\", \"e\": [\"x\", 1], \"f\": null}");

        Assert.Equal("a: \"80\"\nb: 80\nc: \"true\"\nd: wrr\ne:\n- x\n- 1\nf: null\n", yaml.Replace("'", "\"", StringComparison.Ordinal));
    }
}
