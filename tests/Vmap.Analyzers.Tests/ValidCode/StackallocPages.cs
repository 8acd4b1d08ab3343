namespace ValidCode;

using System;
using Vmap;

/// <summary>Pages kept on the stack, count from a constant.</summary>
public static class StackallocPages
{
    private const int Count = 3;

    public static void Run(VmapSpace space)
    {
        Span<Page> pages = stackalloc Page[Count];
        for (var i = 0; i < Count; i++)
        {
            pages[i] = space.Pool.Allocate();
        }

        var address = space.MapRam(pages);
        space.UnmapRam(address, Count);
        foreach (var page in pages)
        {
            space.Pool.Free(page);
        }
    }
}
