using System.Buffers;
using System.Net.Http;
using System.Security.Cryptography;

namespace Ipvs.Checks.Probes;

/// <summary>
/// Reads an HTTP body once, hashing all of it (for a digest) and keeping at most a bound of it
/// (for a regex) in a pooled buffer; dispose to return the buffer.
/// </summary>
internal sealed class BodyReader : IDisposable
{
    private const int ChunkBytes = 16 * 1024;
    private byte[]? _kept;
    private int _length;

    private BodyReader()
    {
    }

    /// <summary>The MD5 digest of the whole body in lower-case hex, when asked for.</summary>
    public string? Digest { get; private set; }

    /// <summary>True when the body was longer than the bound, so <see cref="Bytes"/> is incomplete.</summary>
    public bool TooLong { get; private set; }

    /// <summary>The kept body.</summary>
    public ReadOnlySpan<byte> Bytes => _kept.AsSpan(0, _length);

    public static async ValueTask<BodyReader> ReadAsync(HttpContent content, bool digest, int keepBytes, CancellationToken cancellationToken)
    {
        var reader = new BodyReader();
        // keepalived's digest is MD5 by definition (genhash prints it); it identifies content, it secures nothing.
        using var md5 = digest ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                md5?.AppendData(chunk, 0, read);
                if (keepBytes > 0 && !reader.TooLong)
                {
                    reader.Keep(chunk.AsSpan(0, read), keepBytes);
                }
                if (md5 is null && reader.TooLong)
                {
                    break; // nothing more to learn from the rest
                }
            }
            if (md5 is not null)
            {
                reader.Digest = Convert.ToHexStringLower(md5.GetHashAndReset());
            }
            return reader;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private void Keep(ReadOnlySpan<byte> data, int keepBytes)
    {
        if (_length + data.Length > keepBytes)
        {
            TooLong = true;
            return;
        }
        if (_kept is null || _kept.Length < _length + data.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Min(keepBytes, Math.Max(ChunkBytes, (_length + data.Length) * 2)));
            _kept?.AsSpan(0, _length).CopyTo(grown);
            if (_kept is not null)
            {
                ArrayPool<byte>.Shared.Return(_kept);
            }
            _kept = grown;
        }
        data.CopyTo(_kept.AsSpan(_length));
        _length += data.Length;
    }

    public void Dispose()
    {
        if (_kept is not null)
        {
            ArrayPool<byte>.Shared.Return(_kept);
            _kept = null;
            _length = 0;
        }
    }
}
