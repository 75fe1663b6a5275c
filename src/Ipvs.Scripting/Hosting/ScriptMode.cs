namespace Ipvs.Scripting;

/// <summary>How a script is being run.</summary>
public enum ScriptMode
{
    /// <summary>
    /// As configuration (<c>ipvs check|plan|apply</c>): the DSL declares a desired state; nothing
    /// touches the kernel, and a live-object call is an error.
    /// </summary>
    Declarative,

    /// <summary>As a program (<c>ipvs script</c>): live objects change the kernel at once.</summary>
    Imperative,
}
