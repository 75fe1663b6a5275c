namespace Ipvs.Scripting;

/// <summary>
/// The files one script is made of (the main file and every <c>#load</c>ed one), and how to show
/// their paths: as the user named the main file, relative to the working directory when that was
/// relative, absolute when it was absolute.
/// </summary>
internal sealed class ScriptFiles
{
    private readonly HashSet<string> _files = new(StringComparer.Ordinal);
    private readonly bool _relative;
    private readonly string _baseDirectory;

    public ScriptFiles(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        _relative = !Path.IsPathRooted(path);
        _baseDirectory = Directory.GetCurrentDirectory();
        FullPath = Path.GetFullPath(path);
        _files.Add(FullPath);
    }

    /// <summary>The main file's full path, as the compiler knows it.</summary>
    public string FullPath { get; }

    /// <summary>The main file as shown in messages.</summary>
    public string DisplayPath => Display(FullPath);

    /// <summary>Records the files the compilation read (main and loaded).</summary>
    public void AddRange(IEnumerable<string> fullPaths)
    {
        foreach (var f in fullPaths)
        {
            if (!string.IsNullOrEmpty(f))
            {
                _files.Add(f);
            }
        }
    }

    /// <summary>True when the path (from a stack frame or a diagnostic) is one of the script's files.</summary>
    public bool Contains(string? fullPath) => fullPath is not null && _files.Contains(fullPath);

    /// <summary>The path as shown in messages.</summary>
    public string Display(string fullPath) =>
        _relative && Path.IsPathRooted(fullPath) ? Path.GetRelativePath(_baseDirectory, fullPath) : fullPath;
}
