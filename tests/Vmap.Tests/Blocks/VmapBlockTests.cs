using static Vmap.Tests.TestSpaces;

namespace Vmap.Tests.Blocks;

public class VmapBlockTests
{
    [Fact]
    public void Each_cpu_fills_its_own_blocks()
    {
        var cpu = new CpuSwitch();
        using var space = Create(cpu);
        var a = space.MapRam(Pages(space, 1));
        cpu.Cpu = 1;
        var b = space.MapRam(Pages(space, 1));
        cpu.Cpu = 0;
        var c = space.MapRam(Pages(space, 1));
        Assert.Equal((Page(0), Page(16), Page(1)), (a, b, c));
        Assert.Equal([0, 1], space.SnapshotAreas().Where(x => x.Kind == VmapAreaKind.Block).Select(x => x.Cpu));
    }

    [Fact]
    public void A_request_larger_than_the_tail_takes_a_new_block()
    {
        using var space = Create();
        space.MapRam(Pages(space, 4));
        space.MapRam(Pages(space, 4));
        space.MapRam(Pages(space, 4));
        space.MapRam(Pages(space, 3));
        Assert.Equal(Page(16), space.MapRam(Pages(space, 2)));
        Assert.Equal(Page(15), space.MapRam(Pages(space, 1)));
    }

    [Fact]
    public void Unmapped_block_pages_turn_dirty_and_are_not_reused()
    {
        using var space = Create();
        var a = space.MapRam(Pages(space, 2));
        space.UnmapRam(a, 2);
        Assert.Equal(Page(2), space.MapRam(Pages(space, 1)));
        Assert.Equal((2L, 13L, 1), (space.Stats.BlockDirtyPages, space.Stats.BlockFreePages, space.Stats.Blocks));
    }

    [Fact]
    public void A_fully_dirty_block_is_freed_lazily()
    {
        using var space = Create();
        var maps = Enumerable.Range(0, 4).Select(_ => space.MapRam(Pages(space, 4))).ToList();
        maps.ForEach(m => space.UnmapRam(m, 4));
        var stats = space.Stats;
        Assert.Equal((0, 0, 16L, 48L), (stats.Blocks, stats.LiveAreas, stats.LazilyFreedPages, stats.FreePages));
    }

    [Fact]
    public void A_fragmented_block_waits_for_UnmapAliases()
    {
        using var space = Create();
        var a = space.MapRam(Pages(space, 3));
        space.UnmapRam(a, 3);
        Assert.Equal((1, 3L, 13L), (space.Stats.Blocks, space.Stats.BlockDirtyPages, space.Stats.BlockFreePages));
        space.UnmapAliases();
        var stats = space.Stats;
        Assert.Equal((0, 64L, 0L, 1L), (stats.Blocks, stats.FreePages, stats.LazilyFreedPages, stats.Purges));
    }

    [Fact]
    public void A_block_with_a_live_mapping_survives_a_purge()
    {
        using var space = Create();
        var a = space.MapRam(Pages(space, 3));
        var b = space.MapRam(Pages(space, 1));
        space.UnmapRam(a, 3);
        space.UnmapAliases();
        Assert.Equal((1, 1), (space.Stats.Blocks, space.Stats.LiveMappings));
        Assert.True(space.TryGetLiveMapping(b, out _, out _));
    }

    private static readonly VmapGeometry TwoBlocks = Small with { Size = 32 * PageSize };

    private static (VmapSpace Space, CpuSwitch Cpu) FillCpu0WithCpu1Idle(VmapOptions options)
    {
        var cpu = new CpuSwitch();
        var space = Create(cpu, TwoBlocks, options);
        space.MapRam(Pages(space, 4));
        cpu.Cpu = 1;
        space.MapRam(Pages(space, 1));
        cpu.Cpu = 0;
        for (int i = 0; i < 3; i++)
        {
            space.MapRam(Pages(space, 4));
        }

        return (space, cpu);
    }

    [Fact]
    public void With_no_room_for_a_block_a_cpu_steals_from_another_cpus_block()
    {
        var (space, _) = FillCpu0WithCpu1Idle(VmapOptions.Default);
        using (space)
        {
            Assert.Equal(Page(17), space.MapRam(Pages(space, 4)));
        }
    }

    [Fact]
    public void Without_stealing_the_kernel_fails_although_another_cpu_has_room()
    {
        var (space, _) = FillCpu0WithCpu1Idle(VmapOptions.Default with { StealFromOtherCpus = false, FallbackToPlainArea = false });
        using (space)
        {
            Assert.False(space.TryMapRam(Pages(space, 1), out var address));
            Assert.Equal((nint)0, address);
            Assert.Equal((1L, 1L, 15L), (space.Stats.RetriedMaps, space.Stats.FailedMaps, space.Stats.BlockFreePages));
        }
    }

    [Fact]
    public void Where_no_aligned_block_fits_a_small_map_falls_back_to_a_plain_area()
    {
        // Pages 3..21 of a 16-page-aligned grid: no whole block inside.
        var g = Small with { Start = Base + (3 * PageSize), Size = 19 * PageSize };
        using (var space = Create(g))
        {
            Assert.Equal(Page(3), space.MapRam(Pages(space, 2)));
            Assert.Equal(Page(5), space.MapRam(Pages(space, 1)));
            Assert.Equal((0, 2, 16L), (space.Stats.Blocks, space.Stats.LiveAreas, space.Stats.FreePages));
        }

        using var kernel = Create(g, VmapOptions.Kernel2011);
        Assert.False(kernel.TryMapRam(Pages(kernel, 1), out _));
    }

    [Fact]
    public void Plain_fallback_areas_unmap_with_their_count()
    {
        var g = Small with { Start = Base + (3 * PageSize), Size = 19 * PageSize };
        using var space = Create(g);
        var a = space.MapRam(Pages(space, 2));
        Assert.Equal(RuleIds.VMAP005, Assert.Throws<VmapMisuseException>(() => space.UnmapRam(a, 1)).Rule);
        space.UnmapRam(a, 2);
        Assert.Equal((0, 2L), (space.Stats.LiveAreas, space.Stats.LazilyFreedPages));
    }

    [Fact]
    public void A_block_map_larger_than_the_stack_copy_maps_its_own_pages()
    {
        var g = Small with { Size = 2048 * PageSize, BlockPages = 1024, MaxBlockAlloc = 300 };
        var backend = new RecordingBackend();
        using var space = new VmapSpace(backend, g, VmapOptions.Default with { CurrentCpu = () => 0 });
        var pages = Pages(space, 300);
        var a = space.MapRam(pages);
        Assert.Equal(pages, backend.MappedPages.Single());
        Assert.Equal((1, 1, 300L), (space.Stats.Blocks, space.Stats.LiveMappings, space.Stats.MappedPages));
        Assert.Throws<InvalidOperationException>(() => space.Pool.Free(pages[299]));
        space.UnmapRam(a, 300);
        space.Pool.Free(pages[299]);
    }
}
