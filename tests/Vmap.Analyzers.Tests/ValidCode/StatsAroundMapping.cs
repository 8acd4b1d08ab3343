namespace ValidCode;

using Vmap;

/// <summary>Reads statistics between a map and its unmap.</summary>
public static class StatsAroundMapping
{
    public static (long Before, long During) Measure(VmapSpace space, Page[] pages)
    {
        var before = space.Stats.MappedPages;
        var address = space.Vmap(pages);
        var during = space.Stats.MappedPages;
        space.Vunmap(address);
        return (before, during);
    }
}
