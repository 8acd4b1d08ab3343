namespace Vmap.Areas;

/// <summary>One range [Start, End) in an <see cref="AreaTree{T}"/>, in page numbers.</summary>
internal sealed class AreaNode<T>
{
    internal AreaNode(long start, long end, T value)
    {
        Start = start;
        End = end;
        Value = value;
        Height = 1;
        SubtreeMaxSize = end - start;
    }

    public long Start { get; internal set; }

    public long End { get; internal set; }

    public T Value { get; }

    public long Size => End - Start;

    internal AreaNode<T>? Left { get; set; }

    internal AreaNode<T>? Right { get; set; }

    internal int Height { get; set; }

    /// <summary>The largest <see cref="Size"/> in this subtree: what lets a fit search skip a whole subtree.</summary>
    internal long SubtreeMaxSize { get; set; }

    /// <summary>
    /// The largest run in this subtree that starts on a multiple of the tree's fit alignment
    /// (<c>End - AlignUp(Start, align)</c>, 0 when none): what lets an aligned fit search skip a subtree exactly.
    /// </summary>
    internal long SubtreeMaxAlignedSize { get; set; }
}

/// <summary>
/// Disjoint ranges sorted by start, in an AVL tree augmented with the largest range size per
/// subtree (the shape of the kernel's free_vmap_area_root since Rezki's 2019 rewrite). Used for
/// free space, busy areas and unmapped-mapping records. Not thread-safe: the space's lock guards it.
/// </summary>
internal sealed class AreaTree<T>
{
    private readonly long _fitAlign;
    private AreaNode<T>? _root;

    /// <param name="fitAlign">
    /// The alignment (a power of two, in pages) whose lowest fit <see cref="FindLowestFit"/> finds
    /// in one descent, as it does for page alignment: the free-area tree's block size, so the search
    /// for a new vmap block never walks the free ranges that are long enough but misaligned.
    /// </param>
    public AreaTree(long fitAlign = 1) => _fitAlign = fitAlign;

    public int Count { get; private set; }

    /// <summary>Nodes the fit searches have looked at, for the tests that hold them to O(log n).</summary>
    internal long SearchSteps { get; private set; }

    /// <summary>Sum of all range sizes.</summary>
    public long TotalSize { get; private set; }

    /// <summary>The largest range in the tree, 0 when empty.</summary>
    public long LargestSize => _root?.SubtreeMaxSize ?? 0;

    public AreaNode<T> Insert(long start, long end, T value) => Insert(new AreaNode<T>(start, end, value));

    /// <summary>Inserts a node made beforehand, so a caller can allocate before it changes anything.</summary>
    public AreaNode<T> Insert(AreaNode<T> node)
    {
        long start = node.Start, end = node.End;
        Update(node);
        _root = Insert(_root, node);
        Count++;
        TotalSize += end - start;
        return node;
    }

    public AreaNode<T> Remove(long start)
    {
        _root = Remove(_root, start, out var removed);
        if (removed is null)
        {
            throw new InvalidOperationException($"No range starts at page {start}.");
        }

        Count--;
        TotalSize -= removed.Size;
        return removed;
    }

    /// <summary>
    /// Moves the bounds of the range starting at <paramref name="start"/>. The caller guarantees the
    /// new bounds keep the order and disjointness, so only the augmentation along the path changes.
    /// </summary>
    public void Resize(long start, long newStart, long newEnd)
    {
        Resize(_root, start, newStart, newEnd, out var delta);
        TotalSize += delta;
    }

    /// <summary>The range with the greatest start &lt;= <paramref name="key"/>.</summary>
    public AreaNode<T>? Floor(long key)
    {
        AreaNode<T>? best = null;
        var n = _root;
        while (n is not null)
        {
            if (n.Start <= key)
            {
                best = n;
                n = n.Right;
            }
            else
            {
                n = n.Left;
            }
        }

        return best;
    }

    /// <summary>The range with the smallest start &gt;= <paramref name="key"/>.</summary>
    public AreaNode<T>? Ceiling(long key)
    {
        AreaNode<T>? best = null;
        var n = _root;
        while (n is not null)
        {
            if (n.Start >= key)
            {
                best = n;
                n = n.Left;
            }
            else
            {
                n = n.Right;
            }
        }

        return best;
    }

    /// <summary>The range containing page <paramref name="key"/>, if any.</summary>
    public AreaNode<T>? Containing(long key)
    {
        var n = Floor(key);
        return n is not null && key < n.End ? n : null;
    }

    /// <summary>
    /// The lowest-address range that holds <paramref name="size"/> pages starting on a multiple of
    /// <paramref name="align"/> (a power of two), and that start.
    /// </summary>
    /// <remarks>
    /// For page alignment and for the tree's fit alignment, one O(log n) descent
    /// (find_vmap_lowest_match) on the subtree maximum that answers the question exactly: the
    /// largest range, or the largest run that starts aligned. For any other alignment, first the
    /// kernel's descent: a subtree is entered only when its largest range is at least size + align
    /// - 1, which guarantees a fit whatever the range's offset. A range between size and size +
    /// align - 1 pages may still fit when it happens to be aligned: only when that descent finds
    /// nothing does an exact search, pruned by size, look at those ranges (the kernel skips them
    /// altogether; we would rather fail only when nothing fits). No caller of the space asks for
    /// such an alignment but the internal aligned Vmalloc of the lib/test_vmalloc.c scenarios.
    /// </remarks>
    public AreaNode<T>? FindLowestFit(long size, long align, out long alignedStart)
    {
        if (align == 1 || align == _fitAlign)
        {
            var found = Descend(size, aligned: align != 1);
            alignedStart = found is null ? 0 : AlignUp(found.Start, align);
            return found;
        }

        long length = size + align - 1;
        var n = _root;
        while (n is not null && n.SubtreeMaxSize >= length)
        {
            SearchSteps++;
            if (n.Left is not null && n.Left.SubtreeMaxSize >= length)
            {
                n = n.Left;
                continue;
            }

            if (Fits(n, size, align, out alignedStart))
            {
                return n;
            }

            n = n.Right;
        }

        return FindExact(_root, size, align, out alignedStart);
    }

    /// <summary>The lowest range whose size (or aligned size) is at least <paramref name="size"/>: left when the left subtree has one, else this node, else right.</summary>
    private AreaNode<T>? Descend(long size, bool aligned)
    {
        var n = _root;
        while (n is not null && Max(n, aligned) >= size)
        {
            SearchSteps++;
            if (n.Left is not null && Max(n.Left, aligned) >= size)
            {
                n = n.Left;
            }
            else if ((aligned ? AlignedSize(n) : n.Size) >= size)
            {
                return n;
            }
            else
            {
                n = n.Right;
            }
        }

        return null;
    }

    private static long Max(AreaNode<T> n, bool aligned) => aligned ? n.SubtreeMaxAlignedSize : n.SubtreeMaxSize;

    /// <summary>Pages of <paramref name="n"/> from its first page on a multiple of the fit alignment.</summary>
    private long AlignedSize(AreaNode<T> n) => Math.Max(0, n.End - AlignUp(n.Start, _fitAlign));

    /// <summary>All ranges in address order.</summary>
    public IEnumerable<AreaNode<T>> InOrder()
    {
        var stack = new Stack<AreaNode<T>>();
        var n = _root;
        while (n is not null || stack.Count > 0)
        {
            while (n is not null)
            {
                stack.Push(n);
                n = n.Left;
            }

            n = stack.Pop();
            yield return n;
            n = n.Right;
        }
    }

    /// <summary>Checks the AVL shape, the order, disjointness and the augmentation; for tests.</summary>
    internal void Validate()
    {
        long count = 0, total = 0;
        Validate(_root, long.MinValue, long.MaxValue, ref count, ref total);
        foreach (var n in InOrder())
        {
            long aligned = Math.Max(AlignedSize(n), Math.Max(n.Left?.SubtreeMaxAlignedSize ?? 0, n.Right?.SubtreeMaxAlignedSize ?? 0));
            if (n.SubtreeMaxAlignedSize != aligned)
            {
                throw new InvalidOperationException($"AreaTree node at {n.Start}: subtree max aligned size is stale.");
            }
        }
        if (count != Count || total != TotalSize)
        {
            throw new InvalidOperationException($"AreaTree bookkeeping: {count}/{Count} nodes, {total}/{TotalSize} pages.");
        }
    }

    private static void Validate(AreaNode<T>? n, long low, long high, ref long count, ref long total)
    {
        if (n is null)
        {
            return;
        }

        if (n.Start < low || n.End > high || n.Start >= n.End)
        {
            throw new InvalidOperationException($"AreaTree range [{n.Start}, {n.End}) breaks order or is empty.");
        }

        Validate(n.Left, low, n.Start, ref count, ref total);
        Validate(n.Right, n.End, high, ref count, ref total);
        int lh = n.Left?.Height ?? 0, rh = n.Right?.Height ?? 0;
        long max = Math.Max(n.Size, Math.Max(n.Left?.SubtreeMaxSize ?? 0, n.Right?.SubtreeMaxSize ?? 0));
        if (n.Height != 1 + Math.Max(lh, rh) || Math.Abs(lh - rh) > 1 || n.SubtreeMaxSize != max)
        {
            throw new InvalidOperationException($"AreaTree node at {n.Start}: height or subtree max is stale.");
        }

        count++;
        total += n.Size;
    }

    private static bool Fits(AreaNode<T> n, long size, long align, out long alignedStart)
    {
        alignedStart = AlignUp(n.Start, align);
        return alignedStart + size <= n.End;
    }

    internal static long AlignUp(long value, long align) => (value + align - 1) & ~(align - 1);

    private AreaNode<T>? FindExact(AreaNode<T>? n, long size, long align, out long alignedStart)
    {
        alignedStart = 0;
        SearchSteps++;
        if (n is null || n.SubtreeMaxSize < size)
        {
            return null;
        }

        var found = FindExact(n.Left, size, align, out alignedStart);
        if (found is not null)
        {
            return found;
        }

        if (Fits(n, size, align, out alignedStart))
        {
            return n;
        }

        return FindExact(n.Right, size, align, out alignedStart);
    }

    private void Resize(AreaNode<T>? n, long start, long newStart, long newEnd, out long delta)
    {
        if (n is null)
        {
            throw new InvalidOperationException($"No range starts at page {start}.");
        }

        if (start < n.Start)
        {
            Resize(n.Left, start, newStart, newEnd, out delta);
        }
        else if (start > n.Start)
        {
            Resize(n.Right, start, newStart, newEnd, out delta);
        }
        else
        {
            delta = (newEnd - newStart) - n.Size;
            n.Start = newStart;
            n.End = newEnd;
        }

        Update(n);
    }

    private static int Height(AreaNode<T>? n) => n?.Height ?? 0;

    private void Update(AreaNode<T> n)
    {
        n.Height = 1 + Math.Max(Height(n.Left), Height(n.Right));
        long max = n.Size;
        if (n.Left is not null && n.Left.SubtreeMaxSize > max)
        {
            max = n.Left.SubtreeMaxSize;
        }

        if (n.Right is not null && n.Right.SubtreeMaxSize > max)
        {
            max = n.Right.SubtreeMaxSize;
        }

        n.SubtreeMaxSize = max;
        long aligned = _fitAlign == 1 ? n.Size : AlignedSize(n);
        if (n.Left is not null && n.Left.SubtreeMaxAlignedSize > aligned)
        {
            aligned = n.Left.SubtreeMaxAlignedSize;
        }

        if (n.Right is not null && n.Right.SubtreeMaxAlignedSize > aligned)
        {
            aligned = n.Right.SubtreeMaxAlignedSize;
        }

        n.SubtreeMaxAlignedSize = aligned;
    }

    private AreaNode<T> RotateRight(AreaNode<T> n)
    {
        var l = n.Left!;
        n.Left = l.Right;
        l.Right = n;
        Update(n);
        Update(l);
        return l;
    }

    private AreaNode<T> RotateLeft(AreaNode<T> n)
    {
        var r = n.Right!;
        n.Right = r.Left;
        r.Left = n;
        Update(n);
        Update(r);
        return r;
    }

    private AreaNode<T> Balance(AreaNode<T> n)
    {
        Update(n);
        int bf = Height(n.Left) - Height(n.Right);
        if (bf > 1)
        {
            if (Height(n.Left!.Left) < Height(n.Left.Right))
            {
                n.Left = RotateLeft(n.Left);
            }

            return RotateRight(n);
        }

        if (bf < -1)
        {
            if (Height(n.Right!.Right) < Height(n.Right.Left))
            {
                n.Right = RotateRight(n.Right);
            }

            return RotateLeft(n);
        }

        return n;
    }

    private AreaNode<T> Insert(AreaNode<T>? n, AreaNode<T> node)
    {
        if (n is null)
        {
            return node;
        }

        if (node.Start < n.Start)
        {
            n.Left = Insert(n.Left, node);
        }
        else
        {
            n.Right = Insert(n.Right, node);
        }

        return Balance(n);
    }

    private AreaNode<T>? Remove(AreaNode<T>? n, long start, out AreaNode<T>? removed)
    {
        if (n is null)
        {
            removed = null;
            return null;
        }

        if (start < n.Start)
        {
            n.Left = Remove(n.Left, start, out removed);
        }
        else if (start > n.Start)
        {
            n.Right = Remove(n.Right, start, out removed);
        }
        else
        {
            removed = n;
            if (n.Left is null)
            {
                return n.Right;
            }

            if (n.Right is null)
            {
                return n.Left;
            }

            n.Right = RemoveMin(n.Right, out var successor);
            successor.Left = n.Left;
            successor.Right = n.Right;
            n.Left = n.Right = null;
            return Balance(successor);
        }

        return Balance(n);
    }

    private AreaNode<T>? RemoveMin(AreaNode<T> n, out AreaNode<T> min)
    {
        if (n.Left is null)
        {
            min = n;
            var right = n.Right;
            n.Right = null;
            return right;
        }

        n.Left = RemoveMin(n.Left, out min);
        return Balance(n);
    }
}
