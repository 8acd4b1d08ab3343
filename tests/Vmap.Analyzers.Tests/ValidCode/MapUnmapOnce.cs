namespace ValidCode;

using Vmap;

/// <summary>The plain pair: map a few pages, touch nothing, unmap with the same count.</summary>
public static class MapUnmapOnce
{
    public static void Run(VmapSpace space)
    {
        var pages = new[] { space.Pool.Allocate(), space.Pool.Allocate() };
        var address = space.MapRam(pages);
        space.UnmapRam(address, pages.Length);
        foreach (var page in pages)
        {
            space.Pool.Free(page);
        }
    }
}
