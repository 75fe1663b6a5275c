namespace Ipvs.AdminTests.Infrastructure;

/// <summary>Helpers to compare listings and to show where they differ.</summary>
internal static class Listings
{
    /// <summary>
    /// The seven state listings the differential run compares after each command, as one -R
    /// script: one process per side prints them all, in this order.
    /// </summary>
    public const string StateScript =
        "-S -n\n" +
        "-L -n --exact\n" +
        "-L -n --thresholds\n" +
        "-L -n --persistent-conn\n" +
        "-L -n --tun-info\n" +
        "-L --timeout\n" +
        "-L --daemon\n";

    /// <summary>
    /// The listing with each run of service blocks (a service line and its real servers) sorted
    /// as text. Two namespaces holding the same table may list it in different orders: --nosort
    /// prints the kernel's hash order, and the hash includes the namespace; and ipvsadm's own
    /// sort is not a total order (its comparator subtracts with wrap-around, so firewall marks
    /// from 2^31 up compare cyclically), so its result depends on that input order too.
    /// </summary>
    public static string SortServiceBlocks(string listing)
    {
        var result = new StringBuilder();
        var blocks = new List<string>();
        StringBuilder? current = null;
        void FlushRun()
        {
            if (current is not null)
            {
                blocks.Add(current.ToString());
                current = null;
            }
            blocks.Sort(StringComparer.Ordinal);
            foreach (var b in blocks)
            {
                result.Append(b);
            }
            blocks.Clear();
        }
        foreach (var line in listing.Split('\n'))
        {
            bool serviceLine = line.StartsWith("TCP ", StringComparison.Ordinal) || line.StartsWith("UDP ", StringComparison.Ordinal)
                || line.StartsWith("SCTP ", StringComparison.Ordinal) || line.StartsWith("FWM ", StringComparison.Ordinal)
                || line.StartsWith("-A ", StringComparison.Ordinal);
            bool destLine = line.StartsWith("  -> ", StringComparison.Ordinal) || line.StartsWith("-a ", StringComparison.Ordinal);
            if (serviceLine)
            {
                if (current is not null)
                {
                    blocks.Add(current.ToString());
                }
                current = new StringBuilder(line).Append('\n');
            }
            else if (destLine && current is not null)
            {
                current.Append(line).Append('\n');
            }
            else
            {
                FlushRun();
                result.Append(line).Append('\n');
            }
        }
        FlushRun();
        return result.ToString();
    }

    /// <summary>A small line diff for failure messages.</summary>
    public static string Diff(string expected, string actual, int context = 3)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        int start = 0;
        while (start < a.Length && start < b.Length && a[start] == b[start])
        {
            start++;
        }
        int endA = a.Length - 1;
        int endB = b.Length - 1;
        while (endA >= start && endB >= start && a[endA] == b[endB])
        {
            endA--;
            endB--;
        }
        var sb = new StringBuilder();
        for (int i = Math.Max(0, start - context); i < start; i++)
        {
            sb.Append("    ").Append(Show(a[i])).Append('\n');
        }
        for (int i = start; i <= endA; i++)
        {
            sb.Append("  - ").Append(Show(a[i])).Append('\n');
        }
        for (int i = start; i <= endB; i++)
        {
            sb.Append("  + ").Append(Show(b[i])).Append('\n');
        }
        return sb.ToString();
    }

    private static string Show(string s)
    {
        var sb = new StringBuilder();
        foreach (char c in s)
        {
            sb.Append(c is < ' ' or > '~' ? $"\\x{(int)c:x2}" : c.ToString());
        }
        return sb.ToString();
    }
}
