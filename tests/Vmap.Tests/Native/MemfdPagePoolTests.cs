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

    private static long FileLength(MemfdPagePool pool)
    {
        using var file = File.OpenHandle($"/proc/self/fd/{pool.Fd}");
        return RandomAccess.GetLength(file);
    }
}
