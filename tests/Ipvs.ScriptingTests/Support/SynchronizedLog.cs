using System.Text;

namespace Ipvs.ScriptingTests.Support;

// Shared: tests/Ipvs.KernelTests links this file too (its scripting tests read a script's log the
// same way).

/// <summary>A log the test can read while the script writes to it.</summary>
internal sealed class SynchronizedLog : TextWriter
{
    private readonly Lock _lock = new();
    private readonly StringBuilder _text = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_lock)
        {
            _text.Append(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_lock)
        {
            _text.Append(value);
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_lock)
        {
            _text.Append(value).Append('\n');
        }
    }

    public override string ToString()
    {
        lock (_lock)
        {
            return _text.ToString();
        }
    }
}
