namespace Ipvs.Scripting;

// The DSL's three ways to write a hook: a program with arguments (never a shell), or a C# lambda,
// synchronous or async. Lambdas become DelegateHooks for the daemon; nothing runs them here.
internal static class Hooks
{
    public static ProgramHook Program(string program, string[] arguments, SourceLocation? at)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(arguments);
        return new ProgramHook(program, arguments) { Location = at };
    }

    public static DelegateHook Lambda(Func<HookContext, Task> action, SourceLocation? at)
    {
        ArgumentNullException.ThrowIfNull(action);
        return new DelegateHook((context, _) => new ValueTask(action(context))) { Location = at, Name = Name(at) };
    }

    public static DelegateHook Lambda(Action<HookContext> action, SourceLocation? at)
    {
        ArgumentNullException.ThrowIfNull(action);
        return new DelegateHook((context, _) =>
        {
            action(context);
            return ValueTask.CompletedTask;
        })
        { Location = at, Name = Name(at) };
    }

    // Named after its place, so logs and plans can say which lambda ran.
    public static string? Name(SourceLocation? at) => at is { } l ? $"lambda at {l}" : null;
}
