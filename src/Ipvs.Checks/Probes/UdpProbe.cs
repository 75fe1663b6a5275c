using System.Buffers;

namespace Ipvs.Checks.Probes;

/// <summary>
/// UDP_CHECK: sends the payload on a connected socket, so that an ICMP port-unreachable comes back
/// as ECONNREFUSED. With RequireReply, a reply starting with ExpectedReply must arrive within the
/// read timeout; without it, an ICMP error within the read timeout fails and silence passes.
/// </summary>
internal static class UdpProbe
{
    // Larger than any reply worth comparing; a longer datagram is truncated, which is fine for a prefix.
    private const int ReceiveBufferBytes = 2048;

    public static async ValueTask<Outcome> RunAsync(UdpCheck check, CheckTarget target, CancellationToken cancellationToken)
    {
        using var timeout = new AttemptTimeout(cancellationToken);
        using var socket = Sockets.Open(target.Endpoint, SocketType.Dgram, ProtocolType.Udp, check.BindAddress);
        await Sockets.ConnectAsync(socket, target.Endpoint, check.ConnectTimeout!.Value, timeout).ConfigureAwait(false);
        var limit = check.ReadTimeout!.Value;
        timeout.Start(limit);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferBytes);
        try
        {
            await socket.SendAsync(check.Payload.AsMemory(), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            int received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            return Judge(check, buffer.AsSpan(0, received));
        }
        catch (OperationCanceledException) when (timeout.Expired)
        {
            return check.RequireReply ? Outcome.Fail($"no reply within {Words.Seconds(limit)}") : Outcome.Pass;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return Outcome.Fail("port unreachable");
        }
        catch (SocketException e)
        {
            return Outcome.Fail(Words.Socket(e));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static Outcome Judge(UdpCheck check, ReadOnlySpan<byte> reply)
    {
        if (!check.RequireReply || reply.StartsWith(check.ExpectedReply.AsSpan()))
        {
            return Outcome.Pass;
        }
        return Outcome.Fail($"reply {Words.Hex(reply)} does not start with {Words.Hex(check.ExpectedReply.AsSpan())}");
    }
}
