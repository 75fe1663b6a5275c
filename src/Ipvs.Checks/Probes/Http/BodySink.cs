using System.Buffers;
using System.Security.Cryptography;

namespace Ipvs.Checks.Probes.Http;

/// <summary>
/// Takes an HTTP body as it streams: hashes all of it (for a digest) and keeps at most a bound of
/// it (for a regex) in a pooled buffer, rented on the first byte and returned on dispose.
/// </summary>
internal sealed class BodySink : IDisposable
{
    private const int FirstRent = 4096;
    private readonly IncrementalHash? _md5;
    private readonly int _keepBytes;
    private byte[]? _kept;
    private int _length;

    public BodySink(bool digest, int keepBytes)
    {
        // keepalived's digest is MD5 by definition (genhash prints it); it identifies content, it secures nothing.
        _md5 = digest ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
        _keepBytes = keepBytes;
    }

    /// <summary>True when the body was longer than the bound, so <see cref="Bytes"/> is incomplete.</summary>
    public bool TooLong { get; private set; }

    /// <summary>True when reading on could change nothing: no digest and the bound is already exceeded.</summary>
    public bool Settled => _md5 is null && TooLong;

    /// <summary>The kept body.</summary>
    public ReadOnlySpan<byte> Bytes => _kept.AsSpan(0, _length);

    public void Append(ReadOnlySpan<byte> data)
    {
        _md5?.AppendData(data);
        if (_keepBytes <= 0 || TooLong || data.IsEmpty)
        {
            return;
        }
        if (_length + data.Length > _keepBytes)
        {
            TooLong = true;
            return;
        }
        if (_kept is null || _kept.Length < _length + data.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Min(_keepBytes, Math.Max(FirstRent, (_length + data.Length) * 2)));
            if (_kept is not null)
            {
                _kept.AsSpan(0, _length).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(_kept);
            }
            _kept = grown;
        }
        data.CopyTo(_kept.AsSpan(_length));
        _length += data.Length;
    }

    /// <summary>The MD5 of everything appended, lower-case hex, or null without a digest.</summary>
    public string? Digest() => _md5 is null ? null : Convert.ToHexStringLower(_md5.GetHashAndReset());

    public void Dispose()
    {
        _md5?.Dispose();
        if (_kept is not null)
        {
            ArrayPool<byte>.Shared.Return(_kept);
            _kept = null;
            _length = 0;
        }
    }
}
