using System.Text.RegularExpressions;

namespace Ipvs.ScriptingTests;

/// <summary>The snippets in examples/scripts/README.md run as shown.</summary>
public sealed partial class ExampleTests : IDisposable
{
    private readonly Scripts _scripts = new();

    public void Dispose() => _scripts.Dispose();

    private static string[] Snippets() =>
    [
        .. Fence().Matches(File.ReadAllText(Path.Combine(Scripts.Examples, "README.md"))).Select(m => m.Groups[1].Value),
    ];

    [Fact]
    public async Task The_readme_declarative_snippet_declares_a_valid_state()
    {
        var snippet = Assert.Single(Snippets(), s => s.Contains("VirtualServer(", StringComparison.Ordinal));
        var state = Scripts.Ok(await _scripts.Evaluate(snippet));
        var web1 = state.Services.Single().Destinations.Single();
        Assert.Equal(["http", "delegate"], web1.Checks.Select(c => c.Kind));
        Assert.NotNull(state.Services.Single().Policy.SorryServer);
    }

    [Fact]
    public async Task The_readme_imperative_snippet_runs()
    {
        var snippet = Assert.Single(Snippets(), s => s.Contains("new Service(", StringComparison.Ordinal));
        var kernel = new FakeIpvs();
        var result = await _scripts.Run(snippet, kernel);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(3, kernel.Table.Single().Destinations.Single().Weight);
    }

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Fence();
}
