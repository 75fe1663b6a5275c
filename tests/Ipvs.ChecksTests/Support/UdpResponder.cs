namespace Ipvs.ChecksTests.Support;

/// <summary>
/// A UDP socket on 127.0.0.1 (an ephemeral port) answering each datagram with what
/// <see cref="Answer"/> returns for it, or nothing when it returns null.
/// </summary>
internal sealed class UdpResponder : IAsyncDisposable
{
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public UdpResponder(Func<byte[], IEnumerable<byte[]>> answer)
    {
        Answer = answer;
        _serving = ServeAsync();
    }

    public Func<byte[], IEnumerable<byte[]>> Answer { get; set; }

    public IPEndPoint Endpoint => (IPEndPoint)_udp.Client.LocalEndPoint!;

    public List<byte[]> Received { get; } = [];

    private async Task ServeAsync()
    {
        try
        {
            while (true)
            {
                var datagram = await _udp.ReceiveAsync(_stop.Token);
                lock (Received)
                {
                    Received.Add(datagram.Buffer);
                }
                foreach (var reply in Answer(datagram.Buffer))
                {
                    await _udp.SendAsync(reply, datagram.RemoteEndPoint, _stop.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _serving;
        _udp.Dispose();
        _stop.Dispose();
    }
}
