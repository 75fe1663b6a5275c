namespace Ipvs.ChecksTests.Support;

/// <summary>
/// A listener on 127.0.0.1 that never accepts, with its accept queue filled: Linux then drops
/// further SYNs, so a connect to it hangs until the client's timeout, like a host that is down.
/// </summary>
internal sealed class FullListener : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _fillers = [];

    public FullListener()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(0);
        // The queue holds backlog + 1 connections; a few more make sure it is full.
        for (int i = 0; i < 4; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _fillers.Add(filler);
            _ = filler.ConnectAsync(Endpoint).ContinueWith(static t => t.Exception, TaskScheduler.Default);
        }
    }

    public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndPoint!;

    public void Dispose()
    {
        foreach (var filler in _fillers)
        {
            filler.Dispose();
        }
        _listener.Dispose();
    }
}
