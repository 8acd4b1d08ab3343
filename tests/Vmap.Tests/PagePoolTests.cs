namespace Vmap.Tests;

public class PagePoolTests
{
    [Fact]
    public void The_lowest_free_page_number_is_reused_first()
    {
        using var space = TestSpaces.Create();
        var pool = space.Pool;
        var pages = Enumerable.Range(0, 200).Select(_ => pool.Allocate()).ToList();
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), pages.Select(p => p.Index));
        pool.Free(pages[150]);
        pool.Free(pages[7]);
        pool.Free(pages[90]);
        Assert.Equal((197, 200L), (pool.AllocatedCount, pool.Capacity));
        Assert.False(pool.Contains(pages[7]));
        var again = Enumerable.Range(0, 4).Select(_ => pool.Allocate()).ToList();
        Assert.Equal([7L, 90L, 150L, 200L], again.Select(p => p.Index));

        // The number is reused, the handle is not: the old one is stale.
        Assert.True(pool.Contains(again[0]));
        Assert.False(pool.Contains(pages[7]));
        Assert.Equal(("page#7@pool" + pages[7].PoolId, "page#7@pool" + pages[7].PoolId + " gen 1"), (pages[7].ToString(), again[0].ToString()));
    }

    [Fact]
    public void Freeing_a_page_twice_is_refused()
    {
        using var space = TestSpaces.Create();
        var page = space.Pool.Allocate();
        space.Pool.Free(page);
        var ex = Assert.Throws<ArgumentException>(() => space.Pool.Free(page));
        Assert.StartsWith($"{page} was freed (or never allocated) and cannot be used.", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, space.Pool.AllocatedCount);
    }
}
