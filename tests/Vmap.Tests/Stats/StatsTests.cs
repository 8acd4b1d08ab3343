using static Vmap.Tests.TestSpaces;

namespace Vmap.Tests.Stats;

public class StatsTests
{
    [Fact]
    public void DumpAreas_lists_areas_guards_and_unpurged_ranges_like_vmallocinfo()
    {
        var cpu = new CpuSwitch { Cpu = 1 };
        using var space = Create(cpu);
        var a = space.MapRam(Pages(space, 2));
        space.MapRam(Pages(space, 1));
        space.UnmapRam(a, 2);
        space.Vmalloc(PageSize);
        var v = space.Vmap(Pages(space, 5));
        space.Vunmap(v);
        space.MapRam(Pages(space, 6));
        var text = new StringWriter { NewLine = "\n" };
        space.DumpAreas(text);
        Assert.Equal(
            """
            0x00100000-0x00110000      65536 vmap-block cpu=1 live=1 dirty=2 free=13
            0x00110000-0x00111000       4096 vmalloc pages=1
            0x00111000-0x00112000       4096 guard
            0x00112000-0x00118000      24576 unpurged vm_area
            0x00118000-0x0011e000      24576 vm_map_ram pages=6

            """,
            text.ToString());
    }

    [Fact]
    public void Stats_account_for_every_page()
    {
        using var space = Create(Small with { Guard = GuardMode.BetweenAllAreas });
        space.MapRam(Pages(space, 1));
        var r = space.MapRam(Pages(space, 6));
        space.Vmalloc(PageSize);
        space.UnmapRam(r, 6);
        var s = space.Stats;
        Assert.Equal(
            new VmapStats
            {
                TotalPages = 64,
                LiveMappings = 2,
                LiveAreas = 2,
                Blocks = 1,
                MappedPages = 2,
                FreePages = 64 - 17 - 7 - 2,
                LargestFreeRun = 64 - 26,
                LazilyFreedPages = 7,
                BlockFreePages = 15,
                BlockDirtyPages = 0,
                GuardPages = 2,
                Purges = 0,
                RetriedMaps = 0,
                FailedMaps = 0,
            },
            s);
    }

    [Fact]
    public void The_page_past_the_end_is_never_reported_free()
    {
        // Under BetweenAllAreas the last area's guard may lie past the end, as in the 2011 search.
        using var space = Create(Small with { Guard = GuardMode.BetweenAllAreas });
        Assert.Equal((64L, 64L), (space.Stats.FreePages, space.Stats.LargestFreeRun));
        Assert.Equal([new VmapAreaInfo(Page(0), 64, VmapAreaKind.Free)], space.SnapshotAreas());
        var a = space.MapRam(Pages(space, 64));
        Assert.Equal((Page(0), 0L, 1L), (a, space.Stats.FreePages, space.Stats.GuardPages));
        Assert.Equal([new VmapAreaInfo(Page(0), 64, VmapAreaKind.MapRam) { LivePages = 64 }], space.SnapshotAreas());
    }
}
