namespace ValidCode;

using Vmap;

/// <summary>A vmalloc'ed scratch area released in a finally block.</summary>
public static class VmallocScratch
{
    public static long Use(VmapSpace space, nuint bytes)
    {
        var scratch = space.Vmalloc(bytes);
        try
        {
            return space.Stats.LiveMappings;
        }
        finally
        {
            space.Vfree(scratch);
        }
    }
}
