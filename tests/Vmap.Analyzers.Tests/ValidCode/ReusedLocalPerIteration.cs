namespace ValidCode;

using Vmap;

/// <summary>One local reused across iterations, always unmapped before it is overwritten.</summary>
public static class ReusedLocalPerIteration
{
    public static void Churn(VmapSpace space, Page[] pages, int rounds)
    {
        nint address = 0;
        while (rounds-- > 0)
        {
            address = space.MapRam(pages);
            space.UnmapRam(address, pages.Length);
            address = 0;
        }
    }
}
