namespace ValidCode;

using Vmap;

/// <summary>Maps only multi-page requests and unmaps under the same test.</summary>
public static class CorrelatedCountGuard
{
    public static long Checksum(VmapSpace space, Page[] pages, int count)
    {
        nint address = 0;
        if (count > 1)
        {
            address = space.MapRam(pages);
        }

        long sum = count;
        if (count > 1)
        {
            sum += address;
            space.UnmapRam(address, pages.Length);
        }

        return sum;
    }
}
