using System.Globalization;

namespace Ipvs.Cli.Output;

/// <summary>
/// A one-line progress bar on a terminal (stderr), redrawn in place with a carriage return and
/// erased when done, so it never ends up in captured output: commands create it only when
/// stderr is a terminal.
/// </summary>
internal sealed class ProgressBar(TextWriter terminal, string label, int total)
{
    private const int Width = 30;
    private int _drawn = -1;

    public void Report(int done)
    {
        int percent = total == 0 ? 100 : (int)(done * 100L / total);
        if (percent == _drawn)
        {
            return;
        }
        _drawn = percent;
        int filled = percent * Width / 100;
        terminal.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r{label} [{new string('#', filled)}{new string('.', Width - filled)}] {percent,3}% {done:N0}/{total:N0}"));
        terminal.Flush();
    }

    public void Clear()
    {
        terminal.Write("\r\x1b[2K");
        terminal.Flush();
    }
}
