using static Vmap.Tests.TestSpaces;

namespace Vmap.Tests.Purge;

public class LazyPurgeTests
{
    [Fact]
    public void A_freed_range_is_not_reused_before_a_purge()
    {
        using var space = Create();
        var a = space.MapRam(Pages(space, 5));
        space.UnmapRam(a, 5);
        Assert.Equal(5L, space.Stats.LazilyFreedPages);
        Assert.Equal(Page(5), space.MapRam(Pages(space, 5)));
        space.UnmapAliases();
        var stats = space.Stats;
        Assert.Equal((0L, 59L, 1L), (stats.LazilyFreedPages, stats.FreePages, stats.Purges));
        Assert.Equal(Page(0), space.MapRam(Pages(space, 5)));
    }

    [Fact]
    public void Reaching_LazyMaxPages_purges()
    {
        using var space = Create(Small with { LazyMaxPages = 10 });
        var a = space.MapRam(Pages(space, 5));
        var b = space.MapRam(Pages(space, 5));
        space.UnmapRam(a, 5);
        Assert.Equal((5L, 0L), (space.Stats.LazilyFreedPages, space.Stats.Purges));
        space.UnmapRam(b, 5);
        Assert.Equal((0L, 1L, 64L), (space.Stats.LazilyFreedPages, space.Stats.Purges, space.Stats.FreePages));
    }

    [Fact]
    public void A_map_that_finds_no_room_purges_and_retries_by_itself()
    {
        using var space = Create();
        var maps = Enumerable.Range(0, 12).Select(_ => space.MapRam(Pages(space, 5))).ToList();
        maps.ForEach(m => space.UnmapRam(m, 5));
        Assert.Equal((60L, 4L), (space.Stats.LazilyFreedPages, space.Stats.FreePages));
        Assert.Equal(Page(0), space.MapRam(Pages(space, 5)));
        var stats = space.Stats;
        Assert.Equal((1L, 1L, 0L, 0L), (stats.RetriedMaps, stats.Purges, stats.FailedMaps, stats.LazilyFreedPages));
    }

    [Fact]
    public void Exhaustion_is_reported_with_the_space_figures()
    {
        using var space = Create();
        space.MapRam(Pages(space, 10));
        var before = State(space);
        var ex = Assert.Throws<VmapExhaustedException>(() => space.MapRam(Pages(space, 60)));
        Assert.Equal("MapRam of 60 pages failed after a purge and a retry: 54 free pages, largest free run 54 pages, 0 lazily freed pages pending.", ex.Message);
        Assert.Equal((60, 54L, 54L, 0L, null), (ex.RequestedPages, ex.FreePages, ex.LargestFreeRun, ex.LazilyFreedPages, ex.Reason));
        Assert.False(space.TryMapRam(Pages(space, 60), out var address));
        Assert.Equal((nint)0, address);
        Assert.Throws<VmapExhaustedException>(() => space.Vmalloc(54 * PageSize));
        var stats = space.Stats;
        Assert.Equal((3L, 3L, 3L), (stats.RetriedMaps, stats.FailedMaps, stats.Purges));
        Assert.Equal(before.Areas, State(space).Areas);
        // Only the caller's 130 pages: the failed Vmalloc kept none of its own.
        Assert.Equal(130, space.Pool.AllocatedCount);
    }

    [Fact]
    public void A_backend_refusal_is_purged_retried_then_reported_with_its_reason()
    {
        var backend = new RecordingBackend();
        using var space = new VmapSpace(backend, Small, VmapOptions.Default with { CurrentCpu = () => 0 });
        backend.RefuseNextMaps = 1;
        Assert.Equal(Page(0), space.MapRam(Pages(space, 1)));
        Assert.Equal(1L, space.Stats.RetriedMaps);

        backend.RefuseNextMaps = 2;
        var before = State(space);
        var ex = Assert.Throws<VmapExhaustedException>(() => space.Vmalloc(2 * PageSize));
        Assert.Equal("Vmalloc of 2 pages failed after a purge and a retry: 48 free pages, largest free run 48 pages, 0 lazily freed pages pending. The backend refused: map count limit 3 reached", ex.Message);
        Assert.Equal("map count limit 3 reached", ex.Reason);
        Assert.Equal(["refuse 0x100000 1", "map 0x100000 1", "refuse 0x110000 2", "refuse 0x110000 2"], backend.Calls);
        Assert.Equal(before.Areas, State(space).Areas);
        Assert.Equal(1, space.Pool.AllocatedCount);
    }

    [Fact]
    public void UnmapAliases_with_nothing_pending_still_counts_a_purge()
    {
        using var space = Create();
        space.UnmapAliases();
        Assert.Equal((1L, 64L), (space.Stats.Purges, space.Stats.FreePages));
    }
}
