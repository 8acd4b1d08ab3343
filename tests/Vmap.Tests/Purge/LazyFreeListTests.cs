using Vmap.Purge;

namespace Vmap.Tests.Purge;

public class LazyFreeListTests
{
    [Fact]
    public void Drain_releases_touching_ranges_as_one_run_in_address_order()
    {
        var list = new LazyFreeList();
        list.Add(20, 25);
        list.Add(10, 15);
        list.Add(15, 20);
        list.Add(30, 31);
        Assert.Equal((16L, 4), (list.Pages, list.Count));
        var released = new List<(long, long)>();
        list.Drain((s, e) => released.Add((s, e)));
        Assert.Equal([(10L, 25L), (30L, 31L)], released);
        Assert.Equal((0L, 0), (list.Pages, list.Count));
    }
}
