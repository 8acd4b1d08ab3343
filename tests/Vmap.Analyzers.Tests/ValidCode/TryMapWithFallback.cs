namespace ValidCode;

using System;
using Vmap;

/// <summary>TryMapRam tested directly; the failure path maps nothing and so releases nothing.</summary>
public static class TryMapWithFallback
{
    public static bool Probe(VmapSpace space, ReadOnlySpan<Page> pages)
    {
        if (!space.TryMapRam(pages, out var address))
        {
            space.UnmapAliases();
            return false;
        }

        space.UnmapRam(address, pages.Length);
        return true;
    }
}
