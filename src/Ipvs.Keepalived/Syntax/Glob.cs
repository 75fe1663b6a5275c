namespace Ipvs.Keepalived.Syntax;

/// <summary>
/// The part of glob(3) that keepalived's <c>include</c> uses: <c>GLOB_BRACE | GLOB_MARK</c>.
/// Braces expand first (<c>{a,b}</c>, nested), and each alternative is matched and sorted on its
/// own, in alternative order, as glibc does. <c>*</c>, <c>?</c> and <c>[...]</c> match within one
/// path component and never match a leading dot; a backslash quotes the next character.
/// </summary>
internal static class Glob
{
    /// <summary>A match: the path shaped like the pattern (relative stays relative), its full path, and whether it is a directory.</summary>
    public readonly record struct Match(string Path, string FullPath, bool IsDirectory);

    /// <summary>The matches, and whether a literal part named something that does not exist (glob's missing file).</summary>
    public sealed record Result(IReadOnlyList<Match> Matches, bool HasWildcards, bool MissingLiteral, bool SomeAlternativeMissed);

    public static Result Expand(string pattern, string baseDirectory)
    {
        var matches = new List<Match>();
        bool wildcards = false;
        bool missing = false;
        bool someMissed = false;
        foreach (var alternative in ExpandBraces(pattern))
        {
            var before = matches.Count;
            wildcards |= HasWildcards(alternative);
            missing |= ExpandOne(alternative, baseDirectory, matches);
            someMissed |= matches.Count == before;
        }
        return new Result(matches, wildcards, missing, someMissed);
    }

    public static bool HasWildcards(string pattern)
    {
        for (int i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\':
                    i++;
                    break;
                case '*' or '?' or '[':
                    return true;
            }
        }
        return false;
    }

    /// <summary>glibc's GLOB_BRACE: the first top-level <c>{a,b}</c> is expanded, then each result again.</summary>
    public static IReadOnlyList<string> ExpandBraces(string pattern)
    {
        int open = -1;
        for (int i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\')
            {
                i++;
            }
            else if (pattern[i] == '{')
            {
                open = i;
                break;
            }
        }
        if (open < 0)
        {
            return [pattern];
        }
        var parts = new List<string>();
        int depth = 0;
        int start = open + 1;
        int close = -1;
        for (int i = open + 1; i < pattern.Length && close < 0; i++)
        {
            switch (pattern[i])
            {
                case '\\':
                    i++;
                    break;
                case '{':
                    depth++;
                    break;
                case '}' when depth > 0:
                    depth--;
                    break;
                case '}':
                    parts.Add(pattern[start..i]);
                    close = i;
                    break;
                case ',' when depth == 0:
                    parts.Add(pattern[start..i]);
                    start = i + 1;
                    break;
            }
        }
        if (close < 0)
        {
            // An unclosed brace is taken literally, as glibc does.
            return [pattern];
        }
        var prefix = pattern[..open];
        var suffix = pattern[(close + 1)..];
        var result = new List<string>();
        foreach (var part in parts)
        {
            result.AddRange(ExpandBraces(prefix + part + suffix));
        }
        return result;
    }

    // Returns true when a literal component was missing.
    private static bool ExpandOne(string pattern, string baseDirectory, List<Match> matches)
    {
        bool absolute = pattern.StartsWith('/');
        var components = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var candidates = new List<string> { absolute ? "/" : "" };
        bool missing = false;
        for (int c = 0; c < components.Length; c++)
        {
            var component = components[c];
            bool last = c == components.Length - 1;
            var next = new List<string>();
            if (!HasWildcards(component))
            {
                var literal = Unescape(component);
                foreach (var candidate in candidates)
                {
                    next.Add(Join(candidate, literal));
                }
            }
            else
            {
                foreach (var candidate in candidates)
                {
                    var directory = FullPath(baseDirectory, candidate.Length == 0 ? "." : candidate);
                    if (!Directory.Exists(directory))
                    {
                        missing = true;
                        continue;
                    }
                    var names = new List<string>();
                    foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
                    {
                        var name = System.IO.Path.GetFileName(entry);
                        if (FnMatch(component, 0, name, 0) && (last || Directory.Exists(entry)))
                        {
                            names.Add(name);
                        }
                    }
                    names.Sort(StringComparer.Ordinal);
                    foreach (var name in names)
                    {
                        next.Add(Join(candidate, name));
                    }
                }
            }
            candidates = next;
        }
        var found = new List<Match>();
        foreach (var candidate in candidates)
        {
            var full = FullPath(baseDirectory, candidate);
            if (File.Exists(full))
            {
                found.Add(new Match(candidate, full, false));
            }
            else if (Directory.Exists(full))
            {
                found.Add(new Match(candidate + "/", full, true));
            }
            else
            {
                missing = true;
            }
        }
        // glob() sorts what one pattern matched.
        found.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        matches.AddRange(found);
        return missing;
    }

    private static string Join(string directory, string name) => directory.Length == 0
        ? name
        : directory.EndsWith('/') ? directory + name : directory + "/" + name;

    private static string FullPath(string baseDirectory, string path) =>
        System.IO.Path.GetFullPath(System.IO.Path.IsPathRooted(path) ? path : System.IO.Path.Combine(baseDirectory, path));

    private static string Unescape(string component)
    {
        if (!component.Contains('\\', StringComparison.Ordinal))
        {
            return component;
        }
        var chars = new System.Text.StringBuilder(component.Length);
        for (int i = 0; i < component.Length; i++)
        {
            if (component[i] == '\\' && i + 1 < component.Length)
            {
                i++;
            }
            chars.Append(component[i]);
        }
        return chars.ToString();
    }

    /// <summary>fnmatch(3) without flags except that a leading dot must be matched literally (glob's default).</summary>
    public static bool FnMatch(string pattern, int p, string name, int n)
    {
        if (n == 0 && name.StartsWith('.') && (p >= pattern.Length || pattern[p] != '.'))
        {
            // A leading dot is never matched by a wildcard.
            if (p < pattern.Length && pattern[p] is '*' or '?' or '[')
            {
                return false;
            }
        }
        while (p < pattern.Length)
        {
            char c = pattern[p];
            switch (c)
            {
                case '*':
                    while (p < pattern.Length && pattern[p] == '*')
                    {
                        p++;
                    }
                    if (p == pattern.Length)
                    {
                        return true;
                    }
                    for (int k = n; k <= name.Length; k++)
                    {
                        if (FnMatch(pattern, p, name, k))
                        {
                            return true;
                        }
                    }
                    return false;
                case '?':
                    if (n >= name.Length)
                    {
                        return false;
                    }
                    p++;
                    n++;
                    break;
                case '[':
                    {
                        if (n >= name.Length)
                        {
                            return false;
                        }
                        int end = ClassEnd(pattern, p);
                        if (end < 0)
                        {
                            // No closing bracket: a literal '['.
                            if (name[n] != '[')
                            {
                                return false;
                            }
                            p++;
                            n++;
                            break;
                        }
                        if (!InClass(pattern, p + 1, end, name[n]))
                        {
                            return false;
                        }
                        p = end + 1;
                        n++;
                        break;
                    }
                default:
                    if (c == '\\' && p + 1 < pattern.Length)
                    {
                        p++;
                        c = pattern[p];
                    }
                    if (n >= name.Length || name[n] != c)
                    {
                        return false;
                    }
                    p++;
                    n++;
                    break;
            }
        }
        return n == name.Length;
    }

    private static int ClassEnd(string pattern, int open)
    {
        int i = open + 1;
        if (i < pattern.Length && pattern[i] is '!' or '^')
        {
            i++;
        }
        if (i < pattern.Length && pattern[i] == ']')
        {
            i++;
        }
        for (; i < pattern.Length; i++)
        {
            if (pattern[i] == ']')
            {
                return i;
            }
        }
        return -1;
    }

    private static bool InClass(string pattern, int start, int end, char c)
    {
        bool negate = false;
        if (pattern[start] is '!' or '^')
        {
            negate = true;
            start++;
        }
        bool matched = false;
        for (int i = start; i < end; i++)
        {
            char low = pattern[i];
            if (i + 2 < end && pattern[i + 1] == '-')
            {
                char high = pattern[i + 2];
                matched |= c >= low && c <= high;
                i += 2;
            }
            else
            {
                matched |= c == low;
            }
        }
        return matched != negate;
    }
}
