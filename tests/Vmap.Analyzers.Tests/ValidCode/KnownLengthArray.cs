namespace ValidCode;

using Vmap;

/// <summary>A fixed four-page window unmapped with the literal count.</summary>
public static class KnownLengthArray
{
    public static void Run(VmapSpace space)
    {
        var pages = new Page[4];
        for (var i = 0; i < pages.Length; i++)
        {
            pages[i] = space.Pool.Allocate();
        }

        var address = space.MapRam(pages);
        space.UnmapRam(address, 4);
        foreach (var page in pages)
        {
            space.Pool.Free(page);
        }
    }
}
