namespace Vmap;

/// <summary>
/// The physical pages a <see cref="VmapSpace"/> maps. Each space owns one pool
/// (<see cref="VmapSpace.Pool"/>); mapping calls reject pages from another pool or pages already
/// freed. Thread-safe.
/// </summary>
/// <remarks>
/// The base class keeps the bookkeeping (which page numbers are live, lowest free number first so
/// consecutive allocations get consecutive numbers); a subclass decides what memory, if any,
/// stands behind a page number.
/// </remarks>
public abstract class PagePool : IDisposable
{
    private static int s_lastId;

    private readonly object _lock = new();
    // A min-heap keeps "lowest free number first" and a bitmap answers "is it live?" without
    // allocating: both sit on every map call (each page is checked) and every Vmalloc/Vfree.
    private readonly PriorityQueue<long, long> _freed = new();
    private ulong[] _live = new ulong[16];
    // Per page number: its generation (bumped on every free) and how many live mappings show it.
    private int[] _generation = new int[1024];
    private int[] _mapCount = new int[1024];
    private int _liveCount;
    private long _highWater;
    private bool _disposed;
    private IDisposable? _owner;

    /// <summary>Creates a pool of pages of <paramref name="pageSize"/> bytes.</summary>
    protected PagePool(int pageSize)
    {
        if (pageSize <= 0 || (pageSize & (pageSize - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, "The page size must be a positive power of two.");
        }

        PageSize = pageSize;
        Id = Interlocked.Increment(ref s_lastId);
    }

    /// <summary>The size of one page in bytes.</summary>
    public int PageSize { get; }

    /// <summary>How many pages are allocated and not yet freed.</summary>
    public int AllocatedCount
    {
        get
        {
            lock (_lock)
            {
                return _liveCount;
            }
        }
    }

    /// <summary>How many page numbers the pool has ever handed out (the size of its backing in pages).</summary>
    public long Capacity
    {
        get
        {
            lock (_lock)
            {
                return _highWater;
            }
        }
    }

    internal int Id { get; }

    /// <summary>Allocates a page; the lowest free page number is reused first.</summary>
    public Page Allocate()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long index;
            if (_freed.Count > 0)
            {
                index = _freed.Dequeue();
            }
            else
            {
                index = _highWater;
                OnGrow(index + 1);
                _highWater = index + 1;
                if ((index >> 6) >= _live.Length)
                {
                    Array.Resize(ref _live, _live.Length * 2);
                }

                if (index >= _generation.Length)
                {
                    Array.Resize(ref _generation, _generation.Length * 2);
                    Array.Resize(ref _mapCount, _mapCount.Length * 2);
                }
            }

            SetLive(index, true);
            return new Page(Id, index, _generation[index]);
        }
    }

    /// <summary>
    /// Allocates <paramref name="count"/> pages, all or none: the backing grows once, before any
    /// page is taken, so a pool that cannot grow (or fails to) changes nothing.
    /// </summary>
    internal Page[] AllocateMany(int count, out long highWaterBefore)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            highWaterBefore = _highWater;
            long grow = count - Math.Min(count, _freed.Count);
            if (grow > 0)
            {
                OnGrow(_highWater + grow);
            }

            // The pages are the allocation's own: pinned, so Free refuses them until Vfree.
            var pages = new Page[count];
            for (int i = 0; i < count; i++)
            {
                pages[i] = Allocate();
                _mapCount[pages[i].Index] = 1;
            }

            return pages;
        }
    }

    /// <summary>
    /// Takes back pages an <see cref="AllocateMany"/> handed out when the call that wanted them
    /// failed: the pool is left as before it, high-water mark included when nobody allocated since.
    /// </summary>
    internal void Unallocate(Page[] pages, long highWaterBefore)
    {
        lock (_lock)
        {
            foreach (var index in pages.Select(p => p.Index).OrderDescending())
            {
                _mapCount[index] = 0;
                SetLive(index, false);
                if (index == _highWater - 1 && index >= highWaterBefore)
                {
                    _highWater--;
                }
                else
                {
                    _freed.Enqueue(index, index);
                }
            }
        }
    }

    /// <summary>Frees every page of a Vmalloc allocation (pinned by <see cref="AllocateMany"/>); all are checked first, so a refusal frees none.</summary>
    internal void FreeMany(Page[] pages)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var page in pages)
            {
                ThrowIfNotLive(page, nameof(pages));
            }

            foreach (var page in pages)
            {
                _mapCount[page.Index]--;
                Release(page.Index);
            }
        }
    }

    /// <summary>
    /// Checks every page of <paramref name="pages"/> and counts one more mapping of each, under one
    /// lock hold: no page can be freed between the check and the map. A refusal pins none.
    /// </summary>
    internal void Pin(Page[] pages, string paramName)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var page in pages)
            {
                ThrowIfNotLive(page, paramName);
            }

            foreach (var page in pages)
            {
                _mapCount[page.Index]++;
            }
        }
    }

    /// <summary>One mapping of each page of <paramref name="pages"/> is gone.</summary>
    internal void Unpin(Page[] pages)
    {
        lock (_lock)
        {
            foreach (var page in pages)
            {
                _mapCount[page.Index]--;
            }
        }
    }

    /// <summary>
    /// Returns a page to the pool. A foreign, null, stale or already freed page, and a page that is
    /// still mapped, are rejected and nothing changes. Every handle of the page is stale from now on.
    /// </summary>
    /// <exception cref="ArgumentException">The page is not a live page of this pool.</exception>
    /// <exception cref="InvalidOperationException">The page is still mapped (or belongs to a Vmalloc allocation).</exception>
    public void Free(Page page)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ThrowIfNotLive(page, nameof(page));
            if (_mapCount[page.Index] > 0)
            {
                throw new InvalidOperationException(
                    $"{page} is still mapped ({(_mapCount[page.Index] == 1 ? "1 live mapping" : $"{_mapCount[page.Index]} live mappings")}): unmap it before freeing it (a Vmalloc allocation's pages are freed by Vfree). The page stays allocated.");
            }

            Release(page.Index);
        }
    }

    /// <summary>The bytes of <paramref name="page"/> itself, independent of any mapping.</summary>
    /// <exception cref="ArgumentException">The page is not a live page of this pool.</exception>
    /// <exception cref="NotSupportedException">The pool has no memory behind its pages (the simulated pool).</exception>
    public Span<byte> GetSpan(Page page)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ThrowIfNotLive(page, nameof(page));
        }

        return GetPageBytes(page.Index);
    }

    /// <summary>True when <paramref name="page"/> was allocated by this pool and not freed since (a stale handle is not contained).</summary>
    public bool Contains(Page page)
    {
        lock (_lock)
        {
            return page.PoolId == Id && IsLive(page.Index) && _generation[page.Index] == page.Generation;
        }
    }

    /// <summary>
    /// Releases the pool's backing. The pool of a <see cref="VmapSpace"/> belongs to the space and
    /// lives as long as it: disposing it disposes the space, so every later call on either is a
    /// clean <see cref="ObjectDisposedException"/> instead of a space mapping pages that are gone.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _owner, null) is { } owner)
        {
            // The space disposes its backend, which disposes this pool again, with no owner left.
            owner.Dispose();
            return;
        }

        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the pool's backing.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Called (under the pool's lock) before page numbers below <paramref name="pageCount"/> are first handed out; grow the backing here.</summary>
    protected virtual void OnGrow(long pageCount)
    {
    }

    /// <summary>Called (under the pool's lock) when page <paramref name="index"/> is freed; release its memory here.</summary>
    protected virtual void OnFree(long index)
    {
    }

    /// <summary>The bytes of page <paramref name="index"/>, already checked to be live.</summary>
    protected virtual Span<byte> GetPageBytes(long index) =>
        throw new NotSupportedException("This page pool has no memory behind its pages (a simulated pool); use VmapSpace.CreateNative for real memory.");

    internal void ThrowIfNotLive(Page page, string paramName)
    {
        if (page.IsNull)
        {
            throw new ArgumentException("The page is default(Page), which no pool hands out.", paramName);
        }

        if (page.PoolId != Id)
        {
            throw new ArgumentException($"{page} belongs to another pool (pool {page.PoolId}), not to this space's pool {Id}.", paramName);
        }

        if (!IsLive(page.Index))
        {
            throw new ArgumentException($"{page} was freed (or never allocated) and cannot be used.", paramName);
        }

        if (_generation[page.Index] != page.Generation)
        {
            throw new ArgumentException(
                $"{page} is a stale handle: the page was freed and its number handed out again since (the handle is of generation {page.Generation}, the page is now at generation {_generation[page.Index]}). It no longer names a page of yours.",
                paramName);
        }
    }

    /// <summary>Frees page <paramref name="index"/>, already checked to be live and unmapped; old handles of it turn stale.</summary>
    private void Release(long index)
    {
        OnFree(index);
        SetLive(index, false);
        _generation[index]++;
        _freed.Enqueue(index, index);
    }

    internal object SyncRoot => _lock;

    /// <summary>Makes <paramref name="space"/> the pool's owner: disposing the pool disposes it.</summary>
    internal void SetOwner(IDisposable space)
    {
        if (Interlocked.CompareExchange(ref _owner, space, null) is not null)
        {
            throw new InvalidOperationException("This page pool already belongs to a space; a space owns its pool alone.");
        }
    }

    /// <summary>The owning space is being disposed: from now on disposing the pool disposes only the pool.</summary>
    internal void ClearOwner() => Interlocked.Exchange(ref _owner, null);

    private bool IsLive(long index) => index >= 0 && index < _highWater && (_live[index >> 6] & (1UL << (int)(index & 63))) != 0;

    private void SetLive(long index, bool live)
    {
        ulong bit = 1UL << (int)(index & 63);
        if (live)
        {
            _live[index >> 6] |= bit;
            _liveCount++;
        }
        else
        {
            _live[index >> 6] &= ~bit;
            _liveCount--;
        }
    }
}

/// <summary>A pool with no memory behind its pages: page numbers only, for experiments at any geometry.</summary>
internal sealed class SimulatedPagePool : PagePool
{
    public SimulatedPagePool(int pageSize)
        : base(pageSize)
    {
    }
}
