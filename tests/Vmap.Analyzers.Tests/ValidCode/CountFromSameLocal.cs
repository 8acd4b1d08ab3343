namespace ValidCode;

using Vmap;

/// <summary>The count is read once and used for both calls.</summary>
public static class CountFromSameLocal
{
    public static void Run(VmapSpace space, Page[] pages)
    {
        var count = pages.Length;
        var address = space.MapRam(pages);
        space.UnmapRam(address, count);
    }
}
