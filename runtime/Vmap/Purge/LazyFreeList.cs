namespace Vmap.Purge;

/// <summary>
/// Freed areas waiting to return to free space (vmap_purge_list). The kernel batches them
/// because each return needs a TLB flush on every CPU; we keep the batching so the address space
/// fills and fails the way the kernel's does, and so a freed address is not handed out again at once.
/// </summary>
internal sealed class LazyFreeList
{
    private readonly List<(long Start, long End)> _pending = new();

    /// <summary>Pages waiting (vmap_lazy_nr).</summary>
    public long Pages { get; private set; }

    public int Count => _pending.Count;

    public IReadOnlyList<(long Start, long End)> Pending => _pending;

    public void Add(long start, long end)
    {
        _pending.Add((start, end));
        Pages += end - start;
    }

    /// <summary>Hands every pending range to <paramref name="release"/> and empties the list.</summary>
    public void Drain(Action<long, long> release)
    {
        foreach (var (start, end) in _pending)
        {
            release(start, end);
        }

        _pending.Clear();
        Pages = 0;
    }
}
