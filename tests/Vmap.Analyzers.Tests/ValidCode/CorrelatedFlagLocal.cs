namespace ValidCode;

using Vmap;

/// <summary>A local flag records whether the mapping was made.</summary>
public static class CorrelatedFlagLocal
{
    public static void MaybeMap(VmapSpace space, Page[] pages, bool wanted)
    {
        nint address = 0;
        var mapped = false;
        if (wanted && pages.Length > 1)
        {
            address = space.Vmap(pages);
            mapped = true;
        }

        if (mapped)
        {
            space.Vunmap(address);
        }
    }
}
