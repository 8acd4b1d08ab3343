namespace ValidCode;

using Vmap;

/// <summary>A wrapper passes a mapping out through its own out parameter.</summary>
public static class OutParameterOwner
{
    public static bool TryMapBig(VmapSpace space, Page[] pages, out nint address)
    {
        if (pages.Length < 2)
        {
            address = 0;
            return false;
        }

        address = space.Vmap(pages);
        return true;
    }

    public static void Use(VmapSpace space, Page[] pages)
    {
        if (TryMapBig(space, pages, out var address))
        {
            space.Vunmap(address);
        }
    }
}
