using System.Buffers;
using System.Security.Cryptography;
using Ipvs.Keepalived.Parsing;

namespace Ipvs.Keepalived.Syntax;

/// <summary>
/// Reads the configuration the way keepalived's <c>read_line()</c> does (lib/parser.c), and gives
/// each line with exact locations:
/// <list type="bullet">
/// <item>comments, quotes and escapes as <see cref="Decomment"/> describes;</item>
/// <item><c>@id</c> / <c>@^id</c> conditional lines, compared with the config id;</item>
/// <item><c>$NAME=value</c> definitions (a trailing backslash continues them on the next line), and
/// <c>$NAME</c> / <c>${NAME}</c> substitution, with keepalived's predefined <c>_PWD</c>,
/// <c>_INSTANCE</c>, <c>_RANDOM</c>, <c>_HASH</c> and <c>_BANG</c>;</item>
/// <item><c>include</c> (and <c>includer/m/w/b/a</c>) with globs, relative to the including file's
/// directory (keepalived changes into it), the files of one glob read in sorted order; cycles are
/// reported instead of recursing until file descriptors run out;</item>
/// <item>splitting at the first brace outside quotes, so that every <c>{</c> and <c>}</c> is a line
/// of its own and text after a brace is read as the next line.</item>
/// </list>
/// <c>~SEQ</c> and <c>~LST</c> are reported as unsupported.
/// </summary>
internal sealed class LineReader
{
    // lib/parser.c include_t: what makes an include problem a configuration error.
    [Flags]
    private enum IncludeChecks
    {
        None = 0,
        Read = 1,
        Match = 2,
        Wildcard = 4,
        Brace = 8,
    }

    private sealed class SourceFile(string display, string fullPath, string[] lines)
    {
        public string Display { get; } = display;
        public string FullPath { get; } = fullPath;
        public string Directory { get; } = Path.GetDirectoryName(fullPath) ?? "/";
        public string[] Lines { get; } = lines;
        public int Next { get; set; }
    }

    // One include statement: the files its glob matched, read one after another.
    private sealed class IncludeFrame(Queue<(string Display, string FullPath)> pending, SourceLocation? at)
    {
        public Queue<(string Display, string FullPath)> Pending { get; } = pending;
        public SourceLocation? At { get; } = at;
        public SourceFile? Current { get; set; }
    }

    private sealed class Definition(string name, string value, bool multiline, int maxParameters = 0, Func<string?, string>? compute = null)
    {
        public string Name { get; } = name;
        public string Value { get; set; } = value;
        public bool Multiline { get; set; } = multiline;
        public int MaxParameters { get; } = maxParameters;
        public Func<string?, string>? Compute { get; set; } = compute;
    }

    private readonly record struct Pending(MappedText Text, string File, int LineNumber, string Directory);

    // MAXBUF in lib/parser.h: a substitution that would make a line longer is refused.
    private const int MaxLine = 1024;

    private readonly DiagnosticBag _diagnostics;
    private readonly string? _configId;
    private readonly Stack<IncludeFrame> _frames = new();
    private readonly LinkedList<Pending> _pending = new();
    private readonly Dictionary<string, Definition> _definitions = new(StringComparer.Ordinal);
    private readonly List<string> _files = [];
    private Definition? _multilineDefinition;

    public LineReader(DiagnosticBag diagnostics, string? configId)
    {
        _diagnostics = diagnostics;
        _configId = configId;
        AddStandardDefinitions();
    }

    /// <summary>Every file opened, in order.</summary>
    public IReadOnlyList<string> Files => _files;

    public bool OpenMain(string display, string? text)
    {
        var full = Path.GetFullPath(display);
        if (text is null)
        {
            try
            {
                text = File.ReadAllText(full);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _diagnostics.Fatal(DiagnosticCodes.IncludeError, new SourceLocation(display, 1, 1),
                    $"cannot read configuration file '{display}': {e.Message}");
                return false;
            }
        }
        var frame = new IncludeFrame(new Queue<(string, string)>(), null)
        {
            Current = new SourceFile(display, full, SplitLines(text)),
        };
        _files.Add(display);
        _frames.Push(frame);
        return true;
    }

    public Line? Next()
    {
        while (true)
        {
            Pending item;
            if (_pending.First is { } first)
            {
                _pending.RemoveFirst();
                item = first.Value;
            }
            else
            {
                if (!TryReadPhysical(out item))
                {
                    return null;
                }
            }
            var line = Process(item);
            if (line is not null)
            {
                return line;
            }
        }
    }

    // Reads the next non-empty line of the current file after decomment(); null at the very end.
    private bool TryReadPhysical(out Pending item)
    {
        while (_frames.Count > 0)
        {
            var frame = _frames.Peek();
            var file = frame.Current;
            if (file is null || file.Next >= file.Lines.Length)
            {
                if (!OpenNextOfGlob(frame))
                {
                    _frames.Pop();
                }
                continue;
            }
            int number = ++file.Next;
            var raw = file.Lines[number - 1];
            if (raw.Length == 0)
            {
                // An empty line ends a multi-line definition (read_line()).
                EndMultilineDefinition();
                continue;
            }
            var mapped = Decomment.ApplyAsCheckerReads(MappedText.FromRaw(raw), new LineOrigin(file.Display, number), _diagnostics);
            if (mapped.Length == 0)
            {
                continue;
            }
            if (_multilineDefinition is not null)
            {
                ContinueMultilineDefinition(mapped);
                continue;
            }
            item = new Pending(mapped, file.Display, number, file.Directory);
            return true;
        }
        item = default;
        return false;
    }

    private Line? Process(Pending item)
    {
        var text = item.Text;
        var origin = new LineOrigin(item.File, item.LineNumber);
        SourceLocation At(int index) => origin.At(text.Length == 0 ? 1 : text.ColumnAt(Math.Clamp(index, 0, text.Length - 1)));

        bool recheck;
        do
        {
            recheck = false;
            if (text.Length > 0 && text[0] == '@')
            {
                var kept = Conditional(text);
                if (kept is null)
                {
                    return null;
                }
                text = kept;
            }
            if (text.Length > 0 && text[0] == '$' && TryDefine(text))
            {
                return null;
            }
            if (text.Text.StartsWith("~SEQ", StringComparison.Ordinal) || text.Text.StartsWith("~LST", StringComparison.Ordinal))
            {
                _diagnostics.Fatal(DiagnosticCodes.Unsupported, At(0),
                    $"{text.Text[..4]} is not supported by this parser",
                    "write the lines out, or generate the configuration with a template tool");
                return null;
            }
            if (text.Length > 0 && text[0] == '~')
            {
                break;
            }
            if (text.Text.Contains('$', StringComparison.Ordinal))
            {
                var replaced = Substitute(text, item);
                if (replaced is null)
                {
                    break;
                }
                text = Decomment.Apply(replaced, origin, _diagnostics);
                recheck = text.Length > 0 && (text[0] == '@' || text.Text.Contains('$', StringComparison.Ordinal));
            }
        }
        while (recheck);

        if (text.Length == 0)
        {
            return null;
        }
        if (TryInclude(text, item))
        {
            return null;
        }

        // Split at the first brace outside quotes; what follows is read as the next line.
        int brace = FindBrace(text.Text);
        if (brace >= 0)
        {
            MappedText? residue = null;
            if (brace == 0)
            {
                int skip = 1;
                while (skip < text.Length && text[skip] is ' ' or '\t')
                {
                    skip++;
                }
                if (skip < text.Length)
                {
                    residue = text.Slice(skip).TrimEndBlanks();
                }
                text = text.Slice(0, 1);
            }
            else
            {
                residue = text.Slice(brace).TrimEndBlanks();
                text = text.Slice(0, brace);
            }
            if (residue is { Length: > 0 })
            {
                _pending.AddFirst(item with { Text = residue });
            }
        }
        text = text.TrimEndBlanks();
        if (text.Length == 0)
        {
            return null;
        }
        var words = WordSplitter.Split(text, origin);
        if (words.IsEmpty)
        {
            return null;
        }
        return new Line(text, item.File, item.LineNumber, words);
    }

    private static readonly SearchValues<char> BracesAndQuote = SearchValues.Create("{}\"");

    private static int FindBrace(string text)
    {
        if (text.Length > 0 && text[0] is '{' or '}')
        {
            return 0;
        }
        int p = 0;
        while (p < text.Length)
        {
            int next = text.AsSpan(p).IndexOfAny(BracesAndQuote);
            next = next < 0 ? -1 : next + p;
            if (next < 0)
            {
                return -1;
            }
            if (text[next] != '"')
            {
                return next;
            }
            int close = text.IndexOf('"', next + 1);
            if (close < 0)
            {
                return -1;
            }
            p = close + 1;
        }
        return -1;
    }

    // "@id rest" keeps rest when id is the config id; "@^id rest" when it is not.
    private MappedText? Conditional(MappedText text)
    {
        bool reverse = text.Length > 1 && text[1] == '^';
        int start = reverse ? 2 : 1;
        int end = text.Text.IndexOfAny([' ', '\t'], start);
        if (end < 0)
        {
            return null;
        }
        var id = text.Text[start..end];
        bool matches = _configId is not null && id == _configId;
        if (matches == reverse)
        {
            return null;
        }
        return text.Slice(end).TrimStartBlanks();
    }

    // check_definition(): "$NAME=VALUE", no blank before '='; a trailing backslash makes it multi-line.
    private bool TryDefine(MappedText text)
    {
        var s = text.Text;
        if (s.Length < 2 || !(char.IsAsciiLetter(s[1]) || s[1] == '_'))
        {
            return false;
        }
        int p = 2;
        while (p < s.Length && s[p] != '=')
        {
            if (!(char.IsAsciiLetterOrDigit(s[p]) || s[p] == '_'))
            {
                return false;
            }
            p++;
        }
        if (p >= s.Length)
        {
            return false;
        }
        var name = s[1..p];
        p++;
        while (p < s.Length && s[p] is ' ' or '\t')
        {
            p++;
        }
        var value = s[p..];
        bool multiline = false;
        if (value.EndsWith('\\'))
        {
            multiline = true;
            value = value[..^1].TrimEnd(' ', '\t');
            value = value.Length == 0 ? "" : value + "\n";
        }
        if (_definitions.TryGetValue(name, out var existing))
        {
            existing.Value = value;
            existing.Multiline = multiline;
            existing.Compute = null;
            _multilineDefinition = multiline ? existing : null;
        }
        else
        {
            var definition = new Definition(name, value, multiline);
            _definitions[name] = definition;
            _multilineDefinition = multiline ? definition : null;
        }
        return true;
    }

    private void ContinueMultilineDefinition(MappedText line)
    {
        var definition = _multilineDefinition!;
        var s = line.Text;
        bool more = s.EndsWith('\\');
        if (more)
        {
            s = s[..^1].TrimEnd(' ', '\t') + "\n";
        }
        else
        {
            _multilineDefinition = null;
            if (definition.Value.Length == 0)
            {
                definition.Multiline = false;
            }
        }
        if (s.Length >= 2 || (s.Length > 0 && !more))
        {
            definition.Value += s;
        }
    }

    private void EndMultilineDefinition()
    {
        if (_multilineDefinition is { } definition)
        {
            _multilineDefinition = null;
            if (definition.Value.Length == 0)
            {
                definition.Multiline = false;
            }
        }
    }

    // replace_param(): every "$NAME" (followed by a blank, ',', ')' or the end) and "${NAME}" is
    // replaced, and the replacement is scanned again, so definitions may refer to definitions.
    private MappedText? Substitute(MappedText text, Pending item)
    {
        bool found = false;
        int pos = 0;
        int guard = 0;
        while ((pos = text.Text.IndexOf('$', pos)) >= 0 && pos + 1 < text.Length)
        {
            var reference = FindDefinition(text.Text, pos + 1);
            if (reference is not { } r)
            {
                pos++;
                continue;
            }
            found = true;
            var value = r.Definition.Compute is { } compute ? compute(r.Parameters) : r.Definition.Value;
            string replacement = value;
            if (r.Definition.Multiline)
            {
                var lines = value.Split('\n');
                replacement = lines[0];
                var column = text.ColumnAt(pos);
                var node = (LinkedListNode<Pending>?)null;
                for (int i = 1; i < lines.Length; i++)
                {
                    if (lines[i].Length == 0 && i == lines.Length - 1)
                    {
                        break;
                    }
                    var columns = new int[lines[i].Length];
                    Array.Fill(columns, column);
                    var pending = item with { Text = new MappedText(lines[i], columns) };
                    node = node is null ? _pending.AddFirst(pending) : _pending.AddAfter(node, pending);
                }
            }
            if (text.Length - r.Length + replacement.Length >= MaxLine || ++guard > MaxLine)
            {
                _diagnostics.Deviation(DiagnosticCodes.InvalidValue, new SourceLocation(item.File, item.LineNumber, text.ColumnAt(pos)),
                    $"substituting ${r.Definition.Name} makes the line longer than {MaxLine} characters (a definition that refers to itself?)",
                    "keepalived gives up on the substitution");
                return null;
            }
            text = text.Replace(pos, r.Length, replacement);
            if (replacement.AsSpan().TrimStart(" \t").StartsWith("~", StringComparison.Ordinal))
            {
                break;
            }
        }
        return found ? text : null;
    }

    private readonly record struct Reference(Definition Definition, int Length, string? Parameters);

    // find_definition(): the name, and for ${NAME p1 p2} the numeric parameters of _RANDOM.
    private Reference? FindDefinition(string text, int start)
    {
        bool braces = start < text.Length && text[start] == '{';
        int nameStart = braces ? start + 1 : start;
        if (nameStart >= text.Length || !(char.IsAsciiLetter(text[nameStart]) || text[nameStart] == '_'))
        {
            return null;
        }
        int p = nameStart + 1;
        while (p < text.Length && (char.IsAsciiLetterOrDigit(text[p]) || text[p] == '_'))
        {
            p++;
        }
        var name = text[nameStart..p];
        string? parameters = null;
        int end;
        if (braces)
        {
            int paramStart = p;
            while (p < text.Length && (text[p] == ' ' || char.IsAsciiDigit(text[p])))
            {
                p++;
            }
            if (p > paramStart)
            {
                var raw = text[paramStart..p];
                if (raw.EndsWith(' '))
                {
                    return null;
                }
                parameters = raw.Trim();
                if (parameters.Length == 0)
                {
                    parameters = null;
                }
            }
            if (p >= text.Length || text[p] != '}')
            {
                return null;
            }
            end = p + 1;
        }
        else
        {
            if (p < text.Length && text[p] is not (' ' or '\t' or ',' or ')'))
            {
                return null;
            }
            end = p;
        }
        bool mayBeMultiline = end == text.Length;
        if (!_definitions.TryGetValue(name, out var definition) || (definition.Multiline && !mayBeMultiline))
        {
            return null;
        }
        if (parameters is not null && definition.MaxParameters == 0)
        {
            return null;
        }
        return new Reference(definition, end - (start - 1), parameters);
    }

    private void AddStandardDefinitions()
    {
        // set_std_definitions(): _PWD is the directory keepalived has changed into, i.e. the
        // directory of the file being read.
        _definitions["_PWD"] = new Definition("_PWD", "", false, 0, _ => CurrentDirectory());
        _definitions["_INSTANCE"] = new Definition("_INSTANCE", "", false, 0, _ => _configId ?? "");
        _definitions["_RANDOM"] = new Definition("_RANDOM", "", false, 2, Random);
        _definitions["_HASH"] = new Definition("_HASH", "#", false);
        _definitions["_BANG"] = new Definition("_BANG", "!", false);
    }

    private string CurrentDirectory()
    {
        foreach (var frame in _frames)
        {
            if (frame.Current is { } file)
            {
                return file.Directory;
            }
        }
        return Environment.CurrentDirectory;
    }

    private static string Random(string? parameters)
    {
        long min = 0;
        long max = 32767;
        if (parameters is not null)
        {
            var parts = parameters.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            min = long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            if (parts.Length > 1)
            {
                max = long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        if (max < min || max - min >= int.MaxValue)
        {
            return min.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return (min + RandomNumberGenerator.GetInt32((int)(max - min + 1))).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    // is_include() and check_include(): "include", or includer/m/w/b/a, then a blank.
    private bool TryInclude(MappedText text, Pending item)
    {
        var s = text.Text;
        if (!s.StartsWith("include", StringComparison.Ordinal) || s.Length < 8)
        {
            return false;
        }
        IncludeChecks checks;
        int start;
        if (WordSplitter.IsWhiteSpace(s[7]))
        {
            checks = IncludeChecks.None;
            start = 8;
        }
        else if (s.Length > 8 && WordSplitter.IsWhiteSpace(s[8]) && "rmwba".Contains(s[7], StringComparison.Ordinal))
        {
            checks = s[7] switch
            {
                'r' => IncludeChecks.Read,
                'm' => IncludeChecks.Read | IncludeChecks.Match,
                'w' => IncludeChecks.Read | IncludeChecks.Match | IncludeChecks.Wildcard,
                'b' => IncludeChecks.Read | IncludeChecks.Brace,
                _ => IncludeChecks.Read | IncludeChecks.Match | IncludeChecks.Brace | IncludeChecks.Wildcard,
            };
            start = 9;
        }
        else
        {
            return false;
        }
        while (start < s.Length && s[start] is ' ' or '\t')
        {
            start++;
        }
        var at = new SourceLocation(item.File, item.LineNumber, text.ColumnAt(0));
        var pattern = s[start..];
        if (pattern.Length == 0)
        {
            _diagnostics.Deviation(DiagnosticCodes.IncludeError, at, "include without a file name");
            return true;
        }
        Include(pattern, checks, at, item);
        return true;
    }

    private void Include(string pattern, IncludeChecks checks, SourceLocation at, Pending item)
    {
        Glob.Result result;
        try
        {
            result = Glob.Expand(pattern, item.Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _diagnostics.Deviation(DiagnosticCodes.IncludeError, at, $"include '{pattern}': {e.Message}");
            return;
        }
        if (result.Matches.Count == 0)
        {
            if (result.MissingLiteral && !result.HasWildcards)
            {
                // keepalived only logs this for a plain include, and goes on without the file.
                _diagnostics.Deviation(DiagnosticCodes.IncludeError, at,
                    $"include '{pattern}': no such file (relative to {item.Directory})",
                    "keepalived skips a missing include silently; fix the path (it is relative to the including file's directory)");
            }
            else if ((checks & IncludeChecks.Wildcard) != 0)
            {
                _diagnostics.Deviation(DiagnosticCodes.IncludeError, at, $"include '{pattern}' matches no file");
            }
            else
            {
                _diagnostics.Warning(DiagnosticCodes.IncludeError, at, $"include '{pattern}' matches no file");
            }
            return;
        }
        if (result.SomeAlternativeMissed && (checks & IncludeChecks.Brace) != 0)
        {
            _diagnostics.Deviation(DiagnosticCodes.IncludeError, at, $"include '{pattern}': some brace alternatives match no file");
        }
        var queue = new Queue<(string, string)>();
        var includerDirectory = Path.GetDirectoryName(item.File);
        foreach (var match in result.Matches)
        {
            var display = Path.IsPathRooted(match.Path) || string.IsNullOrEmpty(includerDirectory)
                ? match.Path
                : Path.Join(includerDirectory, match.Path);
            if (match.IsDirectory)
            {
                _diagnostics.Deviation(DiagnosticCodes.IncludeError, at, $"include '{pattern}': '{display}' is a directory; keepalived skips it");
                continue;
            }
            if (!IsRegularNonExecutable(match.FullPath))
            {
                _diagnostics.Deviation(DiagnosticCodes.IncludeError, at,
                    $"include '{pattern}': '{display}' is not a regular non-executable file; keepalived skips it",
                    "keepalived never reads an executable file as configuration: chmod -x it");
                continue;
            }
            queue.Enqueue((display, match.FullPath));
        }
        var frame = new IncludeFrame(queue, at);
        _frames.Push(frame);
        if (!OpenNextOfGlob(frame))
        {
            _frames.Pop();
        }
    }

    private static bool IsRegularNonExecutable(string fullPath)
    {
        var info = new FileInfo(fullPath);
        if (!info.Exists || (info.Attributes & (FileAttributes.Directory | FileAttributes.Device)) != 0)
        {
            return false;
        }
        if (OperatingSystem.IsWindows())
        {
            return true;
        }
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(fullPath) & execute) == 0;
    }

    private bool OpenNextOfGlob(IncludeFrame frame)
    {
        frame.Current = null;
        while (frame.Pending.Count > 0)
        {
            var (display, full) = frame.Pending.Dequeue();
            if (IsOpen(full, out var chain))
            {
                _diagnostics.Fatal(DiagnosticCodes.IncludeCycle, frame.At!,
                    $"include cycle: {string.Join(" -> ", chain)} -> {display}",
                    "keepalived has no cycle check and would include the files until it runs out of file descriptors");
                continue;
            }
            string text;
            try
            {
                text = File.ReadAllText(full);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _diagnostics.Deviation(DiagnosticCodes.IncludeError, frame.At!, $"cannot read included file '{display}': {e.Message}");
                continue;
            }
            frame.Current = new SourceFile(display, full, SplitLines(text));
            _files.Add(display);
            return true;
        }
        return false;
    }

    private bool IsOpen(string fullPath, out List<string> chain)
    {
        chain = [];
        bool open = false;
        foreach (var frame in _frames.Reverse())
        {
            if (frame.Current is { } file)
            {
                chain.Add(file.Display);
                open |= string.Equals(file.FullPath, fullPath, StringComparison.Ordinal);
            }
        }
        return open;
    }

    private static string[] SplitLines(string text)
    {
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            lines[i] = lines[i].TrimEnd('\r');
        }
        // A final newline does not start one more line.
        return lines.Length > 0 && lines[^1].Length == 0 ? lines[..^1] : lines;
    }
}
