namespace Ipvs.ScriptingTests;

/// <summary>
/// Declarative evaluation never touches the kernel: a live-object call is an error at its line,
/// and the script stops there.
/// </summary>
public sealed class DeclarativeModeTests : IDisposable
{
    private readonly Scripts _scripts = new();

    public void Dispose() => _scripts.Dispose();

    [Fact]
    public async Task Adding_a_live_service_is_an_error_at_the_call_saying_to_use_ipvs_script()
    {
        var error = Scripts.SingleError(await _scripts.Evaluate(
            """
            var s = new Service("10.0.0.1:80", scheduler: "wrr");
            var d1 = new Dest("192.168.0.1:80", weight: 1);
            d1.Weight = 3;
                s.Add();
            Log("never reached");
            """));
        Assert.Equal(new SourceLocation(_scripts.Path("main.csx"), 4, 5), error.Location);
        Assert.Equal("live-call", error.Code);
        Assert.Equal(
            "Service.Add() changes the kernel at once; it cannot run during check/plan/apply; use `ipvs script` to run live objects, or declare the table with VirtualServer(…)",
            error.Message);
    }

    [Theory]
    [InlineData("s.AddDest(new Dest(\"192.168.0.1:80\"));", "Service.AddDest()")]
    [InlineData("var n = s.Dests.Count;", "Service.Dests")]
    [InlineData("var st = s.Stats;", "Service.Stats")]
    [InlineData("s.Remove();", "Service.Remove()")]
    [InlineData("var t = await Client.GetTableAsync();", "Client")]
    public async Task Every_live_call_is_an_error_at_its_line(string call, string name)
    {
        var error = Scripts.SingleError(await _scripts.Evaluate($"var s = new Service(\"10.0.0.1:80\");\n{call}\n"));
        Assert.Equal(("live-call", 2), (error.Code, error.Location?.Line));
        Assert.StartsWith(name + " ", error.Message, StringComparison.Ordinal);
        Assert.Contains("it cannot run during check/plan/apply; use `ipvs script`", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_thesis_fig18_loop_evaluated_as_configuration_stops_at_its_first_kernel_call()
    {
        var path = Path.Combine(Scripts.Examples, "fig18-imperative.csx");
        var error = Scripts.SingleError(await Scripts.EvaluateFile(path));
        var line = Array.FindIndex(File.ReadAllLines(path), l => l.Contains(".Add();", StringComparison.Ordinal)) + 1;
        Assert.Equal(("live-call", path, line), (error.Code, error.Location?.File, error.Location?.Line));
    }

    [Fact]
    public async Task Problems_found_before_a_live_call_are_reported_with_it()
    {
        var e = await _scripts.Evaluate(
            """
            VirtualServer("10.0.0.1:80", vs => vs.LbAlgo = "this-name-is-far-too-long");
            new Service("10.0.0.2:80").Add();
            """);
        Assert.Equal(["invalid-value", "live-call"], e.Errors.Select(d => d.Code));
    }
}
