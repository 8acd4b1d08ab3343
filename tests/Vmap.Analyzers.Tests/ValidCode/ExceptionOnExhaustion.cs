namespace ValidCode;

using Vmap;

/// <summary>MapRam throws when the space is full; nothing to release on that path.</summary>
public static class ExceptionOnExhaustion
{
    public static bool TryRun(VmapSpace space, Page[] pages)
    {
        nint address;
        try
        {
            address = space.MapRam(pages);
        }
        catch (VmapExhaustedException)
        {
            return false;
        }

        space.UnmapRam(address, pages.Length);
        return true;
    }
}
