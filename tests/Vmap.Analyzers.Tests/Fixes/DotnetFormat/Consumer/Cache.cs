using Vmap;

class Cache
{
    void Drop(VmapSpace space, Page[] pages)
    {
        nint p = space.MapRam(pages);
        space.UnmapRam(p, pages.Length);
        space.UnmapRam(p, pages.Length);
    }

    void Read(VmapSpace space, Page[] pages)
    {
        nint p = space.MapRam(pages);
        space.UnmapRam(p, pages.Length);
        var span = space.GetSpan(p, 16);
        span.Clear();
    }

    void Recover(VmapSpace space, Page[] pages)
    {
        nint p = space.MapRam(pages);
        space.UnmapRam(p, pages.Length + 1);
    }

    void Release(VmapSpace space, Page[] pages)
    {
        nint p = space.MapRam(pages);
        space.Vfree(p);
    }

    void Refill(VmapSpace space, Page[] pages)
    {
        nint p = space.MapRam(pages);
        space.UnmapRam(p, pages.Length + 1);
        var span = space.GetSpan(p, 16);
        span.Clear();
    }
}
