using Vmap;

class Cache
{
    void Drop(VmapSpace space, Page[] pages)
    {
        nint p = space.MapRam(pages);
        space.UnmapRam(p, pages.Length);
    }

    void Read(VmapSpace space, Page[] pages)
    {
        nint p = space.MapRam(pages);
        var span = space.GetSpan(p, 16);
        space.UnmapRam(p, pages.Length);
        span.Clear();
    }

    void Recover(VmapSpace space, Page[] pages)
    {
        nint p = space.MapRam(pages);
        space.UnmapRam(p, pages.Length);
    }

    void Release(VmapSpace space, Page[] pages)
    {
        nint p = space.MapRam(pages);
        space.UnmapRam(p, pages.Length);
    }

    void Refill(VmapSpace space, Page[] pages)
    {
        nint p = space.MapRam(pages);
        var span = space.GetSpan(p, 16);
        space.UnmapRam(p, pages.Length);
        span.Clear();
    }
}
