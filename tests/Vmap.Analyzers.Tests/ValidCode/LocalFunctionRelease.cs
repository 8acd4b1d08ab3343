namespace ValidCode;

using Vmap;

/// <summary>A local function releases what the method mapped.</summary>
public static class LocalFunctionRelease
{
    public static void Run(VmapSpace space, Page[] pages)
    {
        var address = space.MapRam(pages);
        Release(address);

        void Release(nint mapped) => space.UnmapRam(mapped, pages.Length);
    }
}
