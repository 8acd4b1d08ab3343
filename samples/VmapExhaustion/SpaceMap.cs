using System.Globalization;
using System.Text;
using Vmap;

namespace VmapExhaustion;

/// <summary>
/// Draws a space as a strip of block-sized (1 MiB) slots, one column per slot and one pixel row per
/// page, so a block that skips every other slot shows as a striped strip.
/// </summary>
public static class SpaceMap
{
    private const int Column = 6;
    private const int Gap = 1;
    private const int Top = 40;
    private const int Left = 10;

    /// <summary>The SVG text for <paramref name="space"/>'s current state, titled <paramref name="title"/>.</summary>
    public static string Render(VmapSpace space, string title)
    {
        ArgumentNullException.ThrowIfNull(space);
        var g = space.Geometry;
        long pageSize = g.PageSize, slotPages = g.BlockPages;
        long firstPage = (long)space.Start / pageSize;
        long firstSlot = firstPage / slotPages;
        long lastSlot = (((long)space.End / pageSize) - 1) / slotPages;
        int slots = (int)(lastSlot - firstSlot + 1);
        int width = Left * 2 + slots * (Column + Gap);
        int height = Top + (int)slotPages + 50;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"18\" font-family=\"monospace\" font-size=\"13\">{Escape(title)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"33\" font-family=\"monospace\" font-size=\"11\" fill=\"#555\">one column per {SlotText(slotPages * pageSize)} slot, one row per page; {slots} slots</text>\n");

        foreach (var area in space.SnapshotAreas())
        {
            long start = (long)area.Start / pageSize, end = start + area.Pages;
            if (area.Kind == VmapAreaKind.Block)
            {
                // The handed-out front of a block in its colour, the untouched tail lighter.
                long tail = end - area.FreePages;
                DrawRange(svg, start, tail, "#2b6cb0", slotPages, firstSlot);
                DrawRange(svg, tail, end, "#90cdf4", slotPages, firstSlot);
            }
            else
            {
                DrawRange(svg, start, end, Color(area.Kind), slotPages, firstSlot);
            }
        }

        int ly = Top + (int)slotPages + 20;
        int lx = Left;
        foreach (var (label, color) in Legend)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx}\" y=\"{ly - 9}\" width=\"10\" height=\"10\" fill=\"{color}\" stroke=\"#999\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{lx + 14}\" y=\"{ly}\" font-family=\"monospace\" font-size=\"11\">{label}</text>\n");
            lx += 14 + (label.Length * 7) + 16;
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void DrawRange(StringBuilder svg, long start, long end, string color, long slotPages, long firstSlot)
    {
        for (long p = start; p < end;)
        {
            long slot = p / slotPages;
            long runEnd = Math.Min(end, (slot + 1) * slotPages);
            int x = Left + (int)(slot - firstSlot) * (Column + Gap);
            int y = Top + (int)(p - (slot * slotPages));
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y}\" width=\"{Column}\" height=\"{runEnd - p}\" fill=\"{color}\"/>\n");
            p = runEnd;
        }
    }

    private static readonly (string Label, string Color)[] Legend =
    [
        ("vmap block", "#2b6cb0"),
        ("block tail", "#90cdf4"),
        ("plain area", "#dd6b20"),
        ("vmap/vmalloc", "#38a169"),
        ("guard page", "#e53e3e"),
        ("lazily freed", "#ecc94b"),
        ("free", "#e2e8f0"),
    ];

    private static string Color(VmapAreaKind kind) => kind switch
    {
        VmapAreaKind.MapRam => "#dd6b20",
        VmapAreaKind.Vmap or VmapAreaKind.Vmalloc => "#38a169",
        VmapAreaKind.Guard => "#e53e3e",
        VmapAreaKind.LazilyFreed => "#ecc94b",
        _ => "#e2e8f0",
    };

    private static string SlotText(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes / 1024} KiB";

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);
}
