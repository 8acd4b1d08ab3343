using static Vmap.Tests.TestSpaces;

namespace Vmap.Tests;

public class VmapSpaceTests
{
    [Fact]
    public void Small_MapRam_is_carved_from_a_block_of_the_current_cpu()
    {
        using var space = Create(cpu: 1);
        var a = space.MapRam(Pages(space, 1));
        var b = space.MapRam(Pages(space, 2));
        var c = space.MapRam(Pages(space, 3));

        // Exact counts, packed front to back (the kernel rounds each up to a power of two).
        Assert.Equal((Page(0), Page(1), Page(3)), (a, b, c));
        var stats = space.Stats;
        Assert.Equal((1, 1, 3, 6L, 10L, 48L), (stats.Blocks, stats.LiveAreas, stats.LiveMappings, stats.MappedPages, stats.BlockFreePages, stats.FreePages));
        var block = space.SnapshotAreas()[0];
        Assert.Equal(new VmapAreaInfo(Page(0), 16, VmapAreaKind.Block) { Cpu = 1, LivePages = 6, FreePages = 10 }, block);
    }

    [Fact]
    public void MapRam_above_MaxBlockAlloc_gets_a_tight_area_of_its_own()
    {
        using var space = Create();
        var a = space.MapRam(Pages(space, 5));
        var b = space.MapRam(Pages(space, 5));
        Assert.Equal((Page(0), Page(5)), (a, b));
        Assert.Equal((0, 2, 0L, 54L), (space.Stats.Blocks, space.Stats.LiveAreas, space.Stats.GuardPages, space.Stats.FreePages));
    }

    [Fact]
    public void Between_all_areas_every_area_is_followed_by_a_guard_page()
    {
        using var space = Create(Small with { Guard = GuardMode.BetweenAllAreas });
        var a = space.MapRam(Pages(space, 5));
        var b = space.MapRam(Pages(space, 5));
        var c = space.MapRam(Pages(space, 1));

        // The block's search starts at ALIGN(end + guard, 16): the block after page 12 lands on 16.
        Assert.Equal((Page(0), Page(6), Page(16)), (a, b, c));
        Assert.Equal(3L, space.Stats.GuardPages);
    }

    [Fact]
    public void Vmap_and_Vmalloc_get_a_guard_page_in_both_modes()
    {
        using var space = Create();
        var v = space.Vmap(Pages(space, 2));
        var m = space.Vmalloc(2 * PageSize);
        var r = space.MapRam(Pages(space, 5));
        Assert.Equal((Page(0), Page(3), Page(6)), (v, m, r));
        Assert.Equal(2L, space.Stats.GuardPages);
        Assert.Equal(
            [
                new VmapAreaInfo(Page(0), 2, VmapAreaKind.Vmap) { LivePages = 2 },
                new VmapAreaInfo(Page(2), 1, VmapAreaKind.Guard),
                new VmapAreaInfo(Page(3), 2, VmapAreaKind.Vmalloc) { LivePages = 2 },
                new VmapAreaInfo(Page(5), 1, VmapAreaKind.Guard),
                new VmapAreaInfo(Page(6), 5, VmapAreaKind.MapRam) { LivePages = 5 },
                new VmapAreaInfo(Page(11), 53, VmapAreaKind.Free),
            ],
            space.SnapshotAreas());
    }

    [Fact]
    public void Vmalloc_rounds_up_to_pages_allocates_them_and_Vfree_frees_them()
    {
        using var space = Create();
        var a = space.Vmalloc((3 * PageSize) - 1);
        Assert.Equal((3, 3L), (space.Pool.AllocatedCount, space.Stats.MappedPages));
        space.Vfree(a);
        Assert.Equal((0, 0L, 4L), (space.Pool.AllocatedCount, space.Stats.MappedPages, space.Stats.LazilyFreedPages));
    }

    [Fact]
    public void Aligned_vmalloc_starts_on_its_alignment_and_its_guard_follows()
    {
        using var space = Create(Small with { Start = Base + PageSize, Size = 63 * PageSize });
        Assert.Equal(Page(1), space.Vmalloc(PageSize));
        Assert.Equal(Page(16), space.VmallocAligned(5 * PageSize, 16 * PageSize));
        Assert.Equal(Page(3), space.Vmalloc(PageSize));
        Assert.Equal(Page(32), space.VmallocAligned(1, 32 * PageSize));
        Assert.Throws<ArgumentException>(() => space.VmallocAligned(PageSize, 3 * PageSize));
    }

    [Fact]
    public void Vmalloc_of_zero_bytes_is_an_argument_error()
    {
        using var space = Create();
        Assert.Throws<ArgumentOutOfRangeException>(() => space.Vmalloc(0));
    }

    [Fact]
    public void Blocks_are_aligned_to_their_own_size_and_the_space_start_is_not()
    {
        using var space = Create(Small with { Start = Base + (3 * PageSize), Size = 40 * PageSize });
        Assert.Equal(Page(16), space.MapRam(Pages(space, 1)));
        Assert.Equal(Page(3), space.MapRam(Pages(space, 5)));
    }

    [Fact]
    public void Pages_from_another_pool_freed_pages_and_null_pages_are_rejected_without_change()
    {
        using var space = Create();
        using var other = Create();
        var own = Pages(space, 1)[0];
        var freed = space.Pool.Allocate();
        space.Pool.Free(freed);
        var before = State(space);

        var foreign = Assert.Throws<ArgumentException>(() => space.MapRam([own, other.Pool.Allocate()]));
        Assert.StartsWith("page#0@pool", foreign.Message, StringComparison.Ordinal);
        Assert.Contains("belongs to another pool", foreign.Message, StringComparison.Ordinal);
        Assert.Equal("pages", foreign.ParamName);
        Assert.Contains("was freed (or never allocated)", Assert.Throws<ArgumentException>(() => space.Vmap([freed])).Message, StringComparison.Ordinal);
        Assert.Contains("default(Page)", Assert.Throws<ArgumentException>(() => space.TryMapRam([default], out _)).Message, StringComparison.Ordinal);
        Assert.Equal(before, State(space));
    }

    [Fact]
    public void Disposed_space_refuses_calls_and_disposes_its_backend()
    {
        var backend = new RecordingBackend();
        var space = new VmapSpace(backend, Small, null);
        var page = Pages(space, 1);
        space.Dispose();
        space.Dispose();
        Assert.True(backend.Disposed);
        Assert.Throws<ObjectDisposedException>(() => space.MapRam(page));
        Assert.Throws<ObjectDisposedException>(() => space.Stats);
    }

    [Fact]
    public void Backend_maps_on_every_map_and_unmaps_at_once_on_every_unmap()
    {
        var backend = new RecordingBackend();
        using var space = new VmapSpace(backend, Small, VmapOptions.Default with { CurrentCpu = () => 0 });
        var pages = Pages(space, 5);
        var a = space.MapRam(pages.AsSpan(0, 2));
        var b = space.MapRam(pages);
        var c = space.Vmalloc(PageSize);
        space.UnmapRam(a, 2);
        space.UnmapRam(b, 5);
        space.Vfree(c);
        Assert.Equal(
            ["map 0x100000 2", "map 0x110000 5", "map 0x115000 1", "unmap 0x100000 2", "unmap 0x110000 5", "unmap 0x115000 1"],
            backend.Calls);

        // Unmapped at once, but the addresses wait for a purge: nothing is reused before it.
        Assert.Equal(7L, space.Stats.LazilyFreedPages);
    }

    [Fact]
    public void TryGetLiveMapping_finds_the_mapping_containing_an_address()
    {
        using var space = Create();
        var a = space.MapRam(Pages(space, 3));
        var v = space.Vmap(Pages(space, 2));
        Assert.True(space.TryGetLiveMapping(a + (2 * PageSize) + 7, out var start, out var count));
        Assert.Equal((a, 3), (start, count));
        Assert.True(space.TryGetLiveMapping(v + PageSize, out start, out count));
        Assert.Equal((v, 2), (start, count));
        Assert.False(space.TryGetLiveMapping(v + (2 * PageSize), out _, out _));
        Assert.False(space.TryGetLiveMapping(a + (3 * PageSize), out _, out _));
        Assert.False(space.TryGetLiveMapping(0, out _, out _));
        space.UnmapRam(a, 3);
        Assert.False(space.TryGetLiveMapping(a, out start, out count));
        Assert.Equal(((nint)0, 0), (start, count));
    }
}
