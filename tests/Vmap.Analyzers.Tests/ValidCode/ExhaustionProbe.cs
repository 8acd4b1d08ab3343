namespace ValidCode;

using System.Collections.Generic;
using Vmap;

/// <summary>The seed's experiment: map one page at a time until the space is full, then release all.</summary>
public static class ExhaustionProbe
{
    public static int Count(VmapSpace space)
    {
        var page = space.Pool.Allocate();
        var mapped = new List<nint>();
        try
        {
            while (space.TryMapRam([page], out var address))
            {
                mapped.Add(address);
            }

            return mapped.Count;
        }
        finally
        {
            foreach (var address in mapped)
            {
                space.UnmapRam(address, 1);
            }

            space.Pool.Free(page);
        }
    }
}
