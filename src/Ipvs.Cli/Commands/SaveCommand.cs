using System.CommandLine;
using Ipvs.Admin.Formats;
using Ipvs.Cli.Formats;

namespace Ipvs.Cli.Commands;

/// <summary>ipvs save: the table as rules that `ipvs restore` (or `ipvsadm -R`) reads back.</summary>
internal static class SaveCommand
{
    public static Command Create(CliConsole console, KernelAccess kernel)
    {
        var output = CommonOptions.Output("ipvsadm", "ipvsadm", "json");
        var names = new Option<bool>("--names")
        {
            Description = "ipvsadm format: print host and service names where they resolve, as `ipvsadm -S` does (the default prints numbers, as `ipvsadm -Sn`).",
        };
        var command = new Command("save", "Print the table as rules: ipvsadm's -S format, or JSON (with the timeouts).") { output, names };
        command.SetAction((parse, ct) => CliApp.Guard(console, async () =>
        {
            using var lease = kernel.Open(parse.GetValue(CliApp.NetnsOption));
            var table = await lease.Client.GetTableAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(output) == "json")
            {
                var timeouts = await lease.Client.GetTimeoutsAsync(ct).ConfigureAwait(false);
                console.Out.Write(TableJson.Serialize(TableJson.FromTable(table, timeouts, new DocumentContent(false, false, false))));
            }
            else
            {
                console.Out.Write(IpvsadmFormat.Save(table, numeric: !parse.GetValue(names)));
            }
            return ExitCodes.Ok;
        }));
        return command;
    }
}
