namespace Ipvs.Scripting;

/// <summary>
/// What one script run can reach: its mode, the kernel (imperative runs only), its token, where
/// Log writes, where probes connect from, and the declarations collected so far. Ambient
/// (AsyncLocal) because live objects and helpers are created with <c>new</c> and static calls in
/// the script, where nothing can be passed to them; the value flows into every task the script
/// starts and is gone once the run ends.
/// </summary>
internal sealed class ScriptContext
{
    private static readonly AsyncLocal<ScriptContext?> Ambient = new();

    public ScriptContext(ScriptMode mode, ScriptFiles files, TextWriter log, CancellationToken cancellationToken)
    {
        Mode = mode;
        Files = files;
        Log = log;
        CancellationToken = cancellationToken;
    }

    /// <summary>The run the calling code belongs to, or null outside any script run.</summary>
    public static ScriptContext? Current => Ambient.Value;

    public ScriptMode Mode { get; }

    public ScriptFiles Files { get; }

    public TextWriter Log { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>The kernel, for imperative runs.</summary>
    public IIpvsClient? Client { get; init; }

    /// <summary>The network namespace probes and programs run in, or null for the caller's.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>The DSL's collector, for declarative runs.</summary>
    public Declaration? Declaration { get; init; }

    /// <summary>Makes this the ambient run for the calling flow until the returned scope is disposed.</summary>
    public Scope Enter()
    {
        var previous = Ambient.Value;
        Ambient.Value = this;
        return new Scope(previous);
    }

    /// <summary>
    /// The kernel client for a live-object call, or a <see cref="DeclarativeModeException"/> naming
    /// the call when the script is being evaluated as configuration.
    /// </summary>
    public static IIpvsClient Kernel(string call, bool changes) =>
        (Current ?? throw new InvalidOperationException(
            $"{call} needs a running script: live objects work inside `ipvs script` (ScriptEvaluator.RunAsync).")).KernelFor(call, changes);

    /// <summary>This run's kernel client for a live-object call; see <see cref="Kernel"/>.</summary>
    public IIpvsClient KernelFor(string call, bool changes) => Mode == ScriptMode.Declarative
        ? throw new DeclarativeModeException(call, changes)
        : Client ?? throw new InvalidOperationException($"{call}: this script run has no kernel client.");

    /// <summary>The ambient token, or none outside a run (a check run later by a daemon passes its own).</summary>
    public static CancellationToken Token => Current?.CancellationToken ?? default;

    /// <summary>Restores the previous ambient run.</summary>
    public readonly struct Scope(ScriptContext? previous) : IDisposable
    {
        /// <summary>Restores it.</summary>
        public void Dispose() => Ambient.Value = previous;
    }
}
