using System.CommandLine;

namespace Ipvs.Cli.Commands;

/// <summary>Options several commands share, built the same way everywhere.</summary>
internal static class CommonOptions
{
    /// <summary>-o/--output with a fixed set of formats; a wrong one is a usage error naming the choices.</summary>
    public static Option<string> Output(string defaultFormat, params string[] formats)
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = $"Output format: {string.Join(", ", formats)} (default {defaultFormat}).",
            HelpName = string.Join('|', formats),
            DefaultValueFactory = _ => defaultFormat,
        };
        return OneOf(option, formats);
    }

    /// <summary>Restricts a string option to fixed choices, with an error that names the option.</summary>
    public static Option<string> OneOf(Option<string> option, params string[] choices)
    {
        option.Validators.Add(r =>
        {
            string? value = r.GetValueOrDefault<string>();
            if (value is not null && !choices.Contains(value, StringComparer.Ordinal))
            {
                r.AddError($"{option.Name} {value}: not one of {string.Join(", ", choices)}");
            }
        });
        option.CompletionSources.Add(choices);
        return option;
    }
}
