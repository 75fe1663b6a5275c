namespace Ipvs.Netlink;

internal delegate T SpanDecoder<out T>(ReadOnlySpan<byte> attributes);

/// <summary>Collects decoded replies of a dump or single request.</summary>
internal sealed class ListSink<T>(SpanDecoder<T> decode) : IReplySink
{
    public List<T> Items { get; } = [];

    public void OnReply(byte command, ReadOnlySpan<byte> attributes) => Items.Add(decode(attributes));

    public void Reset() => Items.Clear();
}
