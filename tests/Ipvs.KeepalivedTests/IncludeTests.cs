namespace Ipvs.KeepalivedTests;

/// <summary>include: relative to the including file, globs and braces as glob(3) does, cycles.</summary>
public class IncludeTests
{
    private const string Vs = """
        virtual_server 10.1.0.100 80 {
            lb_algo rr
            lb_kind NAT
            protocol TCP
            real_server 10.1.1.11 80 {
                weight 1
            }
        }
        """;

    [Fact]
    public void An_include_is_relative_to_the_including_files_directory_at_every_level()
    {
        using var dir = new TempDir();
        var main = dir.Write("main.conf", "include sub/first.conf\n");
        dir.Write("sub/first.conf", "include second.conf\n");
        dir.Write("sub/second.conf", Vs);
        var result = KeepalivedParser.ParseFile(main);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Single(result.Config!.VirtualServers);
        Assert.Equal([main, Path.Join(dir.Path, "sub/first.conf"), Path.Join(dir.Path, "sub/second.conf")], result.Config.Files);
    }

    [Fact]
    public void Locations_in_an_included_file_name_that_file_and_its_own_lines()
    {
        using var dir = new TempDir();
        var main = dir.Write("main.conf", "\n\ninclude rs.conf\n");
        dir.Write("rs.conf", "virtual_server 10.1.0.100 80 {\n    lb_algoo rr\n}\n");
        var result = KeepalivedParser.ParseFile(main);
        var error = Assert.Single(result.Errors, d => d.Code == DiagnosticCodes.UnknownKeyword);
        Assert.Equal(Path.Join(dir.Path, "rs.conf"), error.Location.File);
        Assert.Equal((2, 5), (error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void A_glob_includes_the_matching_files_in_sorted_order_and_skips_dot_files()
    {
        using var dir = new TempDir();
        var main = dir.Write("main.conf", "include conf.d/*.conf\n");
        dir.Write("conf.d/b.conf", Vs.Replace("10.1.0.100", "10.1.0.102", StringComparison.Ordinal));
        dir.Write("conf.d/a.conf", Vs.Replace("10.1.0.100", "10.1.0.101", StringComparison.Ordinal));
        dir.Write("conf.d/.hidden.conf", "this is not read\n");
        dir.Write("conf.d/c.txt", "nor this\n");
        var config = Assert.IsType<KeepalivedConfig>(KeepalivedParser.ParseFile(main).Config);
        Assert.Equal(["10.1.0.101", "10.1.0.102"], config.VirtualServers.Select(v => ((VirtualServerAddress)v.Id).Address.ToString()));
    }

    [Fact]
    public void Braces_in_an_include_expand_in_the_order_written()
    {
        using var dir = new TempDir();
        var main = dir.Write("main.conf", "virtual_server 10.1.0.100 80 {\n lb_algo rr\n lb_kind NAT\n protocol TCP\n include rs/{two,one}.conf\n}\n");
        dir.Write("rs/one.conf", "real_server 10.1.1.11 80 {\n}\n");
        dir.Write("rs/two.conf", "real_server 10.1.1.12 80 {\n}\n");
        var vs = Assert.Single(KeepalivedParser.ParseFile(main).Config!.VirtualServers);
        Assert.Equal(["10.1.1.12", "10.1.1.11"], vs.RealServers.Select(r => r.Address.ToString()));
    }

    [Fact]
    public void A_missing_included_file_is_an_error_in_strict_mode_and_a_warning_in_lenient_mode()
    {
        using var dir = new TempDir();
        var main = dir.Write("main.conf", Vs + "\ninclude nope.conf\n");
        var strict = KeepalivedParser.ParseFile(main);
        var error = Assert.Single(strict.Errors);
        Assert.Equal((DiagnosticCodes.IncludeError, 9, 1), (error.Code, error.Location.Line, error.Location.Column));
        var lenient = KeepalivedParser.ParseFile(main, new KeepalivedParserOptions { Mode = KeepalivedParseMode.Lenient });
        Assert.True(lenient.Succeeded);
        Assert.Contains(lenient.Warnings, d => d.Code == DiagnosticCodes.IncludeError);
    }

    [Fact]
    public void A_glob_that_matches_nothing_is_only_a_warning_but_includew_makes_it_an_error()
    {
        using var dir = new TempDir();
        var plain = KeepalivedParser.ParseFile(dir.Write("a.conf", Vs + "\ninclude none/*.conf\n"));
        Assert.True(plain.Succeeded);
        Assert.Contains(plain.Warnings, d => d.Code == DiagnosticCodes.IncludeError);
        var strictest = KeepalivedParser.ParseFile(dir.Write("b.conf", Vs + "\nincludew none/*.conf\n"));
        Assert.Contains(strictest.Errors, d => d.Code == DiagnosticCodes.IncludeError);
    }

    [Fact]
    public void An_include_cycle_is_an_error_at_the_include_that_closes_it_in_both_modes()
    {
        using var dir = new TempDir();
        var main = dir.Write("main.conf", "include a.conf\n");
        dir.Write("a.conf", Vs + "\ninclude b.conf\n");
        var b = dir.Write("b.conf", "# b\ninclude a.conf\n");
        foreach (var mode in new[] { KeepalivedParseMode.Strict, KeepalivedParseMode.Lenient })
        {
            var result = KeepalivedParser.ParseFile(main, new KeepalivedParserOptions { Mode = mode });
            Assert.Null(result.Config);
            var error = Assert.Single(result.Errors);
            Assert.Equal(DiagnosticCodes.IncludeCycle, error.Code);
            Assert.Equal(new SourceLocation(b, 2, 1), error.Location);
            Assert.Contains("a.conf -> ", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_file_including_itself_is_a_cycle()
    {
        using var dir = new TempDir();
        var main = dir.Write("self.conf", "include self.conf\n");
        Assert.Equal(DiagnosticCodes.IncludeCycle, Assert.Single(KeepalivedParser.ParseFile(main).Errors).Code);
    }

    [Fact]
    public void The_same_file_included_twice_in_a_row_is_not_a_cycle()
    {
        using var dir = new TempDir();
        var main = dir.Write("main.conf", "virtual_server 10.1.0.100 80 {\n lb_algo rr\n lb_kind NAT\n protocol TCP\n include rs.conf\n}\nvirtual_server 10.1.0.101 80 {\n lb_algo rr\n lb_kind NAT\n protocol TCP\n include rs.conf\n}\n");
        dir.Write("rs.conf", "real_server 10.1.1.11 80 {\n}\n");
        var result = KeepalivedParser.ParseFile(main);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal(2, result.Config!.VirtualServers.Length);
    }

    [Fact]
    public void An_executable_file_is_not_read_as_configuration()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var dir = new TempDir();
        var main = dir.Write("main.conf", Vs + "\ninclude x.conf\n");
        var x = dir.Write("x.conf", "virtual_server 10.1.0.200 80 {\n}\n");
        File.SetUnixFileMode(x, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var lenient = KeepalivedParser.ParseFile(main, new KeepalivedParserOptions { Mode = KeepalivedParseMode.Lenient });
        Assert.Single(lenient.Config!.VirtualServers);
        Assert.Contains(lenient.Warnings, d => d.Code == DiagnosticCodes.IncludeError && d.Message.Contains("non-executable", StringComparison.Ordinal));
        Assert.Contains(KeepalivedParser.ParseFile(main).Errors, d => d.Code == DiagnosticCodes.IncludeError);
    }

    [Fact]
    public void ParseText_resolves_includes_from_the_directory_of_its_path()
    {
        using var dir = new TempDir();
        dir.Write("inc.conf", Vs);
        var result = KeepalivedParser.ParseText("include inc.conf\n", Path.Join(dir.Path, "virtual.conf"));
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
    }

    [Fact]
    public void A_missing_main_file_is_an_error()
    {
        var result = KeepalivedParser.ParseFile("/nonexistent/keepalived.conf");
        Assert.Equal(DiagnosticCodes.IncludeError, Assert.Single(result.Errors).Code);
    }
}
