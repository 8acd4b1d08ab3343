using System.Runtime.Versioning;
using Vmap.Native;

namespace Vmap.Tests.Native;

[Collection(NativeCollection.Name)]
[SupportedOSPlatform("linux")]
public class MemfdPagePoolTests
{
    private const int PageSize = 4096;

    [LinuxFact]
    public void Page_bytes_are_the_memfd_bytes_at_index_times_page_size()
    {
        using var pool = new MemfdPagePool(PageSize, maxPages: 16);
        var pages = new[] { pool.Allocate(), pool.Allocate(), pool.Allocate() };
        Assert.Equal(new long[] { 0, 1, 2 }, pages.Select(p => p.Index));
        foreach (var page in pages)
        {
            pool.GetSpan(page).Fill((byte)(0xA0 + page.Index));
        }

        // Read the file itself, through its descriptor, not through the pool's own mapping.
        using var file = File.OpenRead($"/proc/self/fd/{pool.Fd}");
        Assert.Equal(3L * PageSize, file.Length);
        var bytes = new byte[3 * PageSize];
        file.ReadExactly(bytes);
        for (int i = 0; i < 3; i++)
        {
            Assert.All(bytes.AsSpan(i * PageSize, PageSize).ToArray(), b => Assert.Equal(0xA0 + i, b));
        }
    }

    [LinuxFact]
    public void The_memfd_grows_one_page_per_new_page_number_and_not_on_reuse()
    {
        using var pool = new MemfdPagePool(PageSize, maxPages: 16);
        var first = pool.Allocate();
        pool.Allocate();
        Assert.Equal(2L * PageSize, FileLength(pool));
        pool.Free(first);
        Assert.Equal(first.Index, pool.Allocate().Index);
        Assert.Equal(2L * PageSize, FileLength(pool));
        Assert.Equal(2L, pool.Capacity);
    }

    [LinuxFact]
    public void Free_punches_a_hole_so_the_page_returns_to_the_kernel_and_comes_back_zeroed()
    {
        using var pool = new MemfdPagePool(PageSize, maxPages: 16);
        pool.Allocate();
        var page = pool.Allocate();
        pool.Allocate();
        pool.GetSpan(page).Fill(0x5A);
        Assert.Equal(2L * PageSize, Libc.lseek(pool.Fd, PageSize, Libc.SEEK_HOLE));

        pool.Free(page);

        Assert.Equal((long)PageSize, Libc.lseek(pool.Fd, PageSize, Libc.SEEK_HOLE));
        var again = pool.Allocate();
        Assert.Equal(page.Index, again.Index);
        Assert.True(pool.GetSpan(again).IndexOfAnyExcept((byte)0) < 0, "a reused page must not keep the bytes of its previous life");
    }

    [LinuxFact]
    public void A_refused_punch_zeroes_the_page_instead_and_the_next_free_punches_it()
    {
        using var pool = new MemfdPagePool(PageSize, maxPages: 16);
        pool.Allocate();
        var page = pool.Allocate();
        pool.Allocate();
        pool.GetSpan(page).Fill(0x5A);
        var kernel = pool.PunchHole;
        var punches = new List<(int Fd, long Offset, long Length)>();
        pool.PunchHole = (fd, offset, length) =>
        {
            punches.Add((fd, offset, length));
            return -1;
        };

        pool.Free(page);

        // The page keeps its memory (no hole: SEEK_HOLE still finds the first one at page 2, never
        // touched), and the memory reads as zeros through the file itself, before any reuse.
        Assert.Equal([(pool.Fd, (long)PageSize, (long)PageSize)], punches);
        Assert.Equal(2L * PageSize, Libc.lseek(pool.Fd, PageSize, Libc.SEEK_HOLE));
        Assert.True(FileBytes(pool, page.Index).AsSpan().IndexOfAnyExcept((byte)0) < 0, "a page the kernel would not punch must be zeroed");
        Assert.Equal((2, 3L, 3L * PageSize), (pool.AllocatedCount, pool.Capacity, FileLength(pool)));

        var again = pool.Allocate();
        Assert.Equal(page.Index, again.Index);
        Assert.True(pool.GetSpan(again).IndexOfAnyExcept((byte)0) < 0, "a reused page must not keep the bytes of its previous life");

        // Nothing stays behind for good: the next free, with the kernel willing, punches the page.
        pool.GetSpan(again).Fill(0x77);
        pool.PunchHole = kernel;
        pool.Free(again);
        Assert.Equal((long)PageSize, Libc.lseek(pool.Fd, PageSize, Libc.SEEK_HOLE));
        Assert.Single(punches);
    }

    [LinuxFact]
    public void A_Vfree_whose_punches_are_refused_completes_and_the_next_Vmalloc_reads_zeros()
    {
        using var space = NativeSpace.Create();
        var pool = (MemfdPagePool)space.Pool;
        nint v = space.Vmalloc(3 * PageSize);
        space.GetSpan(v, 3 * PageSize).Fill(0xC3);
        int refused = 0;
        pool.PunchHole = (_, _, _) =>
        {
            refused++;
            return -1;
        };

        space.Vfree(v);

        Assert.Equal(3, refused);
        Assert.Equal((0, 0, 3L), (space.Stats.LiveMappings, pool.AllocatedCount, pool.Capacity));
        nint w = space.Vmalloc(3 * PageSize);
        Assert.Equal(3L, pool.Capacity);
        Assert.True(space.GetSpan(w, 3 * PageSize).IndexOfAnyExcept((byte)0) < 0, "a Vmalloc must not show the bytes of a freed allocation");
        space.Vfree(w);
        Assert.Equal(6, refused);
    }

    [LinuxFact]
    public void A_full_pool_refuses_the_next_page_and_stays_as_it_was()
    {
        using var pool = new MemfdPagePool(PageSize, maxPages: 2);
        pool.Allocate();
        pool.Allocate();

        var e = Assert.Throws<InsufficientMemoryException>(() => pool.Allocate());

        Assert.Equal("The page pool is full: it holds at most 2 pages of 4096 bytes.", e.Message);
        Assert.Equal((2, 2L, 2L * PageSize), (pool.AllocatedCount, pool.Capacity, FileLength(pool)));
    }

    [LinuxFact]
    public void A_page_smaller_than_the_system_page_is_refused_before_any_memfd_exists()
    {
        var e = Assert.Throws<ArgumentException>(() => new MemfdPagePool(Environment.SystemPageSize / 2, maxPages: 1));
        Assert.Equal(
            $"A native page of {Environment.SystemPageSize / 2} bytes is not a multiple of the system page size ({Environment.SystemPageSize} bytes); mmap offsets and addresses must be page-aligned. (Parameter 'pageSize')",
            e.Message);
    }

    [LinuxFact]
    public void Dispose_closes_the_memfd_and_drops_the_linear_map()
    {
        var pool = new MemfdPagePool(PageSize, maxPages: 8);
        pool.GetSpan(pool.Allocate()).Fill(1);
        string name = pool.MemfdName;
        Assert.True(ProcMaps.HasMemfd(name));
        Assert.Equal(
            [new Vma(pool.LinearMap, pool.LinearMap + (8 * PageSize), "rw-s", 0, $"/memfd:{name} (deleted)")],
            ProcMaps.Read().Where(v => v.Path.StartsWith($"/memfd:{name} ", StringComparison.Ordinal)));

        pool.Dispose();

        Assert.False(ProcMaps.HasMemfd(name));
        Assert.DoesNotContain(ProcMaps.Read(), v => v.Path.StartsWith($"/memfd:{name} ", StringComparison.Ordinal));
    }

    private static byte[] FileBytes(MemfdPagePool pool, long index)
    {
        using var file = File.OpenHandle($"/proc/self/fd/{pool.Fd}");
        var bytes = new byte[PageSize];
        Assert.Equal(PageSize, RandomAccess.Read(file, bytes, index * PageSize));
        return bytes;
    }

    private static long FileLength(MemfdPagePool pool)
    {
        using var file = File.OpenHandle($"/proc/self/fd/{pool.Fd}");
        return RandomAccess.GetLength(file);
    }
}
