namespace ValidCode;

using Vmap;

/// <summary>A whole lifetime: create a space, map, unmap, dispose.</summary>
public static class SimulatedSpaceLifetime
{
    public static int Run()
    {
        using var space = VmapSpace.CreateSimulated(VmapGeometry.X86_32_2011);
        var page = space.Pool.Allocate();
        var address = space.MapRam([page]);
        var live = space.Stats.LiveMappings;
        space.UnmapRam(address, 1);
        space.Pool.Free(page);
        return live;
    }
}
