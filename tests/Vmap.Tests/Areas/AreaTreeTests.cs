using Vmap.Areas;

namespace Vmap.Tests.Areas;

public class AreaTreeTests
{
    [Fact]
    public void Lowest_fit_honours_alignment_and_prefers_low_addresses()
    {
        var tree = new AreaTree<int>();
        tree.Insert(3, 10, 0);     // 7 pages, no aligned 8
        tree.Insert(20, 40, 0);    // 20 pages: aligned 8 at 24
        tree.Insert(64, 72, 0);    // exactly one aligned 8
        Assert.Equal(3, tree.FindLowestFit(5, 1, out long at)!.Start);
        Assert.Equal(3, at);
        Assert.Equal(20, tree.FindLowestFit(8, 8, out at)!.Start);
        Assert.Equal(24, at);
        Assert.Equal(20, tree.FindLowestFit(8, 32, out at)!.Start);
        Assert.Equal(32, at);
        Assert.Null(tree.FindLowestFit(9, 16, out _));
    }

    [Fact]
    public void An_exactly_aligned_range_smaller_than_size_plus_align_is_still_found()
    {
        // The kernel's adjusted search length (size + align - 1) would skip this range.
        var tree = new AreaTree<int>();
        tree.Insert(256, 512, 0);
        Assert.Equal(256, tree.FindLowestFit(256, 256, out long at)!.Start);
        Assert.Equal(256, at);
    }

    [Fact]
    public void Random_inserts_and_removes_keep_the_tree_balanced_and_augmented()
    {
        var rng = new Random(7);
        var tree = new AreaTree<int>();
        var starts = new SortedSet<long>();
        for (int i = 0; i < 5000; i++)
        {
            long s = rng.Next(0, 100000) * 4L;
            if (starts.Contains(s))
            {
                tree.Remove(s);
                starts.Remove(s);
            }
            else
            {
                tree.Insert(s, s + 1 + rng.Next(3), 0);
                starts.Add(s);
            }
        }

        tree.Validate();
        Assert.Equal(starts, tree.InOrder().Select(n => n.Start));
        Assert.Equal(starts.Count, tree.Count);
        Assert.Equal(tree.InOrder().Max(n => n.Size), tree.LargestSize);
        Assert.Equal(starts.Where(x => x <= 1001).DefaultIfEmpty(-1).Max(), tree.Floor(1001)?.Start ?? -1);
        Assert.Equal(starts.Where(x => x >= 1001).DefaultIfEmpty(-1).Min(), tree.Ceiling(1001)?.Start ?? -1);
    }
}
