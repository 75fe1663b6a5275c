using System.Net.Sockets;
using System.Text;

namespace Ipvs.ScriptingTests.Support;

/// <summary>
/// A web server on 127.0.0.1 that answers every request with 200 and <c>ok</c>, and can be
/// stopped (connections refused) and started again on the same port, like lab_rs_stop/start.
/// </summary>
internal sealed class TinyHttpServer : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private TcpListener? _listener;
    private Task _loop = Task.CompletedTask;

    private TinyHttpServer(int port) => Port = port;

    public int Port { get; private set; }

    /// <summary>What each request gets; change it to make the server answer badly or hang.</summary>
    public Func<NetworkStream, Task> Reply { get; set; } = Ok;

    public static async Task<TinyHttpServer> StartAsync()
    {
        var server = new TinyHttpServer(0);
        server.Start();
        await Task.Yield();
        return server;
    }

    public void Start()
    {
        lock (_lock)
        {
            var listener = new TcpListener(IPAddress.Loopback, Port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            _listener = listener;
            _loop = Task.Run(() => Serve(listener));
        }
    }

    public void Stop()
    {
        lock (_lock)
        {
            _listener?.Stop();
            _listener = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        await _loop.ConfigureAwait(false);
    }

    public static async Task Ok(NetworkStream stream)
    {
        var reply = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n");
        await stream.WriteAsync(reply).ConfigureAwait(false);
    }

    private async Task Serve(TcpListener listener)
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        var stream = client.GetStream();
                        var buffer = new byte[4096];
                        var request = new StringBuilder();
                        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                        {
                            int n = await stream.ReadAsync(buffer).ConfigureAwait(false);
                            if (n == 0)
                            {
                                return;
                            }
                            request.Append(Encoding.ASCII.GetString(buffer, 0, n));
                        }
                        await Reply(stream).ConfigureAwait(false);
                    }
                    catch (IOException)
                    {
                        // The client went away.
                    }
                }
            });
        }
    }
}
