namespace Vmap.Tests.Stress;

/// <summary>
/// The live mappings the stress threads hold, shared between them: a mapping joins after its map
/// returns and leaves before its unmap starts, so the set never holds one that is not live, and a
/// new mapping that overlaps any of them is a map that handed out a range twice.
/// </summary>
internal sealed class LiveRanges(VmapSpace space)
{
    private const int PageSize = 4096;
    private readonly SortedDictionary<long, long> _ranges = new();

    public int Count
    {
        get
        {
            lock (_ranges)
            {
                return _ranges.Count;
            }
        }
    }

    /// <summary>The mapping at <paramref name="address"/> joins; it must lie in the space and overlap no live one.</summary>
    public void Join(nint address, int pages, string family)
    {
        long s = address, e = address + ((long)pages * PageSize);
        lock (_ranges)
        {
            Assert.True(s >= space.Start && e <= space.End, $"0x{s:x}+{pages} pages leaves the space");
            foreach (var (ls, le) in _ranges)
            {
                if (ls >= e)
                {
                    break;
                }

                Assert.True(le <= s, $"{family} 0x{s:x}+{pages} pages overlaps the live mapping [0x{ls:x}, 0x{le:x})");
            }

            _ranges.Add(s, e);
        }
    }

    /// <summary>The mapping at <paramref name="address"/> leaves: once unmapped, its range may be handed to another thread.</summary>
    public void Leave(nint address)
    {
        lock (_ranges)
        {
            Assert.True(_ranges.Remove(address));
        }
    }
}
