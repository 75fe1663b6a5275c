using System.Text;
using Ipvs.Admin.Commands;
using Ipvs.Admin.Formatting;
using Ipvs.Admin.Options;
using Ipvs.Model;

namespace Ipvs.Admin.Formats;

/// <summary>One change from an ipvsadm rules file: its line number, its text and the operation.</summary>
/// <param name="Line">1-based line number in the input.</param>
/// <param name="Text">The line as written.</param>
/// <param name="Operation">The library operation the line stands for.</param>
public sealed record IpvsadmChange(int Line, string Text, IpvsOperation Operation);

/// <summary>A line of an ipvsadm rules file that cannot be used, with the reason.</summary>
/// <param name="Line">1-based line number in the input.</param>
/// <param name="Message">What is wrong, in ipvsadm's words where ipvsadm has words for it.</param>
public sealed record IpvsadmLineError(int Line, string Message);

/// <summary>Raised when an ipvsadm rules file has bad lines; every bad line is listed.</summary>
public sealed class IpvsadmFormatException : FormatException
{
    /// <summary>Creates the exception for a file with bad lines.</summary>
    public IpvsadmFormatException(string source, IReadOnlyList<IpvsadmLineError> errors)
        : base(string.Join('\n', errors.Select(e => $"{source}:{e.Line}: {e.Message}")))
    {
        Source = source;
        Errors = errors;
    }

    /// <summary>The input's name (a file name, or "-" for stdin).</summary>
    public new string Source { get; }

    /// <summary>Every bad line, in input order.</summary>
    public IReadOnlyList<IpvsadmLineError> Errors { get; }
}

/// <summary>
/// The ipvsadm rules format (<c>ipvsadm -S</c> output, <c>ipvsadm -R</c> input) for the
/// <c>ipvs</c> command and configuration loading. It is the drop-in's own parser and printer,
/// so a file reads exactly as <c>ipvsadm -R</c> (ours) would read it and prints exactly as
/// <c>ipvsadm -S</c> prints.
/// </summary>
public static class IpvsadmFormat
{
    /// <summary>
    /// Parses and checks a rules file whole. Only changes are accepted (-A -E -D -C -a -e -d
    /// -Z --set --start-daemon --stop-daemon); listing, help and version lines are errors,
    /// since a restore that prints nothing useful is a mistake in the file.
    /// </summary>
    /// <exception cref="IpvsadmFormatException">Any line is bad; nothing is returned.</exception>
    public static IReadOnlyList<IpvsadmChange> Parse(ReadOnlySpan<byte> input, string source)
    {
        var changes = new List<IpvsadmChange>();
        var errors = new List<IpvsadmLineError>();
        foreach (var line in RestoreScript.Split(input.ToArray()))
        {
            try
            {
                switch (RestoreCommand.Check(line, "ipvsadm"))
                {
                    case RestoreCommand.ChangeStep change:
                        changes.Add(new IpvsadmChange(line.Number, line.Text, change.Operation));
                        break;
                    case RestoreCommand.ListStep:
                        errors.Add(new IpvsadmLineError(line.Number, "a listing (-L, -S) is not a change; a rules file holds changes only"));
                        break;
                    default:
                        errors.Add(new IpvsadmLineError(line.Number, "help and version requests are not changes; a rules file holds changes only"));
                        break;
                }
            }
            catch (AdminExit e)
            {
                string message = e.Crash
                    ? "empty scheduler flag list"
                    : e.Stderr.TrimEnd('\n').Replace("\n", " ", StringComparison.Ordinal);
                errors.Add(new IpvsadmLineError(line.Number, message));
            }
        }
        if (errors.Count > 0)
        {
            throw new IpvsadmFormatException(source, errors);
        }
        return changes;
    }

    /// <summary>
    /// The table as <c>ipvsadm -S</c> prints it (<c>-Sn</c> when <paramref name="numeric"/>),
    /// sorted as ipvsadm sorts it.
    /// </summary>
    public static string Save(IReadOnlyList<ServiceEntry> table, bool numeric)
    {
        ArgumentNullException.ThrowIfNull(table);
        var format = ListFormat.Rule | (numeric ? ListFormat.Numeric : ListFormat.None);
        var entries = new (ServiceRow Service, DestRow[] Dests)[table.Count];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = (ServiceRow.From(table[i].Info), table[i].Destinations.Select(DestRow.From).ToArray());
        }
        ServiceListing.Order(entries, format);
        using var stdout = new MemoryStream();
        using (var t = new Terminal(stdout, Stream.Null))
        {
            foreach (var (service, dests) in entries)
            {
                ServiceListing.PrintServiceEntry(t, service, dests, format);
            }
            t.Flush();
        }
        // The printer deals in bytes, one char per byte, as ipvsadm's C strings.
        return Encoding.Latin1.GetString(stdout.ToArray());
    }
}
