using Vmap;

class Scanner
{
    void Scan(VmapSpace space, Page[] pages)
    {
        nint p = space.MapRam(pages);
        var mappedP = p;
        p += 4096;
        space.UnmapRam(mappedP, pages.Length);
    }
}
