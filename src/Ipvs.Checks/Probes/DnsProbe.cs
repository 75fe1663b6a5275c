using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Ipvs.Checks.Probes;

/// <summary>
/// DNS_CHECK over UDP: one query (recursion desired, class IN) and, as keepalived's
/// dns_recv_thread does, waits for a reply with the query's id and QR set, ignoring anything
/// else; that reply passes when its RCODE is 0 (NOERROR), whether or not it has answers.
/// </summary>
internal static class DnsProbe
{
    private const int HeaderBytes = 12;
    private const int ReceiveBufferBytes = 1232; // the EDNS-era safe UDP size; only the header is read

    public static async ValueTask<Outcome> RunAsync(DnsCheck check, CheckTarget target, CancellationToken cancellationToken)
    {
        ushort id = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
        byte[] query = Query(id, check.Name, check.Type);
        using var timeout = new AttemptTimeout(cancellationToken);
        using var socket = Sockets.Open(target.Endpoint, SocketType.Dgram, ProtocolType.Udp, check.BindAddress);
        await Sockets.ConnectAsync(socket, target.Endpoint, check.ConnectTimeout!.Value, timeout).ConfigureAwait(false);
        var limit = check.ReadTimeout!.Value;
        timeout.Start(limit);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferBytes);
        try
        {
            await socket.SendAsync(query, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            while (true)
            {
                int received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (Judge(buffer.AsSpan(0, received), id) is { } outcome)
                {
                    return outcome;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.Expired)
        {
            return Outcome.Fail($"no reply within {Words.Seconds(limit)}");
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

    /// <summary>The verdict on one datagram, or null when it is not the reply (too short, another id, a query).</summary>
    internal static Outcome? Judge(ReadOnlySpan<byte> reply, ushort id)
    {
        if (reply.Length < HeaderBytes || BinaryPrimitives.ReadUInt16BigEndian(reply) != id)
        {
            return null;
        }
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(reply[2..]);
        if ((flags & 0x8000) == 0)
        {
            return null;
        }
        int rcode = flags & 0x000F;
        return rcode == 0 ? Outcome.Pass : Outcome.Fail($"rcode {rcode} ({RcodeName(rcode)})");
    }

    /// <summary>The query: header (id, RD, one question), QNAME as labels, QTYPE, QCLASS IN.</summary>
    internal static byte[] Query(ushort id, string name, DnsRecordType type)
    {
        var labels = Labels(name);
        int nameBytes = 1;
        foreach (var label in labels)
        {
            nameBytes += 1 + label.Length;
        }
        if (nameBytes > 255)
        {
            throw new ProbeFailure($"the name '{name}' is longer than DNS allows (255 bytes)");
        }
        var query = new byte[HeaderBytes + nameBytes + 4];
        var span = query.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, id);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], 0x0100); // RD, as keepalived sets it
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], 1);      // QDCOUNT
        int at = HeaderBytes;
        foreach (var label in labels)
        {
            query[at++] = (byte)label.Length;
            label.CopyTo(span[at..]);
            at += label.Length;
        }
        query[at++] = 0; // the root label ends every name
        BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(span[(at + 2)..], 1); // QCLASS IN
        return query;
    }

    // "example.com", "example.com." and "." (the root, no labels) are all accepted.
    private static List<byte[]> Labels(string name)
    {
        var labels = new List<byte[]>();
        var trimmed = name.EndsWith('.') ? name[..^1] : name;
        if (trimmed.Length == 0)
        {
            return labels;
        }
        foreach (var part in trimmed.Split('.'))
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            if (bytes.Length is 0 or > 63)
            {
                throw new ProbeFailure($"the name '{name}' has an empty or over-long label (labels are 1 to 63 bytes)");
            }
            labels.Add(bytes);
        }
        return labels;
    }

    private static string RcodeName(int rcode) => rcode switch
    {
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        _ => "error",
    };
}
