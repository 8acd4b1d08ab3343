using Vmap;

namespace VmapExhaustion;

/// <summary>The loop from the 2011 thread, run at boot: vm_map_ram one page at a time until it fails.</summary>
public static class Exhaust
{
    /// <summary>Maps the same page again and again (aliases are allowed) until the space is full; returns how many maps succeeded.</summary>
    public static long MapSinglePagesUntilFull(VmapSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        var page = new[] { space.Pool.Allocate() };
        long maps = 0;
        while (space.TryMapRam(page, out _))
        {
            maps++;
        }

        return maps;
    }
}
