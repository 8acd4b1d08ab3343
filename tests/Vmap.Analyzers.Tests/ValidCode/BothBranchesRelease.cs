namespace ValidCode;

using Vmap;

/// <summary>Each branch releases exactly once.</summary>
public static class BothBranchesRelease
{
    public static int Run(VmapSpace space, Page[] pages, bool quick)
    {
        var address = space.MapRam(pages);
        if (quick)
        {
            space.UnmapRam(address, pages.Length);
            return 0;
        }

        var live = space.Stats.LiveMappings;
        space.UnmapRam(address, pages.Length);
        return live;
    }
}
