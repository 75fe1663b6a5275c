using System.Collections.Concurrent;

namespace Ipvs.ChecksTests.Support;

/// <summary>
/// A TCP listener on 127.0.0.1 (an ephemeral port) that hands each connection to a handler and
/// records where connections came from. Disposing stops it and closes the connections.
/// </summary>
internal sealed class TcpResponder : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<Stream, CancellationToken, Task> _handle;
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly Task _accepting;

    public TcpResponder(Func<Stream, CancellationToken, Task> handle)
    {
        _handle = handle;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndpoint;

    public ConcurrentQueue<IPEndPoint> Peers { get; } = new();

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Peers.Enqueue((IPEndPoint)client.Client.RemoteEndPoint!);
                _connections.Add(ServeAsync(client));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (InvalidOperationException) when (_stop.IsCancellationRequested)
        {
            // Stopped between two accepts.
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                await _handle(client.GetStream(), _stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // The checker hung up or the test is over.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        await Task.WhenAll(_connections);
        _stop.Dispose();
    }
}
