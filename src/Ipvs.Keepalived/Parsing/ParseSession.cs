using Ipvs.Keepalived.Syntax;

namespace Ipvs.Keepalived.Parsing;

/// <summary>
/// One parse. The loop is keepalived's <c>process_stream()</c> (lib/parser.c) made iterative: a
/// stack of open blocks, keepalived's <c>skip_sublevel</c> for blocks it skips (inactive VRRP/BFD
/// blocks, a real_server with a bad address), a '{' expected after every block keyword, and a
/// '}' closing the innermost block. In lenient mode that is all it does, so braces behave exactly as
/// in keepalived. In strict mode it recovers differently, to point at the real mistake once: a block
/// keyword that belongs to an enclosing block closes the unclosed blocks (Fig. 8: the second
/// real_server ends the first), and an unknown or misplaced block is skipped whole.
/// </summary>
internal sealed partial class ParseSession
{
    private sealed class Frame(BlockSpec block, KeywordSpec? keyword, Line? openedBy)
    {
        public BlockSpec Block { get; } = block;
        public KeywordSpec? Keyword { get; } = keyword;
        public Line? OpenedBy { get; } = openedBy;
        public bool NeedOpenBrace { get; set; }
    }

    private readonly DiagnosticBag _d;
    private readonly LineReader _reader;
    private readonly List<Frame> _frames = [];
    private readonly Stack<SourceLocation> _openBraces = new();
    private int _skipSublevel;
    private Line? _skipStartedBy;
    private int _strictSkip;
    private Line? _strictSkipStartedBy;
    private Line? _skipNextBlockOf;
    private Line? _pushedBack;
    private Line? _extraBraceReported;
    private (Frame Frame, Line Brace)? _justClosed;

    public ParseSession(DiagnosticBag diagnostics, LineReader reader)
    {
        _d = diagnostics;
        _reader = reader;
        _frames.Add(new Frame(Grammar.Root, null, null));
    }

    private bool Strict => _d.Strict;

    private Frame Top => _frames[^1];

    private int Level => _frames.Count - 1;

    public void Run()
    {
        while (NextLine() is { } line)
        {
            Step(line);
        }
        EndOfFile();
    }

    // read_line()'s block_depth: every '{' and '}' is counted, wherever it is read from.
    private Line? NextLine()
    {
        if (_pushedBack is { } again)
        {
            _pushedBack = null;
            return again;
        }
        var line = _reader.Next();
        if (line is null)
        {
            return null;
        }
        if (line.IsOpenBrace)
        {
            _openBraces.Push(line.Location);
        }
        else if (line.IsCloseBrace)
        {
            if (_openBraces.Count == 0)
            {
                if (Strict)
                {
                    // Strict mode matches braces by its blocks (Step), which also knows what the
                    // '}' would have closed.
                    return line;
                }
                _extraBraceReported = line;
                _d.Deviation(DiagnosticCodes.ExtraCloseBrace, line.Location,
                    "extra '}': there is no open block to close",
                    Strict ? "remove it, or look above for a block that was closed too early" : "keepalived reports \"Extra '}' found\" and ignores it");
            }
            else
            {
                _openBraces.Pop();
            }
        }
        return line;
    }

    private void Step(Line line)
    {
        var justClosed = _justClosed;
        _justClosed = null;
        // keepalived's skip_block(): -1 waits for the block's '{', > 0 counts braces.
        if (_skipSublevel == -1)
        {
            if (line.IsOpenBrace)
            {
                _skipSublevel = 1;
                Top.NeedOpenBrace = false;
                return;
            }
            _skipSublevel = 0;
        }
        if (_skipSublevel > 0)
        {
            if (Strict && _skipSublevel == 1 && _skipStartedBy is { } skipping && Level == 0 && line.Keyword is "virtual_server" or "virtual_server_group" or "global_defs")
            {
                // An LVS block inside a VRRP/BFD block: that block's '}' is missing.
                _d.Deviation(DiagnosticCodes.UnclosedBlock, line.Location,
                    $"{skipping.Keyword} block opened at {skipping.Location.ToShortString()} is not closed before {line.Keyword} at {line.Location.ToShortString()}",
                    $"add '}}' before line {line.LineNumber} to close '{skipping.Join()}'");
                _skipSublevel = 0;
                _skipStartedBy = null;
                Step(line);
                return;
            }
            foreach (var word in line.Words)
            {
                if (word.Text == "{")
                {
                    _skipSublevel++;
                }
                else if (word.Text == "}" && --_skipSublevel == 0)
                {
                    break;
                }
            }
            if (line.IsCloseBrace && _skipSublevel == 0)
            {
                _skipStartedBy = null;
                if (Level > 0)
                {
                    // The skipped block was a real or virtual server that failed: its block ends
                    // here, and its close handler does not run.
                    Pop(runClose: false);
                }
            }
            return;
        }
        if (_strictSkip > 0)
        {
            if (line.IsOpenBrace)
            {
                _strictSkip++;
            }
            else if (line.IsCloseBrace && --_strictSkip == 0)
            {
                _strictSkipStartedBy = null;
            }
            return;
        }
        if (_skipNextBlockOf is { } skipped)
        {
            _skipNextBlockOf = null;
            if (line.IsOpenBrace)
            {
                _strictSkip = 1;
                _strictSkipStartedBy = skipped;
                return;
            }
        }

        if (Top.NeedOpenBrace)
        {
            Top.NeedOpenBrace = false;
            if (line.IsOpenBrace && Level > 0)
            {
                return;
            }
            var opener = Top.OpenedBy!;
            _d.Deviation(DiagnosticCodes.MissingOpenBrace, opener.EndLocation,
                $"{opener.Keyword} at {opener.Location.ToShortString()} must be followed by '{{'; found '{line.Join()}' at {line.Location.ToShortString()}",
                Strict ? $"write '{{' after '{opener.Join()}'" : "keepalived reports \"Missing '{' at beginning of configuration block\" and reads the following lines as the block's content");
        }
        else if (line.IsOpenBrace)
        {
            _d.Deviation(DiagnosticCodes.UnexpectedOpenBrace, line.Location,
                "unexpected '{': it does not follow a keyword that opens a block",
                Strict ? "remove it, or check the keyword before it" : "keepalived reports \"Unexpected '{' - ignoring\" and reads what follows at the current level");
            if (Strict)
            {
                _strictSkip = 1;
                _strictSkipStartedBy = line;
            }
            return;
        }

        if (line.IsCloseBrace)
        {
            if (Level > 0)
            {
                _justClosed = (Top, line);
                Pop(runClose: true);
            }
            else if (!ReferenceEquals(line, _extraBraceReported))
            {
                _d.Deviation(DiagnosticCodes.ExtraCloseBrace, line.Location,
                    "extra '}' at the top level: every block is already closed",
                    Strict ? "remove it, or look above for a block that was closed too early" : "keepalived reports \"Unknown keyword '}'\" and ignores it");
            }
            return;
        }

        var keyword = Top.Block.Find(line.Keyword);
        if (keyword is null)
        {
            // Only when the '}' is not lined up with its block's keyword: a '}' in the keyword's
            // column is most likely the block's own, and the keyword is what is misplaced.
            if (justClosed is { } closed && closed.Frame.Block.Find(line.Keyword) is { } inner &&
                closed.Brace.Location.Column != closed.Frame.OpenedBy!.Location.Column)
            {
                ClosedTooEarly(line, closed.Frame, closed.Brace, inner);
                return;
            }
            Unknown(line);
            return;
        }
        Dispatch(keyword, line);
    }

    private void Dispatch(KeywordSpec keyword, Line line)
    {
        if (keyword.NotHandled is not null)
        {
            keyword.Handler?.Invoke(this, line);
            _skipSublevel = -1;
            _skipStartedBy = line;
            return;
        }
        bool opensBlock = keyword.Block is not null;
        int values = line.Count - 1;
        if (values < keyword.MinArgs)
        {
            _d.Fatal(DiagnosticCodes.MissingArgument, line.EndLocation,
                $"{keyword.Name} needs a value",
                "keepalived stops reading the configuration here (\"missing a parameter\")");
            if (opensBlock)
            {
                Push(keyword, line);
                SkipBlock();
            }
            return;
        }
        if (keyword.MaxArgs >= 0 && values > keyword.MaxArgs)
        {
            var takes = keyword.MaxArgs switch
            {
                0 => "no value",
                1 => "one value",
                _ => $"at most {keyword.MaxArgs} values",
            };
            _d.Deviation(DiagnosticCodes.ExtraArgument, line[keyword.MaxArgs + 1].Location,
                $"{keyword.Name} takes {takes}; '{line.Join(keyword.MaxArgs + 1)}' is extra",
                "keepalived ignores the extra words");
        }
        keyword.Handler?.Invoke(this, line);
        if (opensBlock)
        {
            Push(keyword, line);
        }
    }

    private void Push(KeywordSpec keyword, Line line)
    {
        // read_line() always splits the '{' off the keyword's line, so keepalived's process_stream()
        // always waits for it on the next line.
        _frames.Add(new Frame(keyword.Block!, keyword, line) { NeedOpenBrace = true });
    }

    private void Pop(bool runClose)
    {
        var frame = _frames[^1];
        _frames.RemoveAt(_frames.Count - 1);
        if (runClose)
        {
            frame.Keyword?.OnClose?.Invoke(this);
        }
    }

    /// <summary>keepalived's <c>skip_block(true)</c>: the block about to open is skipped, and its close handler will not run.</summary>
    private void SkipBlock()
    {
        _skipSublevel = -1;
    }

    private void Unknown(Line line)
    {
        var word = line.Keyword;
        var top = Top;
        var where = Level == 0 ? "at the top level" : $"inside {top.Block.Name}";

        // A keyword of an enclosing block.
        for (int i = _frames.Count - 2; i >= 0; i--)
        {
            var outer = _frames[i].Block.Find(word);
            if (outer is null)
            {
                continue;
            }
            if (outer.Block is not null || outer.NotHandled is not null)
            {
                MissingCloseBefore(line, i, outer);
                return;
            }
            var hint = word == "lb_kind" && top.Block.Name == "real_server"
                ? "inside real_server the forwarding method is set with lvs_method (keepalived 2.2.7 has no lb_kind there)"
                : $"move it into the {_frames[i].Block.Name} block" + (_frames[i].OpenedBy is { } o ? $" opened at {o.Location.ToShortString()}" : "");
            _d.Deviation(DiagnosticCodes.MisplacedKeyword, line.Location,
                $"{word} is a {_frames[i].Block.Name} setting and is not valid {where}",
                Strict ? hint : hint + "; keepalived reports \"Unknown keyword\" and ignores the line");
            return;
        }

        // A keyword of some other block.
        if (Grammar.Places.TryGetValue(word, out var places))
        {
            var belongs = string.Join(" or ", places.Select(p => p.Name).Distinct());
            bool block = places.Any(p => p.Find(word) is { Block: not null } or { NotHandled: not null });
            _d.Deviation(DiagnosticCodes.MisplacedKeyword, line.Location,
                $"{word} is not valid {where}; it belongs inside {belongs}",
                Strict
                    ? $"move it into a {belongs} block"
                    : $"keepalived reports \"Unknown keyword '{word}'\" and ignores the line" + (block ? ", then reads the lines of its block at the current level" : ""));
            if (Strict && block)
            {
                _skipNextBlockOf = line;
            }
            return;
        }

        var suggestion = Suggest(word, top.Block);
        _d.Deviation(DiagnosticCodes.UnknownKeyword, line.Location,
            $"unknown keyword '{word}' {where}",
            (suggestion is null ? "" : $"did you mean '{suggestion}'? ") +
            (Strict ? "keepalived ignores it" : "keepalived ignores it; if a block follows, its lines are read at the current level"));
        if (Strict)
        {
            _skipNextBlockOf = line;
        }
    }

    // A keyword of the block that the previous line's '}' closed: that '}' is one too many.
    private void ClosedTooEarly(Line line, Frame closed, Line brace, KeywordSpec keyword)
    {
        var open = closed.OpenedBy!;
        var message = $"'}}' at {brace.Location.ToShortString()} closes {open.Keyword} (opened at {open.Location.ToShortString()}) too early: {line.Keyword} at {line.Location.ToShortString()} belongs inside it";
        if (Strict)
        {
            _d.Deviation(DiagnosticCodes.ExtraCloseBrace, brace.Location, message, $"remove the '}}' at line {brace.LineNumber}");
            // Reopen the block and go on as if the '}' were not there.
            _frames.Add(new Frame(closed.Block, closed.Keyword, closed.OpenedBy));
            Dispatch(keyword, line);
        }
        else
        {
            _d.Deviation(DiagnosticCodes.ExtraCloseBrace, brace.Location, message,
                $"keepalived reports \"Unknown keyword '{line.Keyword}'\" and ignores it, reading what follows at the level outside {open.Keyword}");
        }
    }

    // A block keyword of an enclosing block inside this one: blocks were left open (Fig. 8).
    private void MissingCloseBefore(Line line, int outerIndex, KeywordSpec outer)
    {
        var top = Top;
        var open = top.OpenedBy!;
        var word = line.Keyword;
        var message = top.Keyword!.Name == word
            ? $"{word} block opened at {open.Location.ToShortString()} is not closed before the next {word} at {line.Location.ToShortString()}: a {word} cannot be inside a {word}"
            : $"{word} at {line.Location.ToShortString()} cannot be inside {top.Keyword.Name}: the {top.Keyword.Name} block opened at {open.Location.ToShortString()} is not closed before it";
        var unclosed = _frames.Skip(outerIndex + 1).Reverse().Select(f => $"'{f.OpenedBy!.Join()}' (line {f.OpenedBy.LineNumber})").ToList();
        var hint = $"add '}}' before line {line.LineNumber} to close " + string.Join(" and ", unclosed);
        if (Strict)
        {
            _d.Deviation(DiagnosticCodes.UnclosedBlock, line.Location, message, hint);
            while (_frames.Count - 1 > outerIndex)
            {
                Pop(runClose: true);
            }
            Dispatch(outer, line);
        }
        else
        {
            _d.Deviation(DiagnosticCodes.UnclosedBlock, line.Location, message,
                $"{hint}. keepalived reports \"Unknown keyword '{word}'\", ignores this line and its '{{', and applies the lines that follow to '{open.Join()}' until the next '}}'");
        }
    }

    private static string? Suggest(string word, BlockSpec block)
    {
        static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (int i = 0; i <= a.Length; i++)
            {
                d[i, 0] = i;
            }
            for (int j = 0; j <= b.Length; j++)
            {
                d[0, j] = j;
            }
            for (int i = 1; i <= a.Length; i++)
            {
                for (int j = 1; j <= b.Length; j++)
                {
                    int cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                }
            }
            return d[a.Length, b.Length];
        }
        int limit = Math.Max(1, Math.Min(3, word.Length / 3));
        return block.Keywords.Select(k => k.Name)
            .Concat(Grammar.AllKeywords)
            .Select(k => (Keyword: k, Distance: Distance(word, k)))
            .Where(x => x.Distance <= limit)
            .OrderBy(x => x.Distance)
            .Select(x => x.Keyword)
            .FirstOrDefault();
    }

    private void EndOfFile()
    {
        if (_skipSublevel > 0 && _skipStartedBy is { } skipped)
        {
            _d.Deviation(DiagnosticCodes.UnclosedBlock, skipped.Location,
                $"{skipped.Keyword} block opened at {skipped.Location.ToShortString()} is not closed before the end of the configuration",
                "add the missing '}'; keepalived skips everything after it");
        }
        if (_strictSkip > 0 && _strictSkipStartedBy is { } unknown)
        {
            _d.Deviation(DiagnosticCodes.UnclosedBlock, unknown.Location,
                $"the block of '{unknown.Join()}' at {unknown.Location.ToShortString()} is not closed before the end of the file",
                "add the missing '}'");
        }
        bool framesOpen = _frames.Count > 1;
        while (_frames.Count > 1)
        {
            var frame = Top;
            var open = frame.OpenedBy!;
            _d.Deviation(DiagnosticCodes.UnclosedBlock, open.Location,
                $"{open.Keyword} block opened at {open.Location.ToShortString()} ('{open.Join()}') is not closed before the end of the configuration",
                Strict ? "add the missing '}'" : "keepalived closes it at the end of the file and reports the missing '}'");
            // keepalived's process_stream() returns at the end of the file, running close handlers.
            Pop(runClose: true);
        }
        if (!Strict && !framesOpen && _openBraces.Count > 0 && _skipSublevel == 0)
        {
            _d.Deviation(DiagnosticCodes.UnclosedBlock, _openBraces.Peek(),
                $"{_openBraces.Count} '{{' not matched by a '}}' (keepalived: \"There are {_openBraces.Count} missing '}}'s or extra '{{'s\")",
                "keepalived's block matching took another '}' for this block's; look for a missing '}' above");
        }
    }

    /// <summary>
    /// keepalived's <c>alloc_value_block()</c>: the lines up to the next '}' are values, not keywords
    /// (virtual_server_group entries, notification_email addresses).
    /// </summary>
    private List<Line> ReadValueBlock(Line line, string what)
    {
        var values = new List<Line>();
        bool needOpen = true;
        while (NextLine() is { } next)
        {
            if (needOpen)
            {
                needOpen = false;
                if (next.IsOpenBrace)
                {
                    continue;
                }
                _d.Deviation(DiagnosticCodes.MissingOpenBrace, line.EndLocation,
                    $"{what} at {line.Location.ToShortString()} must be followed by '{{'",
                    "keepalived logs \"'{' missing from beginning of block\" and reads the following lines as values");
            }
            if (next.IsCloseBrace)
            {
                return values;
            }
            if (Strict && Grammar.Places.ContainsKey(next.Keyword) && next.Keyword is not "fwmark")
            {
                // A keyword where a value should be: the block was not closed. Leave the line to
                // the main loop instead of reading it as a bad value.
                _d.Deviation(DiagnosticCodes.UnclosedBlock, next.Location,
                    $"{what} block opened at {line.Location.ToShortString()} is not closed before {next.Keyword} at {next.Location.ToShortString()}",
                    $"add '}}' before line {next.LineNumber}");
                _pushedBack = next;
                return values;
            }
            values.Add(next);
        }
        _d.Deviation(DiagnosticCodes.UnclosedBlock, line.Location,
            $"{what} block opened at {line.Location.ToShortString()} is not closed before the end of the file",
            "add the missing '}'");
        return values;
    }
}
