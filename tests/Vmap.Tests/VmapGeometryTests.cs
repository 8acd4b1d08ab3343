namespace Vmap.Tests;

public class VmapGeometryTests
{
    [Fact]
    public void X86_32_2011_is_the_seed_machine()
    {
        var g = VmapGeometry.X86_32_2011;
        Assert.Equal(119L * 1024 * 1024, g.Size);
        Assert.Equal(0, g.Start % (1024 * 1024));
        Assert.Equal((4096, 256, 32, 8, GuardMode.VmallocOnly), (g.PageSize, g.BlockPages, g.MaxBlockAlloc, g.Cpus, g.Guard));
        Assert.Equal(30464, g.TotalPages);

        // lazy_max_pages = fls(8 CPUs) * 32 MiB / PAGE_SIZE
        Assert.Equal(4 * 8192, g.LazyMaxPages);
    }

    [Fact]
    public void Default64_follows_the_kernel_constants_for_64_bit()
    {
        var g = VmapGeometry.Default64;
        Assert.Equal(128L << 30, g.Size);

        // VMAP_BBMAP_BITS = min(1024, max(2 * 64, 32M pages / 8 / 16))
        Assert.Equal((4096, 1024, 64), (g.PageSize, g.BlockPages, g.MaxBlockAlloc));
        Assert.Equal(0, g.Start % ((long)g.BlockPages * g.PageSize));
    }

    [Theory]
    [InlineData("PageSize", "Invalid geometry: PageSize 8192 differs from the pool's 4096.")]
    [InlineData("Size", "Invalid geometry: Size must be a positive multiple of PageSize.")]
    [InlineData("BlockPages", "Invalid geometry: BlockPages must be a positive power of two (blocks are aligned to their size).")]
    [InlineData("MaxBlockAlloc", "Invalid geometry: MaxBlockAlloc must be between 1 and BlockPages.")]
    [InlineData("Cpus", "Invalid geometry: Cpus must be between 1 and 8192 (the kernel's largest NR_CPUS).")]
    public void Invalid_geometry_is_refused(string field, string message)
    {
        var g = TestSpaces.Small;
        var bad = field switch
        {
            "PageSize" => g with { PageSize = 8192 },
            "Size" => g with { Size = 100 },
            "BlockPages" => g with { BlockPages = 12 },
            "MaxBlockAlloc" => g with { MaxBlockAlloc = 17 },
            _ => g with { Cpus = 0 },
        };

        // The simulated pool is sized from the geometry, so a page-size mismatch needs a backend of its own.
        var ex = field == "PageSize"
            ? Assert.Throws<ArgumentException>(() => new VmapSpace(new RecordingBackend(), bad, null))
            : Assert.Throws<ArgumentException>(() => VmapSpace.CreateSimulated(bad));
        Assert.Equal(message + " (Parameter 'geometry')", ex.Message);
    }

    /// <summary>Issue 22, break 7: the page past the end that the last guard takes must have a number too.</summary>
    [Fact]
    public void A_geometry_whose_last_guard_would_wrap_is_refused()
    {
        var bad = new VmapGeometry(0, long.MaxValue, 1, 16, 4, 1, 32, GuardMode.BetweenAllAreas);

        var ex = Assert.Throws<ArgumentException>(() => VmapSpace.CreateSimulated(bad));

        Assert.Equal("Invalid geometry: with a guard page on every area (GuardMode.BetweenAllAreas) the last area's guard lies one page past the end, so Start + Size + PageSize must not pass nint.MaxValue (0x7fffffffffffffff). (Parameter 'geometry')", ex.Message);

        // One page less is a space like any other: maps work and the free count is right.
        using var space = VmapSpace.CreateSimulated(bad with { Size = long.MaxValue - 1 });
        var page = space.Pool.Allocate();
        nint at = space.Vmap([page]);
        Assert.Equal((long.MaxValue - 1 - 2, 1), (space.Stats.FreePages, space.Stats.LiveMappings));
        space.Vunmap(at);
    }
}
