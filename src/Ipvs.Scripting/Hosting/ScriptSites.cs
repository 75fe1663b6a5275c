using System.Diagnostics;
using System.Reflection;

namespace Ipvs.Scripting;

/// <summary>
/// Places in the script, read from stack frames: scripts are compiled with debug information, so
/// the innermost frame in one of the script's files gives the line and column of the statement
/// that made the call or threw. That works for property setters (<c>rs.Weight = -1</c>), where
/// [CallerLineNumber] cannot be used, and gives the column too.
/// </summary>
internal static class ScriptSites
{
    /// <summary>Where the script called into the DSL, or null outside a script (or without debug information).</summary>
    public static SourceLocation? Here()
    {
        var files = ScriptContext.Current?.Files;
        return files is null ? null : Find(new StackTrace(1, fNeedFileInfo: true), files);
    }

    /// <summary>The script statement an exception came from, or null when no script frame is on its stack.</summary>
    public static SourceLocation? Of(Exception exception, ScriptFiles files)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Find(new StackTrace(exception, fNeedFileInfo: true), files);
    }

    /// <summary>
    /// The exception the script threw: Roslyn and reflection wrap it in TargetInvocationException
    /// or AggregateException, which say nothing of their own.
    /// </summary>
    public static Exception Unwrap(Exception exception)
    {
        while (true)
        {
            switch (exception)
            {
                case TargetInvocationException { InnerException: { } inner }:
                    exception = inner;
                    continue;
                case AggregateException { InnerExceptions.Count: 1 } a:
                    exception = a.InnerExceptions[0];
                    continue;
                default:
                    return exception;
            }
        }
    }

    private static SourceLocation? Find(StackTrace trace, ScriptFiles files)
    {
        foreach (var frame in trace.GetFrames())
        {
            var file = frame.GetFileName();
            if (files.Contains(file) && frame.GetFileLineNumber() > 0)
            {
                return new SourceLocation(files.Display(file!), frame.GetFileLineNumber(), frame.GetFileColumnNumber());
            }
        }
        return null;
    }
}
