namespace Ipvs.Scripting;

// Live objects are synchronous, as mruby-ipvs's were: `d1.Weight = 3` is a property setter, and a
// setter cannot be awaited. Scripts run on a thread-pool thread with no synchronization context, so
// blocking on the client's tasks cannot deadlock; every client call is bounded by its reply timeout.
internal static class LiveCalls
{
    public static T Call<T>(string call, bool changes, Func<IIpvsClient, CancellationToken, Task<T>> operation)
    {
        var client = ScriptContext.Kernel(call, changes);
        return operation(client, ScriptContext.Token).GetAwaiter().GetResult();
    }

    public static void Call(string call, Func<IIpvsClient, CancellationToken, Task> operation)
    {
        var client = ScriptContext.Kernel(call, changes: true);
        operation(client, ScriptContext.Token).GetAwaiter().GetResult();
    }
}
