namespace Ipvs.Checks.Probes;

/// <summary>
/// A C# check: the delegate gets the target and a token that fires after the connect and read
/// timeouts together. A delegate that ignores the token is abandoned at that time (the attempt
/// fails; the delegate's task runs on, its outcome dropped); an exception fails the attempt with its message.
/// </summary>
internal static class DelegateProbe
{
    public static async ValueTask<Outcome> RunAsync(DelegateCheck check, CheckTarget target, CancellationToken cancellationToken)
    {
        var context = new CheckContext(target.Service, target.Destination, target.Endpoint)
        {
            ConnectTimeout = check.ConnectTimeout!.Value,
            ReadTimeout = check.ReadTimeout!.Value,
        };
        var limit = context.ConnectTimeout + context.ReadTimeout;
        using var timeout = new AttemptTimeout(cancellationToken);
        timeout.Start(limit);
        Task<bool> probe;
        try
        {
            probe = check.Probe(context, timeout.Token).AsTask();
        }
        catch (OperationCanceledException) when (timeout.Expired)
        {
            return Outcome.Fail($"timed out after {Words.Seconds(limit)}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Outcome.Fail(Message(e));
        }
        try
        {
            return await probe.WaitAsync(timeout.Token).ConfigureAwait(false) ? Outcome.Pass : Outcome.Fail("the check returned false");
        }
        catch (OperationCanceledException) when (!probe.IsCompleted)
        {
            // Abandoned (timed out, or the caller cancelled): observe a late fault so it does not
            // surface as an unobserved task exception.
            _ = probe.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            cancellationToken.ThrowIfCancellationRequested();
            return Outcome.Fail($"timed out after {Words.Seconds(limit)}");
        }
        catch (OperationCanceledException) when (timeout.Expired)
        {
            return Outcome.Fail($"timed out after {Words.Seconds(limit)}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Outcome.Fail(Message(e));
        }
    }

    private static string Message(Exception e) => e.Message.Length == 0 ? e.GetType().Name : e.Message;
}
