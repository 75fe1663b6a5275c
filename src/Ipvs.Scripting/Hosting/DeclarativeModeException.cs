namespace Ipvs.Scripting;

/// <summary>
/// A script evaluated as configuration (<c>ipvs check|plan|apply</c>) called a live object, which
/// would change or read the kernel at once. The evaluator reports it at the calling line.
/// </summary>
public sealed class DeclarativeModeException : InvalidOperationException
{
    /// <summary>Creates the exception for a call such as <c>Service.Add()</c>.</summary>
    /// <param name="call">The call, as the script wrote it.</param>
    /// <param name="changes">True when the call changes the kernel, false when it only reads it.</param>
    public DeclarativeModeException(string call, bool changes)
        : base(changes
            ? $"{call} changes the kernel at once; it cannot run during check/plan/apply; use `ipvs script` to run live objects, or declare the table with VirtualServer(…)"
            : $"{call} reads the kernel's live table; it cannot run during check/plan/apply; use `ipvs script` to run live objects")
    {
        Call = call;
    }

    /// <summary>The call, such as <c>Service.Add()</c>.</summary>
    public string Call { get; }
}
