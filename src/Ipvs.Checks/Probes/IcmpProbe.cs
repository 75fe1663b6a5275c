using System.Buffers;
using System.Buffers.Binary;

namespace Ipvs.Checks.Probes;

/// <summary>
/// PING_CHECK: one ICMP (or ICMPv6) echo request, passing on the matching echo reply within the
/// read timeout. It opens an unprivileged ping socket (SOCK_DGRAM, IPPROTO_ICMP) when
/// net.ipv4.ping_group_range admits the daemon's group, and otherwise a raw socket, which needs
/// root or CAP_NET_RAW: a fresh network namespace starts with ping_group_range "1 0" (no one), so
/// root inside one gets the raw socket. System.Net.NetworkInformation.Ping is not used: it cannot
/// bind to a source address (bindto), and unprivileged it falls back to running the ping binary.
/// </summary>
internal static class IcmpProbe
{
    private const byte EchoRequestV4 = 8;
    private const byte EchoReplyV4 = 0;
    private const byte EchoRequestV6 = 128;
    private const byte EchoReplyV6 = 129;
    private const int HeaderBytes = 8;
    private const int TokenBytes = 16;
    private const int ReceiveBufferBytes = 1500;

    private static int s_sequence;

    public static async ValueTask<Outcome> RunAsync(IcmpCheck check, CheckTarget target, CancellationToken cancellationToken)
    {
        var address = target.Endpoint.Address;
        bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        using var socket = Open(address.AddressFamily, check.BindAddress, out bool raw);
        ushort id = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
        ushort sequence = (ushort)Interlocked.Increment(ref s_sequence);
        byte[] request = Request(v6, id, sequence);
        using var timeout = new AttemptTimeout(cancellationToken);
        var limit = check.ReadTimeout!.Value;
        timeout.Start(limit);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferBytes);
        try
        {
            // Connecting filters what a raw socket receives to this peer's packets.
            await socket.ConnectAsync(new IPEndPoint(address, 0), timeout.Token).ConfigureAwait(false);
            await socket.SendAsync(request, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            while (true)
            {
                int received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (IsReply(buffer.AsSpan(0, received), request, v6, raw))
                {
                    return Outcome.Pass;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.Expired)
        {
            return Outcome.Fail($"no echo reply within {Words.Seconds(limit)}");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            // The kernel reports an ICMP destination-unreachable (port or protocol) on a ping socket as ECONNREFUSED.
            return Outcome.Fail("icmp: destination unreachable");
        }
        catch (SocketException e)
        {
            return Outcome.Fail($"icmp: {Words.Socket(e)}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static Socket Open(AddressFamily family, IPAddress? bind, out bool raw)
    {
        var protocol = family == AddressFamily.InterNetworkV6 ? ProtocolType.IcmpV6 : ProtocolType.Icmp;
        Socket socket;
        try
        {
            socket = new Socket(family, SocketType.Dgram, protocol);
            raw = false;
        }
        catch (SocketException)
        {
            try
            {
                socket = new Socket(family, SocketType.Raw, protocol);
                raw = true;
            }
            catch (SocketException e)
            {
                throw new ProbeFailure(
                    $"icmp: cannot open an ICMP socket ({Words.Socket(e)}): run as root or with CAP_NET_RAW, or let the daemon's group open ping sockets (sysctl net.ipv4.ping_group_range)", e);
            }
        }
        if (bind is not null)
        {
            try
            {
                socket.Bind(new IPEndPoint(bind, 0));
            }
            catch (SocketException e)
            {
                socket.Dispose();
                throw new ProbeFailure($"bind {bind}: {Words.Socket(e)}", e);
            }
        }
        return socket;
    }

    /// <summary>An echo request: type, code 0, checksum, id, sequence, then a random token to recognise the reply by.</summary>
    internal static byte[] Request(bool v6, ushort id, ushort sequence)
    {
        var packet = new byte[HeaderBytes + TokenBytes];
        packet[0] = v6 ? EchoRequestV6 : EchoRequestV4;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), sequence);
        Random.Shared.NextBytes(packet.AsSpan(HeaderBytes));
        if (!v6)
        {
            // The kernel fills in the ICMPv6 checksum (it covers a pseudo-header) and that of
            // ping sockets; a raw IPv4 socket sends what it is given.
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), Checksum(packet));
        }
        return packet;
    }

    /// <summary>
    /// True for the reply to <paramref name="request"/>: an echo reply carrying its sequence and
    /// token (and its id on a raw socket; a ping socket's id is the kernel's, which also routes
    /// only that id's replies to the socket). A raw IPv4 socket receives the IP header too.
    /// </summary>
    internal static bool IsReply(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> request, bool v6, bool raw)
    {
        if (raw && !v6)
        {
            if (packet.Length < 20)
            {
                return false;
            }
            int headerBytes = (packet[0] & 0x0F) * 4;
            if (packet.Length < headerBytes)
            {
                return false;
            }
            packet = packet[headerBytes..];
        }
        return packet.Length >= request.Length
            && packet[0] == (v6 ? EchoReplyV6 : EchoReplyV4)
            && packet[1] == 0
            && (!raw || packet.Slice(4, 2).SequenceEqual(request.Slice(4, 2)))
            && packet.Slice(6, 2).SequenceEqual(request.Slice(6, 2))
            && packet.Slice(HeaderBytes, TokenBytes).SequenceEqual(request.Slice(HeaderBytes, TokenBytes));
    }

    /// <summary>The Internet checksum (RFC 1071) of a packet whose checksum field is zero.</summary>
    internal static ushort Checksum(ReadOnlySpan<byte> packet)
    {
        uint sum = 0;
        int i = 0;
        for (; i + 1 < packet.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(packet[i..]);
        }
        if (i < packet.Length)
        {
            sum += (uint)packet[i] << 8;
        }
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)~sum;
    }
}
