namespace ValidCode;

using Vmap;

/// <summary>A mapping handed to code that takes it over.</summary>
public static class PassedToHelper
{
    public static void Map(VmapSpace space, Page[] pages, System.Action<nint> takeOver)
    {
        var address = space.MapRam(pages);
        takeOver(address);
    }
}
