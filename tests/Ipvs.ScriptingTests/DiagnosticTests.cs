namespace Ipvs.ScriptingTests;

/// <summary>Every problem comes back placed at file:line:col, in the file that has it.</summary>
public sealed class DiagnosticTests : IDisposable
{
    private readonly Scripts _scripts = new();

    public void Dispose() => _scripts.Dispose();

    [Fact]
    public async Task A_compile_error_is_reported_at_its_file_line_and_column()
    {
        var e = await _scripts.Evaluate(
            """
            VirtualServer("10.0.0.1:80", vs =>
            {
                vs.LbAlgo = wrr;
            });
            """);
        var error = Scripts.SingleError(e);
        Assert.Equal($"{_scripts.Path("main.csx")}:3:17: error: The name 'wrr' does not exist in the current context [CS0103]", error.ToString());
    }

    [Fact]
    public async Task A_compile_error_in_a_loaded_file_is_reported_in_that_file()
    {
        _scripts.Write("lib/shared.csx",
            """
            // shared
            void Web(VirtualServerBlock vs, string a) => vs.RealServer(a, rs => rs.Wieght = 1);
            """);
        var e = await _scripts.Evaluate(
            """
            #load "lib/shared.csx"
            VirtualServer("10.0.0.1:80", vs => Web(vs, "192.168.0.1:80"));
            """);
        var error = Scripts.SingleError(e);
        Assert.Equal(new SourceLocation(_scripts.Path("lib/shared.csx"), 2, 72), error.Location);
        Assert.Equal("CS1061", error.Code);
        Assert.Contains("'Wieght'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_loaded_file_is_reported_at_the_load_directive()
    {
        var error = Scripts.SingleError(await _scripts.Evaluate("#load \"nowhere.csx\"\nVirtualServer(\"10.0.0.1:80\");\n"));
        Assert.Equal(new SourceLocation(_scripts.Path("main.csx"), 1, 7), error.Location);
        Assert.Equal("CS1504", error.Code);
    }

    [Fact]
    public async Task A_relative_script_path_gives_relative_paths_in_diagnostics()
    {
        _scripts.Write("lib/shared.csx", "int x = \"not a number\";\n");
        var main = _scripts.Write("main.csx", "#load \"lib/shared.csx\"\n");
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), main);
        var error = Scripts.SingleError(await Scripts.EvaluateFile(relative));
        Assert.Equal(Path.Combine(Path.GetDirectoryName(relative)!, "lib", "shared.csx") + ":1:9", error.Location.ToString());
    }

    [Fact]
    public async Task An_unreadable_script_is_one_error_naming_the_file()
    {
        var error = Scripts.SingleError(await Scripts.EvaluateFile(_scripts.Path("missing.csx")));
        Assert.Equal("io", error.Code);
        Assert.Equal(_scripts.Path("missing.csx"), error.Location?.File);
    }

    [Fact]
    public async Task An_exception_the_script_throws_is_reported_at_the_line_that_threw()
    {
        var e = await _scripts.Evaluate(
            """
            VirtualServer("10.0.0.1:80", vs =>
            {
                vs.LbAlgo = "wrr";
                    throw new InvalidOperationException("no such farm");
            });
            """);
        var error = Scripts.SingleError(e);
        Assert.Equal($"{_scripts.Path("main.csx")}:4:9: error: InvalidOperationException: no such farm [exception]", error.ToString());
    }

    [Fact]
    public async Task An_exception_thrown_in_a_loaded_function_is_reported_in_the_loaded_file()
    {
        _scripts.Write("farm.csx",
            """
            string[] Servers(int n)
            {
                if (n > 2) throw new ArgumentOutOfRangeException(nameof(n), "the farm has 2 servers");
                return ["192.168.0.1:80", "192.168.0.2:80"];
            }
            """);
        var e = await _scripts.Evaluate(
            """
            #load "farm.csx"
            await Task.Yield();
            VirtualServer("10.0.0.1:80", vs => { foreach (var s in Servers(3)) vs.RealServer(s); });
            """);
        var error = Scripts.SingleError(e);
        Assert.Equal(new SourceLocation(_scripts.Path("farm.csx"), 3, 16), error.Location);
        Assert.StartsWith("ArgumentOutOfRangeException: the farm has 2 servers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_problem_in_a_file_is_reported_in_order_not_just_the_first()
    {
        var e = await _scripts.Evaluate(
            """
            VirtualServer("10.0.0.1:80", vs =>
            {
                vs.LbAlgo = "weighted-round-robin";
                vs.RealServer("192.168.0.1:80", rs => rs.Weight = -1);
                vs.RealServer("192.168.0.2:80");
                vs.RealServer("192.168.0.2:80");
            });
            VirtualServer("10.0.0.1:80");
            """);
        Assert.Null(e.State);
        Assert.Equal(
            [("invalid-value", 3, 5), ("invalid-value", 4, 43), ("duplicate-destination", 6, 5), ("duplicate-service", 8, 1)],
            e.Errors.Select(d => (d.Code, d.Location!.Value.Line, d.Location!.Value.Column)));
    }
}
