using Vmap;

class Pager
{
    void Remap(VmapSpace space, Page[] pages, Page[] next)
    {
        nint p = space.MapRam(pages);
        space.UnmapRam(p, pages.Length);
        p = space.MapRam(next);
        space.UnmapRam(p, next.Length);
    }

    void Read(VmapSpace space, Page[] pages, bool valid)
    {
        nint p = space.MapRam(pages);
        try
        {
            if (!valid)
                return;
            space.GetSpan(p, 16).Clear();
        }
        finally
        {
            space.UnmapRam(p, pages.Length);
        }
    }

    void Copy(VmapSpace space, Page[] from, Page[] to, bool valid)
    {
        nint src = space.MapRam(from);
        try
        {
            nint dst = space.MapRam(to);
            try
            {
                if (!valid)
                    return;
                space.GetSpan(dst, 16).Clear();
            }
            finally
            {
                space.UnmapRam(dst, to.Length);
            }
        }
        finally
        {
            space.UnmapRam(src, from.Length);
        }
    }

    nint Keep(VmapSpace space, Page[] pages, bool keep)
    {
        nint p = space.MapRam(pages);
        if (keep)
            return p;
        return 0;
    }
}
