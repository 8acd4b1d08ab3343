using Vmap;

class Pager
{
    void Remap(VmapSpace space, Page[] pages, Page[] next)
    {
        nint p = space.MapRam(pages);
        p = space.MapRam(next);
        space.UnmapRam(p, next.Length);
    }

    void Read(VmapSpace space, Page[] pages, bool valid)
    {
        nint p = space.MapRam(pages);
        if (!valid)
            return;
        space.GetSpan(p, 16).Clear();
        space.UnmapRam(p, pages.Length);
    }

    void Copy(VmapSpace space, Page[] from, Page[] to, bool valid)
    {
        nint src = space.MapRam(from);
        nint dst = space.MapRam(to);
        if (!valid)
            return;
        space.GetSpan(dst, 16).Clear();
        space.UnmapRam(dst, to.Length);
        space.UnmapRam(src, from.Length);
    }

    nint Keep(VmapSpace space, Page[] pages, bool keep)
    {
        nint p = space.MapRam(pages);
        if (keep)
            return p;
        return 0;
    }
}
