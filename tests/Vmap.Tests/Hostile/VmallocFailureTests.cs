using static Vmap.Tests.TestSpaces;

namespace Vmap.Tests.Hostile;

/// <summary>Issue 13, break 2: every way Vmalloc and Vfree can fail leaves the space and the pool as they were.</summary>
public class VmallocFailureTests
{
    private static readonly ulong Huge = int.MaxValue * (ulong)PageSize;

    private static readonly VmapOptions Cpu0 = VmapOptions.Default with { CurrentCpu = () => 0 };

    [Theory]
    [InlineData(ulong.MaxValue, 4503599627370496L)]
    [InlineData(ulong.MaxValue - 4094, 4503599627370496L)]
    [InlineData(8UL << 40, 2147483648L)]
    public void A_size_no_space_can_hold_is_out_of_range_and_changes_nothing(ulong size, long pages)
    {
        // 16 TiB: big enough that 8 TiB would fit if the page count were not limited.
        using var space = Create(Small with { Size = 16L << 40, Start = 1L << 44, BlockPages = 16 });
        var before = State(space);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => space.Vmalloc((nuint)size));

        Assert.Equal("size", e.ParamName);
        Assert.Equal($"Vmalloc({size}): that is {pages} pages of 4096 bytes; one mapping holds at most 2147483647 (int.MaxValue) pages. (Parameter 'size')\nActual value was {size}.", e.Message);
        Assert.Equal(before, State(space));
        space.Validate();
    }

    [Fact]
    public void A_size_larger_than_the_space_is_exhausted_and_changes_nothing()
    {
        using var space = Create();
        space.Vmalloc(PageSize);
        var before = State(space);

        var e = Assert.Throws<VmapExhaustedException>(() => space.Vmalloc((nuint)Huge));

        Assert.Equal(int.MaxValue, e.RequestedPages);
        Assert.Equal(before.Stats with { FailedMaps = 1, RetriedMaps = 1, Purges = 1 }, space.Stats);
        Assert.Equal((before.Areas, before.Pool), (State(space).Areas, State(space).Pool));
    }

    [Fact]
    public void A_pool_that_runs_dry_mid_Vmalloc_undoes_the_area_and_the_pages()
    {
        var pool = new LimitedPagePool(64);
        using var space = new VmapSpace(new RecordingBackend(pool), Small, Cpu0);
        var held = Pages(space, 40);
        pool.Free(held[7]);
        var before = State(space);

        // 32 pages wanted, 25 left (24 never handed out and one freed).
        var e = Assert.Throws<VmapExhaustedException>(() => space.Vmalloc(32 * PageSize));

        Assert.Equal("The page pool ran dry: The test pool holds at most 64 pages.", e.Reason);
        Assert.Equal(32, e.RequestedPages);
        Assert.Equal(before.Stats with { FailedMaps = 1 }, space.Stats);
        Assert.Equal((before.Areas, before.Pool), (State(space).Areas, State(space).Pool));
        Assert.False(pool.Contains(held[7]));
        space.Validate();

        // What fits still fits, and freeing everything gives every page back.
        nint v = space.Vmalloc(25 * PageSize);
        Assert.Equal(64, pool.AllocatedCount);
        space.Vfree(v);
        foreach (var page in held.Where(p => p != held[7]))
        {
            pool.Free(page);
        }

        space.UnmapAliases();
        Assert.Equal((0, 64L, 64L), (pool.AllocatedCount, space.Stats.FreePages, space.Stats.LargestFreeRun));
    }

    [Fact]
    public void A_pool_that_fails_to_grow_mid_Vmalloc_rethrows_and_changes_nothing()
    {
        var pool = new LimitedPagePool(64);
        using var space = new VmapSpace(new RecordingBackend(pool), Small, Cpu0);
        var before = State(space);
        pool.ThrowOnGrow = new IOException("ftruncate failed");

        var e = Assert.Throws<IOException>(() => space.Vmalloc(3 * PageSize));

        Assert.Equal("ftruncate failed", e.Message);
        Assert.Equal(before, State(space));
        space.Validate();
    }

    [Fact]
    public void A_backend_that_throws_mid_Vmalloc_undoes_the_area_and_the_pages()
    {
        var backend = new RecordingBackend();
        using var space = new VmapSpace(backend, Small, Cpu0);
        var before = State(space);
        backend.ThrowOnMap = new IOException("mmap failed: errno 9 (EBADF)");

        Assert.Throws<IOException>(() => space.Vmalloc(3 * PageSize));

        Assert.Equal(before, State(space));
        space.Validate();
        Assert.Equal(TestSpaces.Page(0), space.Vmalloc(3 * PageSize));
    }

    [Fact]
    public void A_backend_that_throws_mid_MapRam_undoes_the_placement()
    {
        var backend = new RecordingBackend();
        using var space = new VmapSpace(backend, Small, Cpu0);
        var pages = Pages(space, 6);
        var before = State(space);

        backend.ThrowOnMap = new IOException("mmap failed");
        Assert.Throws<IOException>(() => space.MapRam(pages.AsSpan(0, 1)));
        Assert.Equal(before, State(space));
        backend.ThrowOnMap = new IOException("mmap failed");
        Assert.Throws<IOException>(() => space.MapRam(pages));
        Assert.Equal(before, State(space));
        space.Validate();
    }

    [Fact]
    public void A_Vfree_the_backend_refuses_changes_nothing_and_can_be_retried()
    {
        var backend = new RecordingBackend();
        using var space = new VmapSpace(backend, Small, Cpu0);
        nint v = space.Vmalloc(3 * PageSize);
        var before = State(space);
        backend.ThrowOnUnmap = new InsufficientMemoryException("split refused");

        Assert.Throws<InsufficientMemoryException>(() => space.Vfree(v));

        Assert.Equal(before, State(space));
        space.Vfree(v);
        Assert.Equal((0, 0), (space.Stats.LiveMappings, space.Pool.AllocatedCount));
    }
}
