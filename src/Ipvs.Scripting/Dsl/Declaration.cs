namespace Ipvs.Scripting;

/// <summary>
/// What a declarative run collects: the virtual servers in declaration order, the timeouts, and
/// the problems found while values were set. Blocks keep only valid values, so building never
/// reports a problem twice; the whole state is then checked by <see cref="DesiredValidator"/>.
/// </summary>
internal sealed class Declaration
{
    private readonly List<VirtualServerBlock> _servers = [];
    private readonly List<Task> _pending = [];

    public List<ValidationProblem> Problems { get; } = [];

    public Timeouts? Timeouts { get; set; }

    public SourceLocation? TimeoutsLocation { get; set; }

    public int Count => _servers.Count;

    public void Add(VirtualServerBlock block) => _servers.Add(block);

    /// <summary>
    /// Keeps an async block's task: an <c>async vs =&gt; …</c> block may still be declaring when
    /// the script ends, and its exception must be reported, not lost (or crash the process as an
    /// async void lambda would).
    /// </summary>
    public void Track(Task task)
    {
        lock (_pending)
        {
            _pending.Add(task);
        }
    }

    /// <summary>Waits for every async block, until none is left; throws the first failure.</summary>
    public async Task CompleteAsync()
    {
        while (true)
        {
            Task[] tasks;
            lock (_pending)
            {
                tasks = [.. _pending];
                _pending.Clear();
            }
            if (tasks.Length == 0)
            {
                return;
            }
            foreach (var task in tasks)
            {
                await task.ConfigureAwait(false);
            }
        }
    }

    /// <summary>Builds the value, or records the library's objection at the place and returns false.</summary>
    public bool TryCreate<T>(Func<T> create, SourceLocation? at, out T value) =>
        DesiredValidator.TryCreate(create, at, Problems, out value!);

    /// <summary>Records a problem the library's model does not know of (a protocol on a firewall-mark service, …).</summary>
    public void Error(string code, string message, SourceLocation? at, string? hint = null) =>
        Problems.Add(ValidationProblem.Error(code, message, at, hint));

    /// <summary>The declared state; blocks whose key did not parse are left out (their problem is recorded).</summary>
    public DesiredState Build()
    {
        var services = new List<DesiredService>(_servers.Count);
        foreach (var block in _servers)
        {
            if (block.Build() is { } service)
            {
                services.Add(service);
            }
        }
        return new DesiredState(services) { Timeouts = Timeouts, TimeoutsLocation = TimeoutsLocation };
    }
}
