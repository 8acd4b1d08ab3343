namespace ValidCode;

using Vmap;

/// <summary>Two resources, two finally blocks, an early return in the middle.</summary>
public static class NestedFinally
{
    public static int Run(VmapSpace space, Page[] pages, bool quick)
    {
        var scratch = space.Vmalloc(8192);
        try
        {
            var window = space.MapRam(pages);
            try
            {
                if (quick)
                {
                    return 1;
                }
            }
            finally
            {
                space.UnmapRam(window, pages.Length);
            }
        }
        finally
        {
            space.Vfree(scratch);
        }

        return 0;
    }
}
