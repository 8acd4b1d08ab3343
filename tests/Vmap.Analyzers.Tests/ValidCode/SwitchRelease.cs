namespace ValidCode;

using Vmap;

/// <summary>A switch that releases in every arm.</summary>
public static class SwitchRelease
{
    public static string Run(VmapSpace space, Page[] pages, int mode)
    {
        var address = space.Vmap(pages);
        switch (mode)
        {
            case 0:
                space.Vunmap(address);
                return "zero";
            case 1:
                space.Vunmap(address);
                return "one";
            default:
                space.Vunmap(address);
                return "many";
        }
    }
}
