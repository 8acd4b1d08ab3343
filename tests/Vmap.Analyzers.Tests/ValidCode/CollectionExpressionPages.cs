namespace ValidCode;

using Vmap;

/// <summary>Two pages in a collection expression, unmapped with two.</summary>
public static class CollectionExpressionPages
{
    public static void Run(VmapSpace space, Page first, Page second)
    {
        var address = space.Vmap([first, second]);
        space.Vunmap(address);
        var ram = space.MapRam([first, second]);
        space.UnmapRam(ram, 2);
    }
}
