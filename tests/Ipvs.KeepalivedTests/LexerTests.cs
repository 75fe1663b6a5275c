using Ipvs.Keepalived.Parsing;
using Ipvs.Keepalived.Syntax;

namespace Ipvs.KeepalivedTests;

/// <summary>The line reader: what keepalived's read_line() makes of the text, with locations.</summary>
public class LexerTests
{
    private static (List<Line> Lines, ImmutableArray<Diagnostic> Diagnostics) Lex(string text, string? configId = "lab", string path = "lex.conf")
    {
        var diagnostics = new DiagnosticBag(KeepalivedParseMode.Strict);
        var reader = new LineReader(diagnostics, configId);
        Assert.True(reader.OpenMain(path, text));
        var lines = new List<Line>();
        while (reader.Next() is { } line)
        {
            lines.Add(line);
        }
        return (lines, diagnostics.ToImmutable());
    }

    private static List<string> Words(string text, string? configId = "lab") =>
        Lex(text, configId).Lines.Select(l => string.Join("|", l.Words.Select(w => w.Text))).ToList();

    [Fact]
    public void Every_word_has_its_file_line_and_column()
    {
        var (lines, _) = Lex("virtual_server 10.0.0.1 80 {\n\tlb_algo   wrr\n}\n");
        Assert.Equal(4, lines.Count);
        Assert.Equal(new SourceLocation("lex.conf", 1, 1), lines[0][0].Location);
        Assert.Equal(new SourceLocation("lex.conf", 1, 16), lines[0][1].Location);
        Assert.Equal(new SourceLocation("lex.conf", 1, 25), lines[0][2].Location);
        Assert.Equal(new SourceLocation("lex.conf", 1, 28), lines[1][0].Location);
        Assert.Equal(new SourceLocation("lex.conf", 2, 2), lines[2][0].Location);
        Assert.Equal(new SourceLocation("lex.conf", 2, 12), lines[2][1].Location);
        Assert.Equal(new SourceLocation("lex.conf", 3, 1), lines[3][0].Location);
    }

    [Fact]
    public void Every_brace_outside_quotes_becomes_a_line_of_its_own()
    {
        Assert.Equal(["real_server|1.2.3.4|80", "{", "weight|1", "}", "}"], Words("real_server 1.2.3.4 80 { weight 1 } }"));
        Assert.Equal(["url", "{", "path|/a{b}", "}"], Words("url { path \"/a{b}\" }"));
        Assert.Equal(["a", "{", "b", "}"], Words("a{b}"));
    }

    [Fact]
    public void Comments_start_at_the_first_bang_or_hash_outside_double_quotes_even_inside_a_word()
    {
        Assert.Equal(["weight|1", "path|/a"], Words("weight 1 ! one\npath /a#b\n# whole line\n! whole line"));
        Assert.Equal(["path|/a#b!c"], Words("path \"/a#b!c\""));
        // keepalived's decomment() only knows double quotes.
        Assert.Equal(["path|'/a"], Words("path '/a#b'"));
    }

    [Fact]
    public void An_escaped_comment_character_outside_quotes_starts_a_comment_for_the_checker_process_and_is_refused()
    {
        // keepalived's parent reads "/a#b!c", writes it to the copy its checker process reads, and
        // the checker decomments that again (the lab saw HTTP_GET ask for /x with path /x\#y).
        var (lines, diagnostics) = Lex("path /a\\#b\\!c");
        Assert.Equal("path|/a", string.Join("|", lines[0].Words.Select(w => w.Text)));
        var error = Assert.Single(diagnostics);
        Assert.Equal((DiagnosticSeverity.Error, DiagnosticCodes.Adjusted, 9), (error.Severity, error.Code, error.Location.Column));
        // Quoted, a backslash is kept as it is and '#' needs none.
        Assert.Equal(["path|/a#b!c"], Words("path \"/a#b!c\""));
        Assert.Equal(["path|/a\\#b"], Words("path \"/a\\#b\""));
    }

    [Fact]
    public void Quoted_strings_keep_spaces_and_drop_the_quotes_and_a_quote_ends_an_unquoted_word()
    {
        var (lines, _) = Lex("misc_path \"/bin/check one\" user\nx ab\"cd\"");
        Assert.Equal("/bin/check one", lines[0][1].Text);
        Assert.True(lines[0][1].Quoted);
        Assert.Equal(11, lines[0][1].Location.Column);
        Assert.Equal(["x", "ab", "cd"], lines[1].Words.Select(w => w.Text));
    }

    [Fact]
    public void An_unterminated_quote_is_reported_where_it_opens()
    {
        var (_, diagnostics) = Lex("virtualhost \"www.example\n");
        var d = Assert.Single(diagnostics);
        Assert.Equal((DiagnosticCodes.UnterminatedQuote, 1, 13), (d.Code, d.Location.Line, d.Location.Column));
    }

    [Fact]
    public void Blank_lines_and_leading_and_trailing_blanks_vanish_and_CRLF_is_accepted()
    {
        Assert.Equal(["a|b", "c"], Words("\r\n   a  b   \r\n\r\n\tc\t\r\n"));
    }

    [Fact]
    public void Conditional_lines_are_kept_only_for_their_config_id_and_at_caret_for_every_other()
    {
        var text = "@lab router_id main\n@other router_id other\n@^lab x not_lab\n@^other y not_other\n@lab\n";
        Assert.Equal(["router_id|main", "y|not_other"], Words(text, "lab"));
        Assert.Equal(["x|not_lab", "y|not_other"], Words(text, null));
    }

    [Fact]
    public void Definitions_are_substituted_with_or_without_braces_and_keep_the_reference_column()
    {
        var (lines, _) = Lex("$VIP=10.0.0.1\n$PORT=80\nvirtual_server $VIP ${PORT}\nx ${VIP}:$PORT");
        Assert.Equal(["virtual_server", "10.0.0.1", "80"], lines[0].Words.Select(w => w.Text));
        Assert.Equal(16, lines[0][1].Location.Column);
        Assert.Equal(21, lines[0][2].Location.Column);
        // "$PORT" must be followed by a blank, ',', ')' or the end; "${VIP}" need not be.
        Assert.Equal("10.0.0.1:80", lines[1][1].Text);
    }

    [Fact]
    public void A_definition_may_use_another_and_an_unknown_one_stays_as_written()
    {
        Assert.Equal(["a|1.2", "b|$NOPE"], Words("$A=1\n$B=${A}.2\na $B\nb $NOPE"));
    }

    [Fact]
    public void A_multiline_definition_expands_into_several_lines()
    {
        var text = """
            $CHECK=TCP_CHECK { \
                connect_timeout 2 \
            }
            real_server 1.2.3.4 80 {
                $CHECK
            }
            """;
        Assert.Equal(["real_server|1.2.3.4|80", "{", "TCP_CHECK", "{", "connect_timeout|2", "}", "}"], Words(text));
    }

    [Fact]
    public void Standard_definitions_give_the_instance_and_the_files_directory()
    {
        var (lines, _) = Lex("a $_INSTANCE\nb ${_PWD}", "lab", "/etc/keepalived/x.conf");
        Assert.Equal("lab", lines[0][1].Text);
        Assert.Equal("/etc/keepalived", lines[1][1].Text);
    }

    [Fact]
    public void Random_definition_is_within_its_bounds()
    {
        var (lines, _) = Lex("a ${_RANDOM 5 7}");
        Assert.InRange(int.Parse(lines[0][1].Text, System.Globalization.CultureInfo.InvariantCulture), 5, 7);
    }

    [Fact]
    public void Seq_and_lst_are_reported_as_unsupported()
    {
        var (_, diagnostics) = Lex("~SEQ(i, 1, 3) real_server 10.0.0.$i 80 { }");
        var d = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticCodes.Unsupported, d.Code);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
    }

    [Fact]
    public void Text_after_a_brace_is_read_as_the_next_line_with_its_columns()
    {
        var (lines, _) = Lex("url { path / }");
        Assert.Equal(["url", "{", "path|/", "}"], lines.Select(l => string.Join("|", l.Words.Select(w => w.Text))));
        Assert.Equal(5, lines[1].Location.Column);
        Assert.Equal(7, lines[2].Location.Column);
        Assert.Equal(14, lines[3].Location.Column);
    }

    [Fact]
    public void Quoted_escaped_splitting_handles_both_quotes_and_escapes_like_keepalived()
    {
        var words = WordSplitter.SplitQuotedEscaped("notify_up \"/bin/sh -c 'echo up'\" root 'my group' a\\ b \\x41\\t");
        Assert.Equal(["notify_up", "/bin/sh -c 'echo up'", "root", "my group", "a b", "A\t"], words!);
        Assert.Null(WordSplitter.SplitQuotedEscaped("x \"unclosed"));
    }
}
