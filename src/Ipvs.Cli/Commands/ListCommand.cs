using System.CommandLine;
using Ipvs.Cli.Formats;
using Ipvs.Cli.Output;

namespace Ipvs.Cli.Commands;

/// <summary>ipvs list: the table, as a table, JSON or YAML.</summary>
internal static class ListCommand
{
    public static Command Create(CliConsole console, KernelAccess kernel)
    {
        var stats = new Option<bool>("--stats") { Description = "Add the counters: connections, packets and bytes in and out since the service was added or zeroed." };
        var rates = new Option<bool>("--rates") { Description = "Add the kernel's rate estimates: connections, packets and bytes per second (a 2-second moving estimate)." };
        var exact = new Option<bool>("--exact", "-x") { Description = "Print numbers in full instead of 12.3K, 4.5M (table output; JSON and YAML are always exact)." };
        var output = CommonOptions.Output("table", "table", "json", "yaml");
        var command = new Command("list", "Show the virtual services and their real servers.") { stats, rates, exact, output };
        command.Aliases.Add("ls");
        command.SetAction((parse, ct) => CliApp.Guard(console, async () =>
        {
            using var lease = kernel.Open(parse.GetValue(CliApp.NetnsOption));
            var table = await lease.Client.GetTableAsync(ct).ConfigureAwait(false);
            string format = parse.GetValue(output)!;
            var content = new DocumentContent(Connections: true, parse.GetValue(stats), parse.GetValue(rates));
            console.Out.Write(format switch
            {
                "json" => TableJson.Serialize(TableJson.FromTable(table, null, content)),
                "yaml" => Yaml.FromJson(TableJson.Serialize(TableJson.FromTable(table, null, content))),
                _ => table.Count == 0
                    ? "No virtual services.\n"
                    : ListView.Render(table, new ListColumns(content.Stats, content.Rates, parse.GetValue(exact))),
            });
            return ExitCodes.Ok;
        }));
        return command;
    }
}
