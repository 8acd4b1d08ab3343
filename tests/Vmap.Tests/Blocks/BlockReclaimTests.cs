using static Vmap.Tests.TestSpaces;

namespace Vmap.Tests.Blocks;

/// <summary>
/// Issue 13, break 6: a block whose size is not a multiple of the request never turns fully
/// dirty; it must still be freed once its last live mapping goes, or empty blocks pile up on the
/// CPU queue and every map scans them.
/// </summary>
public class BlockReclaimTests
{
    /// <summary>4096 pages of 16-page blocks (VMAP_MAX_ALLOC 4): room for 256 blocks, so a pile-up has room to show.</summary>
    private static readonly VmapGeometry Roomy = Small with { Size = 4096 * PageSize };

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void MapRam_and_UnmapRam_in_a_loop_keep_at_most_one_block(int count)
    {
        using var space = Create(Roomy);
        var pages = Pages(space, count);
        int most = 0;
        for (int i = 0; i < 10_000; i++)
        {
            space.UnmapRam(space.MapRam(pages), count);
            most = Math.Max(most, space.Stats.Blocks);
        }

        var stats = space.Stats;
        Assert.Equal((1, 0, 0L), (most, stats.LiveMappings, stats.MappedPages));
        Assert.True(stats.Blocks <= 1, $"{stats.Blocks} blocks left with nothing live");
        Assert.Equal(0L, stats.FailedMaps);
        Assert.Equal(0L, stats.RetriedMaps);

        space.UnmapAliases();
        stats = space.Stats;
        Assert.Equal((0, 0, 4096L, 0L, 0L, 0L), (stats.Blocks, stats.LiveAreas, stats.FreePages, stats.LazilyFreedPages, stats.BlockDirtyPages, stats.BlockFreePages));
        space.Validate();
    }

    [Fact]
    public void A_block_whose_tail_cannot_take_a_block_request_is_freed_with_its_last_mapping()
    {
        using var space = Create(Roomy);
        var maps = Enumerable.Range(0, 5).Select(_ => space.MapRam(Pages(space, 3))).ToList();
        Assert.Equal((1, 1L), (space.Stats.Blocks, space.Stats.BlockFreePages));

        maps.Take(4).ToList().ForEach(m => space.UnmapRam(m, 3));
        Assert.Equal((1, 12L), (space.Stats.Blocks, space.Stats.BlockDirtyPages));

        space.UnmapRam(maps[4], 3);
        var stats = space.Stats;
        Assert.Equal((0, 0, 16L, 0L), (stats.Blocks, stats.LiveAreas, stats.LazilyFreedPages, stats.BlockFreePages));

        // The freed block's ranges still answer a second unmap as a double unmap.
        Assert.Equal(RuleIds.VMAP003, Assert.Throws<VmapMisuseException>(() => space.UnmapRam(maps[4], 3)).Rule);
    }

    [Fact]
    public void A_block_whose_tail_still_takes_a_block_request_stays_and_is_reused()
    {
        using var space = Create(Roomy);
        var a = space.MapRam(Pages(space, 3));
        var b = space.MapRam(Pages(space, 3));
        space.UnmapRam(a, 3);
        space.UnmapRam(b, 3);
        Assert.Equal((1, 6L, 10L), (space.Stats.Blocks, space.Stats.BlockDirtyPages, space.Stats.BlockFreePages));
        Assert.Equal(Page(6), space.MapRam(Pages(space, 4)));
    }

    [Fact]
    public void Each_cpu_keeps_at_most_one_empty_block()
    {
        var cpu = new CpuSwitch();
        using var space = Create(cpu, Roomy);
        var pages = Pages(space, 3);
        for (int i = 0; i < 3000; i++)
        {
            cpu.Cpu = i % 2;
            space.UnmapRam(space.MapRam(pages), 3);
        }

        Assert.True(space.Stats.Blocks <= 2, $"{space.Stats.Blocks} blocks for 2 CPUs with nothing live");
        space.UnmapAliases();
        Assert.Equal((0, 4096L), (space.Stats.Blocks, space.Stats.FreePages));
    }

    [Fact]
    public void Blocks_with_live_mappings_survive_and_the_empty_ones_go()
    {
        using var space = Create(Roomy);
        var pages = Pages(space, 3);
        var keep = new List<nint>();
        for (int i = 0; i < 1000; i++)
        {
            var m = space.MapRam(pages);
            if (i % 50 == 0)
            {
                keep.Add(m);
            }
            else
            {
                space.UnmapRam(m, 3);
            }
        }

        // 1000 maps of 3 pages fill 200 blocks; one in 50 stays live, so 20 blocks hold one mapping
        // each, and at most the current block is empty besides them.
        var stats = space.Stats;
        Assert.Equal(20, stats.LiveMappings);
        Assert.InRange(stats.Blocks, 20, 21);
        keep.ForEach(m => space.UnmapRam(m, 3));
        Assert.True(space.Stats.Blocks <= 1);
        space.UnmapAliases();
        Assert.Equal((0, 4096L), (space.Stats.Blocks, space.Stats.FreePages));
        space.Validate();
    }
}
