namespace Vmap.Areas;

/// <summary>
/// Free space of a vmap space in page numbers: lowest-address fit with alignment, and freeing
/// that merges with both neighbours so free space never fragments into touching pieces.
/// </summary>
internal sealed class FreeAreaTree
{
    private readonly AreaTree<byte> _tree;

    // 0, or the chunk size of a vmap node's pool: no free range crosses a multiple of it, so a fit
    // found in the pool lies inside one chunk (see the empty-tree constructor).
    private readonly long _edge;

    /// <param name="start">First free page.</param>
    /// <param name="end">Page after the last free one.</param>
    /// <param name="blockPages">The vmap block size: a search for a block-aligned range of any size is one descent.</param>
    public FreeAreaTree(long start, long end, long blockPages = 1)
    {
        _tree = new AreaTree<byte>(blockPages);
        _tree.Insert(start, end, 0);
    }

    /// <summary>
    /// An empty tree (a vmap node's pool, filled chunk by chunk) whose ranges never cross a multiple
    /// of <paramref name="chunkPages"/>: two adjacent chunks of one node stay two ranges, so a fit is
    /// always inside one chunk, as the node's area lookups, records and chunk returns, which all work
    /// per chunk, need (merged, an area could straddle two chunks and one of them go back to the
    /// space, or to another node, under it).
    /// </summary>
    public FreeAreaTree(long chunkPages)
    {
        _tree = new AreaTree<byte>(chunkPages);
        _edge = chunkPages;
    }

    /// <summary>Pages in the tree.</summary>
    public long Pages => _tree.TotalSize;

    /// <summary>The largest free run.</summary>
    public long LargestRun => _tree.LargestSize;

    public int Count => _tree.Count;

    /// <summary>Called where a carve allocates; tests make it throw.</summary>
    internal Action<string>? FaultHook { get; set; }

    /// <summary>Nodes the fit searches have looked at so far.</summary>
    internal long SearchSteps => _tree.SearchSteps;

    /// <summary>Takes the lowest <paramref name="size"/> pages that start on a multiple of <paramref name="align"/>.</summary>
    public bool TryCarve(long size, long align, out long start)
    {
        var node = Find(size, align, out start);
        if (node is null)
        {
            return false;
        }

        Carve(node, start, size);
        return true;
    }

    /// <summary>The range <see cref="TryCarve"/> would carve from, and where; changes nothing.</summary>
    public AreaNode<byte>? Find(long size, long align, out long start) => _tree.FindLowestFit(size, align, out start);

    /// <summary>Carves [start, start + size) out of <paramref name="node"/>, which <see cref="Find"/> returned with nothing changed since.</summary>
    public void Carve(AreaNode<byte> node, long start, long size)
    {
        long s = node.Start, e = node.End, end = start + size;

        // The one allocation a carve may need, made before anything changes: a node for the tail
        // of a range split in three. Out of memory here leaves the tree as it was.
        FaultHook?.Invoke(FaultSteps.FreeNode);
        var tail = start != s && end < e ? new AreaNode<byte>(end, e, 0) : null;
        if (start == s && end == e)
        {
            _tree.Remove(s);
        }
        else if (start == s)
        {
            _tree.Resize(s, end, e);
        }
        else
        {
            _tree.Resize(s, s, start);
            if (tail is not null)
            {
                _tree.Insert(tail);
            }
        }
    }

    /// <summary>Takes [start, end), which is free, back out of free space (a quarantined range a failed map had drained).</summary>
    public void Take(long start, long end)
    {
        var node = _tree.Containing(start);
        if (node is null || node.End < end)
        {
            throw new InvalidOperationException($"vmalloc bug: taking [{start}, {end}) that is not free.");
        }

        Carve(node, start, end - start);
    }

    /// <summary>Returns [start, end) to free space, merged with free neighbours (in a node's pool, those in the same chunk).</summary>
    public void Release(long start, long end)
    {
        if (_edge == 0)
        {
            ReleaseRun(start, end);
            return;
        }

        // A node's purge drains runs of lazily freed areas that may cross from one chunk into the
        // next: each chunk's piece goes in on its own.
        while (start < end)
        {
            long pieceEnd = Math.Min(end, start - (start % _edge) + _edge);
            ReleaseRun(start, pieceEnd);
            start = pieceEnd;
        }
    }

    /// <summary>Releases [start, end), which crosses no chunk edge.</summary>
    private void ReleaseRun(long start, long end)
    {
        var prev = _tree.Floor(start - 1);
        if (prev is not null && prev.End > start)
        {
            throw new InvalidOperationException($"vmalloc bug: freeing [{start}, {end}) overlaps free [{prev.Start}, {prev.End}).");
        }

        var next = _tree.Ceiling(start);
        if (next is not null && next.Start < end)
        {
            throw new InvalidOperationException($"vmalloc bug: freeing [{start}, {end}) overlaps free [{next.Start}, {next.End}).");
        }

        bool mergePrev = prev is not null && prev.End == start && !OnEdge(start);
        bool mergeNext = next is not null && next.Start == end && !OnEdge(end);
        if (mergePrev && mergeNext)
        {
            long nextEnd = next!.End;
            _tree.Remove(next.Start);
            _tree.Resize(prev!.Start, prev.Start, nextEnd);
        }
        else if (mergePrev)
        {
            _tree.Resize(prev!.Start, prev.Start, end);
        }
        else if (mergeNext)
        {
            _tree.Resize(next!.Start, start, next.End);
        }
        else
        {
            _tree.Insert(start, end, 0);
        }
    }

    /// <summary>Free pages from <paramref name="page"/> on, up to the end of the range that holds it (0 when it is not free).</summary>
    public long RunFrom(long page) => _tree.Containing(page) is { } node ? node.End - page : 0;

    /// <summary>Free pages just below <paramref name="page"/>, down to the start of their range (0 when page - 1 is not free).</summary>
    public long RunUpTo(long page) => _tree.Containing(page - 1) is { } node ? page - node.Start : 0;

    /// <summary>True when all of [start, end) is free.</summary>
    public bool Covers(long start, long end) => _tree.Containing(start) is { } node && node.End >= end;

    /// <summary>True when page <paramref name="page"/> is free.</summary>
    public bool Contains(long page) => _tree.Containing(page) is not null;

    private bool OnEdge(long page) => _edge != 0 && page % _edge == 0;

    public IEnumerable<(long Start, long End)> Ranges() => _tree.InOrder().Select(n => (n.Start, n.End));

    internal void Validate()
    {
        _tree.Validate();
        long lastEnd = long.MinValue;
        foreach (var n in _tree.InOrder())
        {
            if (n.Start == lastEnd && !OnEdge(n.Start))
            {
                throw new InvalidOperationException($"Free ranges touch at page {n.Start} without being merged.");
            }

            if (_edge != 0 && (n.End - 1) / _edge != n.Start / _edge)
            {
                throw new InvalidOperationException($"Free range [{n.Start}, {n.End}) crosses a chunk edge.");
            }

            lastEnd = n.End;
        }
    }
}
