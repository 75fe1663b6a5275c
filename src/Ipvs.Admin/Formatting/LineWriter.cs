using System.Globalization;

namespace Ipvs.Admin.Formatting;

/// <summary>
/// printf's field padding straight into a caller's buffer, for the lines a big table prints
/// 100,000 times: without a string per field, a listing allocates (and touches fresh pages, dear
/// in the lab) a fraction of what it would.
/// </summary>
internal ref struct LineWriter(Span<char> buffer)
{
    private readonly Span<char> _buffer = buffer;
    private int _length;

    public readonly ReadOnlySpan<char> Written => _buffer[.._length];

    public void Append(char c) => _buffer[_length++] = c;

    public void Append(ReadOnlySpan<char> s)
    {
        s.CopyTo(_buffer[_length..]);
        _length += s.Length;
    }

    /// <summary>%-Ns.</summary>
    public void Left(ReadOnlySpan<char> s, int width)
    {
        Append(s);
        Pad(width - s.Length);
    }

    /// <summary>%-Nd / %-Nu.</summary>
    public void Left(long value, int width)
    {
        value.TryFormat(_buffer[_length..], out int n, default, CultureInfo.InvariantCulture);
        _length += n;
        Pad(width - n);
    }

    private void Pad(int n)
    {
        if (n > 0)
        {
            _buffer.Slice(_length, n).Fill(' ');
            _length += n;
        }
    }
}
