namespace Ipvs.Tests.Support;

/// <summary>Opens an <see cref="IpvsClient"/> over a <see cref="FakeKernel"/>.</summary>
internal static class TestClient
{
    public static readonly KernelCapabilities Linux61 = new(new Version(6, 1));

    public static IpvsClient Open(FakeKernel kernel, TimeSpan? replyTimeout = null, int maxRequestsPerSend = 1024, KernelCapabilities? capabilities = null) =>
        IpvsClient.Open(kernel, new IpvsClientOptions
        {
            ReplyTimeout = replyTimeout ?? TimeSpan.FromSeconds(10),
            MaxRequestsPerSend = maxRequestsPerSend,
            Capabilities = capabilities ?? Linux61,
        });

    public static VirtualService Service(string key, string scheduler = "wlc") => new(ServiceKey.Parse(key)) { Scheduler = scheduler };

    public static Destination Dest(string endpoint, int weight = 1) => new(endpoint, weight);

    /// <summary>Bounds a test's wait so that a deadlock fails instead of hanging the run.</summary>
    public static Task Bounded(this Task task, int seconds = 20) =>
        task.WaitAsync(TimeSpan.FromSeconds(seconds), TestContext.Current.CancellationToken);

    public static Task<T> Bounded<T>(this Task<T> task, int seconds = 20) =>
        task.WaitAsync(TimeSpan.FromSeconds(seconds), TestContext.Current.CancellationToken);
}
