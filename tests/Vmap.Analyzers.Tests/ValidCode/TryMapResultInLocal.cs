namespace ValidCode;

using Vmap;

/// <summary>The Try result kept in a local and tested later.</summary>
public static class TryMapResultInLocal
{
    public static int CountMapped(VmapSpace space, Page[] pages)
    {
        var mapped = space.TryMapRam(pages, out var address);
        var count = 0;
        if (mapped)
        {
            count = pages.Length;
            space.UnmapRam(address, pages.Length);
        }

        return count;
    }
}
