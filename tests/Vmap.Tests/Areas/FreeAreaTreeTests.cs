using Vmap.Areas;

namespace Vmap.Tests.Areas;

public class FreeAreaTreeTests
{
    [Fact]
    public void Carving_splits_and_releasing_merges_with_both_neighbours()
    {
        var free = new FreeAreaTree(0, 100);
        Assert.True(free.TryCarve(10, 1, out long a));
        Assert.True(free.TryCarve(10, 16, out long b));
        Assert.True(free.TryCarve(5, 1, out long c));
        Assert.Equal((0L, 16L, 10L), (a, b, c));
        Assert.Equal([(15L, 16L), (26L, 100L)], free.Ranges());
        free.Release(0, 10);
        free.Release(16, 26);
        Assert.Equal([(0L, 10L), (15L, 100L)], free.Ranges());
        free.Release(10, 15);
        Assert.Equal([(0L, 100L)], free.Ranges());
        free.Validate();
    }

    [Fact]
    public void Releasing_free_space_again_is_a_bug_that_is_caught()
    {
        var free = new FreeAreaTree(0, 100);
        free.TryCarve(10, 1, out _);
        var ex = Assert.Throws<InvalidOperationException>(() => free.Release(5, 15));
        Assert.Equal("vmalloc bug: freeing [5, 15) overlaps free [10, 100).", ex.Message);
    }

    [Fact]
    public void Exhausted_tree_reports_no_fit()
    {
        var free = new FreeAreaTree(0, 8);
        Assert.True(free.TryCarve(8, 8, out _));
        Assert.False(free.TryCarve(1, 1, out _));
        Assert.Equal((0L, 0L, 0), (free.Pages, free.LargestRun, free.Count));
    }
}
