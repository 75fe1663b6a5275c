using System.Text;

namespace Ipvs.Cli.Output;

/// <summary>
/// Plain-text columns: each column as wide as its widest cell, two spaces apart, numbers
/// right-aligned, no trailing spaces. Cells are never cut, so the text stays greppable.
/// </summary>
internal sealed class TextTable(params TextColumn[] columns)
{
    private readonly List<string[]> _rows = [];

    public IReadOnlyList<TextColumn> Columns => columns;

    public void Add(params string[] cells)
    {
        if (cells.Length != columns.Length)
        {
            throw new ArgumentException($"{cells.Length} cells for {columns.Length} columns", nameof(cells));
        }
        _rows.Add(cells);
    }

    public string Render(bool header = true)
    {
        var widths = new int[columns.Length];
        for (int c = 0; c < columns.Length; c++)
        {
            widths[c] = header ? columns[c].Title.Length : 0;
            foreach (var row in _rows)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }
        var sb = new StringBuilder();
        if (header)
        {
            Line(sb, [.. columns.Select(c => c.Title)], widths);
        }
        foreach (var row in _rows)
        {
            Line(sb, row, widths);
        }
        return sb.ToString();
    }

    private void Line(StringBuilder sb, string[] cells, int[] widths)
    {
        int start = sb.Length;
        for (int c = 0; c < cells.Length; c++)
        {
            if (c > 0)
            {
                sb.Append("  ");
            }
            int pad = widths[c] - cells[c].Length;
            if (columns[c].RightAligned)
            {
                sb.Append(' ', pad).Append(cells[c]);
            }
            else
            {
                sb.Append(cells[c]).Append(' ', pad);
            }
        }
        int end = sb.Length;
        while (end > start && sb[end - 1] == ' ')
        {
            end--;
        }
        sb.Length = end;
        sb.Append('\n');
    }
}

/// <summary>A column's title and alignment.</summary>
internal sealed record TextColumn(string Title, bool RightAligned = false);
