namespace ValidCode;

using Vmap;

/// <summary>Guard clauses return before anything is mapped.</summary>
public static class EarlyExitBeforeMap
{
    public static int Run(VmapSpace space, Page[] pages)
    {
        if (pages.Length == 0)
        {
            return 0;
        }

        if (pages.Length > space.Geometry.MaxBlockAlloc)
        {
            var big = space.Vmap(pages);
            space.Vunmap(big);
            return 2;
        }

        var small = space.MapRam(pages);
        space.UnmapRam(small, pages.Length);
        return 1;
    }
}
