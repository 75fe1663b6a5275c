using System.Buffers;
using System.Text;

namespace Ipvs.Checks.Probes;

/// <summary>
/// Drains a program's output so it never blocks on a full pipe, keeping only the last
/// <see cref="KeptBytes"/> bytes, whose last lines explain a failure.
/// </summary>
internal sealed class OutputTail
{
    private const int KeptBytes = 1024;
    private const int ShownLines = 3;
    private readonly byte[] _ring = new byte[KeptBytes];
    private long _total;

    /// <summary>Reads until the end of the stream or the token; never throws for either.</summary>
    public async Task DrainAsync(Stream stream, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                Append(buffer.AsSpan(0, read));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The program is gone or a descendant still holds the pipe: what was read is enough.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (data.Length > KeptBytes)
        {
            data = data[^KeptBytes..];
        }
        int at = (int)(_total % KeptBytes);
        int first = Math.Min(data.Length, KeptBytes - at);
        data[..first].CopyTo(_ring.AsSpan(at));
        data[first..].CopyTo(_ring);
        _total += data.Length;
    }

    /// <summary>The last few non-empty lines, joined with <c> / </c>; empty when there were none.</summary>
    public override string ToString()
    {
        int kept = (int)Math.Min(_total, KeptBytes);
        var bytes = new byte[kept];
        int start = (int)((_total - kept) % KeptBytes);
        int first = Math.Min(kept, KeptBytes - start);
        _ring.AsSpan(start, first).CopyTo(bytes);
        _ring.AsSpan(0, kept - first).CopyTo(bytes.AsSpan(first));
        var lines = Encoding.UTF8.GetString(bytes)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // The first line may have been cut by the ring; drop it when earlier output was lost.
        int skip = _total > KeptBytes && lines.Length > 1 ? 1 : 0;
        return string.Join(" / ", lines.Skip(Math.Max(skip, lines.Length - ShownLines)));
    }
}
