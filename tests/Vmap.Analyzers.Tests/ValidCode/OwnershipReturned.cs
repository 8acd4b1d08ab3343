namespace ValidCode;

using Vmap;

/// <summary>A factory hands the mapping to its caller, who releases it.</summary>
public static class OwnershipReturned
{
    public static nint MapWindow(VmapSpace space, Page[] pages) => space.MapRam(pages);

    public static void Caller(VmapSpace space, Page[] pages)
    {
        var address = MapWindow(space, pages);
        space.UnmapRam(address, pages.Length);
    }
}
