namespace Ipvs.Admin.Options;

/// <summary>One row of a popt option table.</summary>
/// <param name="LongName">The long name (used as --name), or null.</param>
/// <param name="ShortName">The short name (used as -x), or '\0'.</param>
/// <param name="TakesArgument">POPT_ARG_STRING rather than POPT_ARG_NONE.</param>
/// <param name="OptionalArgument">POPT_ARGFLAG_OPTIONAL.</param>
/// <param name="Value">What poptGetNextOpt() returns for it.</param>
internal sealed record PoptOption(string? LongName, char ShortName, bool TakesArgument, bool OptionalArgument, int Value);

/// <summary>
/// The part of popt 1.19 (Debian 12's libpopt0) that ipvsadm uses, rebuilt step by step from
/// poptGetNextOpt(): long options match exactly (popt has no abbreviations); "--name=value";
/// short options cluster ("-Ln") and take the rest of the cluster, or the next word, as their
/// argument ("-tHOST:PORT", "-t=HOST:PORT", "-t HOST:PORT"); an optional argument is taken from
/// the next word unless it starts with '-'; a single-dash word is never a long option; words
/// that are not options are kept as leftovers (all words after "--", or after the first
/// leftover under POSIXLY_CORRECT); "!#:+" in an argument is replaced by the next free leftover.
/// </summary>
internal sealed class PoptContext
{
    public const int ErrorNoArg = -10;
    public const int ErrorBadOpt = -11;
    public const int ErrorUnwantedArg = -12;

    private readonly IReadOnlyList<string> _argv;
    private readonly IReadOnlyList<PoptOption> _table;
    private readonly Func<PoptOption, bool> _enabled;
    private readonly List<string> _leftovers = [];
    private readonly bool _posixMeHarder;
    private readonly bool[] _consumed;
    private int _next = 1;
    private int _charWord = -1; // the word a short-option cluster continues in, or -1
    private int _charPos;
    private int _nextLeftover;
    private bool _restLeftover;

    // popt reads these when a context is made; the environment does not change while ipvsadm
    // runs, and -R makes a context per line (110,000 lookups for a big script).
    private static readonly bool PosixMeHarder = Environment.GetEnvironmentVariable("POSIXLY_CORRECT") is not null
        || Environment.GetEnvironmentVariable("POSIX_ME_HARDER") is not null;

    public PoptContext(IReadOnlyList<string> argv, IReadOnlyList<PoptOption> table, Func<PoptOption, bool>? enabled = null)
    {
        _argv = argv;
        _table = table;
        _enabled = enabled ?? (_ => true);
        _consumed = new bool[argv.Count + 1];
        _posixMeHarder = PosixMeHarder;
    }

    /// <summary>The argument of the option just returned (null when an optional one was absent).</summary>
    public string? OptArg { get; private set; }

    /// <summary>poptBadOption(con, POPT_BADOPTION_NOALIAS): the last word read.</summary>
    public string BadOption => _argv[Math.Max(_next - 1, 0)];

    /// <summary>poptStrerror().</summary>
    public static string ErrorText(int error) => error switch
    {
        ErrorNoArg => "missing argument",
        ErrorUnwantedArg => "option does not take an argument",
        ErrorBadOpt => "unknown option",
        _ => "unknown error",
    };

    /// <summary>poptGetArg(): the next leftover word.</summary>
    public string? GetArg() => _nextLeftover < _leftovers.Count ? _leftovers[_nextLeftover++] : null;

    /// <summary>poptGetNextOpt(): an option's value, -1 at the end, or an error (&lt; -1).</summary>
    public int GetNextOpt()
    {
        while (true)
        {
            if (_charWord < 0 && _next == _argv.Count)
            {
                return -1;
            }
            PoptOption? opt = null;
            string? longArg = null;
            if (_charWord < 0)
            {
                if (_consumed[_next])
                {
                    _next++;
                    continue;
                }
                string orig = _argv[_next++];
                if (_restLeftover || orig.Length == 0 || orig[0] != '-' || orig.Length == 1)
                {
                    if (_posixMeHarder)
                    {
                        _restLeftover = true;
                    }
                    _leftovers.Add(orig);
                    continue;
                }
                if (orig[1] == '-' && orig.Length == 2)
                {
                    _restLeftover = true;
                    continue;
                }
                string optString = orig[1..];
                bool oneDash = true;
                if (optString[0] == '-')
                {
                    optString = optString[1..];
                    oneDash = false;
                }
                int eq = optString.IndexOf('=', StringComparison.Ordinal);
                string name = eq < 0 ? optString : optString[..eq];
                if (eq >= 0)
                {
                    longArg = optString[(eq + 1)..];
                }
                // No ipvsadm option carries POPT_ARGFLAG_ONEDASH, so "-name" is never a long option.
                opt = oneDash ? null : FindLong(name);
                if (opt is null && !oneDash)
                {
                    return ErrorBadOpt;
                }
                if (opt is null)
                {
                    _charWord = _next - 1;
                    _charPos = 1;
                    longArg = null;
                }
            }

            if (_charWord >= 0)
            {
                string word = _argv[_charWord];
                char ch = word[_charPos];
                int wordIndex = _charWord;
                _charWord = -1;
                opt = FindShort(ch);
                if (opt is null)
                {
                    return ErrorBadOpt;
                }
                if (_charPos + 1 < word.Length)
                {
                    _charWord = wordIndex;
                    _charPos++;
                }
            }

            if (!opt!.TakesArgument)
            {
                if (longArg is not null || (_charWord >= 0 && _argv[_charWord][_charPos] == '='))
                {
                    return ErrorUnwantedArg;
                }
                OptArg = null;
            }
            else
            {
                OptArg = null;
                if (longArg is not null)
                {
                    OptArg = Expand(longArg);
                }
                else if (_charWord >= 0)
                {
                    string rest = _argv[_charWord][_charPos..];
                    if (rest[0] == '=')
                    {
                        rest = rest[1..];
                    }
                    _charWord = -1;
                    OptArg = Expand(rest);
                }
                else if (_next == _argv.Count)
                {
                    if (!opt.OptionalArgument)
                    {
                        return ErrorNoArg;
                    }
                }
                else if (opt.OptionalArgument && _argv[_next].Length > 0 && _argv[_next][0] == '-')
                {
                    OptArg = null;
                }
                else
                {
                    OptArg = Expand(_argv[_next++]);
                }
            }
            return opt.Value;
        }
    }

    // Indexed loops: foreach over the IReadOnlyList would allocate an enumerator per lookup,
    // and -R looks options up for every line of a script.
    private PoptOption? FindLong(string name)
    {
        for (int i = 0; i < _table.Count; i++)
        {
            var o = _table[i];
            if (o.LongName is not null && string.Equals(o.LongName, name, StringComparison.Ordinal) && _enabled(o))
            {
                return o;
            }
        }
        return null;
    }

    private PoptOption? FindShort(char c)
    {
        for (int i = 0; i < _table.Count; i++)
        {
            var o = _table[i];
            if (o.ShortName != '\0' && o.ShortName == c && _enabled(o))
            {
                return o;
            }
        }
        return null;
    }

    // expandNextArg(): "!#:+" takes the next word that does not start with '-' and removes it
    // from further processing; every later "!#:+" in the same argument reuses that word.
    private string Expand(string s)
    {
        if (!s.Contains("!#:+", StringComparison.Ordinal))
        {
            return s;
        }
        var sb = new System.Text.StringBuilder(s.Length);
        string? a = null;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '!' && i + 3 < s.Length && s[i + 1] == '#' && s[i + 2] == ':' && s[i + 3] == '+')
            {
                a ??= FindNextArg();
                if (a is not null)
                {
                    sb.Append(a);
                    i += 3;
                    continue;
                }
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    private string? FindNextArg()
    {
        for (int i = _next; i < _argv.Count; i++)
        {
            if (_consumed[i])
            {
                continue;
            }
            if (_argv[i].Length > 0 && _argv[i][0] == '-')
            {
                continue;
            }
            _consumed[i] = true;
            return _argv[i];
        }
        return null;
    }
}
