namespace Vmap.Tests;

/// <summary>The seed's boot-time loop: map one page at a time until the space is exhausted.</summary>
public class ExperimentTests
{
    private static readonly VmapGeometry X86 = VmapGeometry.X86_32_2011;

    private static long MapUntilFull(VmapSpace space)
    {
        var page = new[] { space.Pool.Allocate() };
        long maps = 0;
        while (space.TryMapRam(page, out _))
        {
            maps++;
        }

        return maps;
    }

    [Fact]
    public void Guard_between_all_areas_halves_the_space_as_in_2011()
    {
        using var space = VmapSpace.CreateSimulated(X86 with { Guard = GuardMode.BetweenAllAreas }, VmapOptions.Kernel2011);
        Assert.Equal(15360, MapUntilFull(space));
        Assert.Equal((60, 60L), (space.Stats.Blocks, space.Stats.GuardPages));
    }

    [Fact]
    public void Guard_on_vmalloc_only_fills_every_slot_as_with_the_patch()
    {
        using var space = VmapSpace.CreateSimulated(X86, VmapOptions.Kernel2011);
        Assert.Equal(30464, MapUntilFull(space));
        Assert.Equal((119, 0L, 1L, 1L), (space.Stats.Blocks, space.Stats.FreePages, space.Stats.RetriedMaps, space.Stats.FailedMaps));
    }

    [Fact]
    public void Per_cpu_queues_without_stealing_make_the_count_depend_on_where_the_thread_ran()
    {
        // A loop that hops over 8 CPUs: each CPU takes its own block, and the first CPU that finds
        // no room for a new block fails the loop while 7 blocks still have untouched tails.
        int call = 0;
        using var space = VmapSpace.CreateSimulated(X86, VmapOptions.Kernel2011 with { SingleCpuQueue = false, CurrentCpu = () => call++ % 8 });
        Assert.Equal((14 * 8 * 256) + 7, MapUntilFull(space));
    }

    [Fact]
    public void Stealing_makes_the_count_independent_of_the_cpu()
    {
        int call = 0;
        using var space = VmapSpace.CreateSimulated(X86, VmapOptions.Default with { FallbackToPlainArea = false, CurrentCpu = () => call++ % 8 });
        Assert.Equal(30464, MapUntilFull(space));
    }

    [Fact]
    public void Unaligned_space_is_filled_to_the_last_page_with_the_plain_area_fallback()
    {
        var unaligned = X86 with { Start = X86.Start + (3 * 4096), Size = X86.Size + (5 * 4096) };
        Assert.Equal(30469, unaligned.TotalPages);
        using (var kernel = VmapSpace.CreateSimulated(unaligned, VmapOptions.Kernel2011))
        {
            Assert.Equal(30208, MapUntilFull(kernel));
        }

        int call = 0;
        using var space = VmapSpace.CreateSimulated(unaligned, VmapOptions.Default with { CurrentCpu = () => call++ % 8 });
        Assert.Equal(30469, MapUntilFull(space));
        Assert.Equal((118, 253 + 8, 0L), (space.Stats.Blocks, space.Stats.LiveAreas - 118, space.Stats.FreePages));
    }
}
