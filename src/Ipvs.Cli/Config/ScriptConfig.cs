using Ipvs.Desired;
using Ipvs.Scripting;

namespace Ipvs.Cli.Config;

/// <summary>
/// A C# script as a configuration: evaluated declaratively (a live-object call is a located
/// error; the kernel is not touched), compiled and validated whole by the scripting host.
/// </summary>
internal static class ScriptConfig
{
    public static async Task<(DesiredState State, string[] Warnings)> LoadAsync(string path, IReadOnlyList<string> args, TextWriter log, CancellationToken ct)
    {
        var evaluation = await ScriptEvaluator.EvaluateAsync(path, args, new EvaluationOptions { Log = log }, ct).ConfigureAwait(false);
        if (evaluation.State is null)
        {
            var errors = evaluation.Errors.Select(d => d.ToString()).ToList();
            throw new BadInputException(errors.Count > 0 ? errors : [$"{path}: the script declared no configuration"]);
        }
        return (evaluation.State, [.. evaluation.Warnings.Select(d => d.ToString())]);
    }
}
