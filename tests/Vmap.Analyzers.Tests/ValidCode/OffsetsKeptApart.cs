namespace ValidCode;

using Vmap;

/// <summary>Offsets computed into other locals; the start is what gets unmapped.</summary>
public static class OffsetsKeptApart
{
    public static nint HeaderOf(VmapSpace space, Page[] pages)
    {
        var start = space.MapRam(pages);
        var header = start + 64;
        var trailer = start + (pages.Length * space.Geometry.PageSize) - 16;
        var distance = trailer - header;
        space.UnmapRam(start, pages.Length);
        return distance;
    }
}
