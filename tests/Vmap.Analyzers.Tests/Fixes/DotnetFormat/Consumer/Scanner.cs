using Vmap;

class Scanner
{
    void Scan(VmapSpace space, Page[] pages)
    {
        nint p = space.MapRam(pages);
        p += 4096;
        space.UnmapRam(p, pages.Length);
    }
}
