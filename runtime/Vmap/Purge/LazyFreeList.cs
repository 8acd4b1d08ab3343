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

    /// <summary>
    /// Hands every pending range to <paramref name="release"/>, touching ranges coalesced first, and
    /// empties the list. Areas freed one after another usually sit side by side, so a purge makes
    /// one pass over the free-area tree per run rather than per area (the kernel merges its purge
    /// list into a tree for the same reason).
    /// </summary>
    public void Drain(Action<long, long> release)
    {
        _pending.Sort((a, b) => a.Start.CompareTo(b.Start));
        int i = 0;
        while (i < _pending.Count)
        {
            var (start, end) = _pending[i++];
            while (i < _pending.Count && _pending[i].Start == end)
            {
                end = _pending[i++].End;
            }

            release(start, end);
        }

        _pending.Clear();
        Pages = 0;
    }
}
