using System.Runtime.InteropServices;

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

    private const int ChunkShift = 9;

    // A per-CPU list serves Vmallocs of up to a batch of pages, and holds at most PcpHigh free
    // numbers before it spills its oldest batch (the kernel's pcp->batch and pcp->high).
    private const int PcpBatch = 16;
    private const int PcpHigh = 64;

    // Words per page: one cache line each, so threads pinning different pages never share a line.
    private const int Stride = 8;
    private const int ChunkMask = (1 << ChunkShift) - 1;
    private const long LiveBit = 1L << 31;
    private const long CountMask = LiveBit - 1;

    private readonly object _lock = new();
    // A min-heap keeps "lowest free number first" (allocation and free take the lock).
    private readonly PriorityQueue<long, long> _freed = new();

    // One word per page number: generation (bumped on every free) << 32 | live << 31 | how many live
    // mappings show the page. Map and unmap pin and unpin with one compare-and-swap, no lock, so
    // threads mapping their own pages do not meet here; a free swaps the word only while the count
    // is 0, so a pin and a free cannot both win. The words sit in chunks that never move (a grown
    // pool adds chunks), so a pin never lands in an array that a resize has just copied. Each word
    // has a cache line to itself (64 bytes a page, 1.6 % of a 4 KiB page): with neighbouring words
    // in one line, two threads mapping their own, neighbouring pages threw that line between them.
    // A chunk also keeps a line of padding at each end: every pin reads the chunk's length (the
    // bounds check) from its header, and with page 0's word in the header's line, each pin of
    // page 0 cost every other thread's next pin a cache miss (measured: 2 threads 1.2x of 1, per-CPU 0.6).
    private long[][] _states = [NewChunk()];

    // The kernel's per-CPU page lists (pcp): a Vmalloc of a few pages and its Vfree take and give
    // page numbers here under their CPU's list alone, so two threads' Vmalloc + Vfree pairs do not
    // meet on the pool's lock (issue 22, item 8). A list holds free numbers only: a page in it is
    // not live and its old handles are stale, as for a page in the freed heap.
    private readonly PcpList[] _pcp = NewPcpLists();

    // Pages allocated minus pages freed through the pool's lock; each list keeps its own share, and
    // AllocatedCount adds them up (exact whenever no call is in flight).
    private int _liveCount;
    private long _highWater;
    private volatile bool _disposed;
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
                long live = _liveCount;
                foreach (var pcp in _pcp)
                {
                    live += Volatile.Read(ref pcp.Allocated);
                }

                return (int)live;
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

    /// <summary>
    /// Allocates a page; the lowest free page number is reused first (numbers waiting in the
    /// per-CPU lists of small Vmallocs are given back to the pool first, so they count too).
    /// </summary>
    public Page Allocate()
    {
        if (PcpHoldsNumbers())
        {
            DrainPcpLists();
        }

        return AllocateLocked();
    }

    private Page AllocateLocked()
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
                if ((index >> ChunkShift) >= _states.Length || _states[index >> ChunkShift] is null)
                {
                    GrowStates(index);
                }

                Volatile.Write(ref _highWater, index + 1);
            }

            ref long state = ref State(index);
            Volatile.Write(ref state, (state & ~CountMask) | LiveBit);
            _liveCount++;
            return new Page(Id, index, Generation(state));
        }
    }

    /// <summary>
    /// Allocates <paramref name="count"/> pages, all or none: the backing grows once, before any
    /// page is taken, so a pool that cannot grow (or fails to) changes nothing.
    /// </summary>
    internal Page[] AllocateMany(int count, out long highWaterBefore)
    {
        if (count <= PcpBatch && TryAllocateFromPcp(count, out highWaterBefore) is { } fromPcp)
        {
            return fromPcp;
        }

        try
        {
            return AllocateManyLocked(count, out highWaterBefore);
        }
        catch (InsufficientMemoryException)
        {
            // The pool could not grow, but free pages may wait in per-CPU lists (the kernel drains
            // them when an allocation fails): the failed attempt took nothing, so try once more.
            // Not in an exception filter: a filter runs while the failed attempt still holds the
            // pool's lock, and a list's lock must never be taken under it.
            if (DrainPcpLists() == 0)
            {
                throw;
            }
        }

        return AllocateManyLocked(count, out highWaterBefore);
    }

    private Page[] AllocateManyLocked(int count, out long highWaterBefore)
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

            // The pages are the allocation's own: pinned, so Free refuses them until Vfree. Taking
            // a page may still allocate (a new chunk of state words): should that run out of
            // memory part way, the pages taken so far go back, so the pool is as before the call.
            var pages = new Page[count];
            int taken = 0;
            try
            {
                for (; taken < count; taken++)
                {
                    FaultHook?.Invoke(FaultSteps.PoolPage);
                    pages[taken] = AllocateLocked();
                    Interlocked.Increment(ref State(pages[taken].Index));
                }
            }
            catch
            {
                Unallocate(pages.AsSpan(0, taken), highWaterBefore);
                throw;
            }

            return pages;
        }
    }

    /// <summary>
    /// Takes back pages an <see cref="AllocateMany"/> handed out when the call that wanted them
    /// failed: the pool is left as before it, high-water mark included when nobody allocated since.
    /// </summary>
    internal void Unallocate(ReadOnlySpan<Page> pages, long highWaterBefore)
    {
        // AllocateMany hands pages out in ascending order (the lowest freed numbers, then new ones
        // above them all), so walking back from the last takes the high-water mark down as far as
        // the call took it up. Nothing here allocates: this runs when memory has run out, and the
        // freed heap has room for every number the call took from it.
        lock (_lock)
        {
            for (int i = pages.Length - 1; i >= 0; i--)
            {
                long index = pages[i].Index;
                // Never seen outside the failed call: the generation stays, as if it was never allocated.
                ref long state = ref State(index);
                Volatile.Write(ref state, state & ~(LiveBit | CountMask));
                _liveCount--;
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
        if (pages.Length <= PcpBatch)
        {
            FreeManyToPcp(pages);
            return;
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var page in pages)
            {
                ThrowIfNotLive(page, nameof(pages));
            }

            foreach (var page in pages)
            {
                Release(page.Index);
            }
        }
    }

    /// <summary>
    /// Checks every page of <paramref name="pages"/> and counts one more mapping of each: each
    /// page's check and count are one compare-and-swap, so no page can be freed between them. A
    /// refusal pins none.
    /// </summary>
    internal void Pin(ReadOnlySpan<Page> pages, string paramName)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (int i = 0; i < pages.Length; i++)
        {
            if (!TryPin(pages[i]))
            {
                for (int j = 0; j < i; j++)
                {
                    Interlocked.Decrement(ref State(pages[j].Index));
                }

                // The message needs a consistent look at the page: the slow path, under the lock.
                lock (_lock)
                {
                    ObjectDisposedException.ThrowIf(_disposed, this);
                    ThrowIfNotLive(pages[i], paramName);
                }

                throw new InvalidOperationException($"{pages[i]} could not be pinned although it is live: a pool bug.");
            }
        }
    }

    /// <summary>One mapping of each page of <paramref name="pages"/> is gone.</summary>
    internal void Unpin(ReadOnlySpan<Page> pages)
    {
        foreach (var page in pages)
        {
            Interlocked.Decrement(ref State(page.Index));
        }
    }

    private bool TryPin(Page page)
    {
        if (page.PoolId != Id || page.Index < 0 || page.Index >= Volatile.Read(ref _highWater))
        {
            return false;
        }

        ref long state = ref State(page.Index);
        while (true)
        {
            long s = Volatile.Read(ref state);
            if ((s & LiveBit) == 0 || Generation(s) != page.Generation)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref state, s + 1, s) == s)
            {
                return true;
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
            ref long state = ref State(page.Index);
            while (true)
            {
                long s = Volatile.Read(ref state);
                long mapped = s & CountMask;
                if (mapped > 0)
                {
                    throw new InvalidOperationException(
                        $"{page} is still mapped ({(mapped == 1 ? "1 live mapping" : $"{mapped} live mappings")}): unmap it before freeing it (a Vmalloc allocation's pages are freed by Vfree). The page stays allocated.");
                }

                // Not live from here on: a pin racing this free fails instead of pinning a freed page.
                if (Interlocked.CompareExchange(ref state, NextGeneration(s), s) == s)
                {
                    break;
                }
            }

            Release(page.Index, alreadyDead: true);
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
            return page.PoolId == Id && IsLive(page.Index) && Generation(State(page.Index)) == page.Generation;
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

    /// <summary>
    /// Called when page <paramref name="index"/> is freed; release its memory here. Runs under the
    /// pool's lock, or, for the pages of a small Vmalloc, under one CPU's page list only: two
    /// threads may be in it at once for different pages.
    /// </summary>
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

        int generation = Generation(State(page.Index));
        if (generation != page.Generation)
        {
            throw new ArgumentException(
                $"{page} is a stale handle: the page was freed and its number handed out again since (the handle is of generation {page.Generation}, the page is now at generation {generation}). It no longer names a page of yours.",
                paramName);
        }
    }

    /// <summary>Frees page <paramref name="index"/>, already checked to be live and unmapped (or the allocation's own); old handles of it turn stale.</summary>
    private void Release(long index, bool alreadyDead = false)
    {
        if (!alreadyDead)
        {
            ref long state = ref State(index);
            Volatile.Write(ref state, NextGeneration(Volatile.Read(ref state)));
        }

        OnFree(index);
        _liveCount--;
        _freed.Enqueue(index, index);
    }

    /// <summary>
    /// The pages of a Vmalloc of at most <see cref="PcpBatch"/> pages from the calling CPU's list,
    /// refilled from the freed heap when short; null when the freed heap cannot make up the count
    /// either (new page numbers are handed out under the pool's lock only, so the high-water mark
    /// and <see cref="OnGrow"/> stay where they were).
    /// </summary>
    private Page[]? TryAllocateFromPcp(int count, out long highWaterBefore)
    {
        var pcp = _pcp[CurrentList()];
        lock (pcp.Numbers)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            highWaterBefore = Volatile.Read(ref _highWater);
            if (pcp.Count < count && !Refill(pcp, count))
            {
                return null;
            }

            var pages = new Page[count];
            int taken = 0;
            try
            {
                for (; taken < count; taken++)
                {
                    FaultHook?.Invoke(FaultSteps.PoolPage);
                    long index = pcp.Numbers[pcp.Count - 1 - taken];

                    // Live and pinned once in one write (as Allocate, then the pin of AllocateMany):
                    // nobody else holds this number, so there is no race to lose.
                    ref long state = ref State(index);
                    long s = Volatile.Read(ref state);
                    Volatile.Write(ref state, (s & ~CountMask) | LiveBit | 1);
                    pages[taken] = new Page(Id, index, Generation(s));
                }
            }
            catch
            {
                // Nothing was taken off the list yet: only the words written go back.
                for (int i = 0; i < taken; i++)
                {
                    ref long state = ref State(pages[i].Index);
                    Volatile.Write(ref state, state & ~(LiveBit | CountMask));
                }

                throw;
            }

            pcp.Count -= count;
            pcp.Allocated += count;
            return pages;
        }
    }

    /// <summary>Moves the lowest freed numbers into <paramref name="pcp"/> (its lock held) until it holds a batch; false when even all of them are too few.</summary>
    private bool Refill(PcpList pcp, int count)
    {
        // Lock order: a CPU's list, then the pool's lock (never the other way round).
        lock (_lock)
        {
            if (pcp.Count + _freed.Count < count)
            {
                return false;
            }

            int take = Math.Min(_freed.Count, Math.Max(count, PcpBatch) - pcp.Count);

            // The list hands out from its top: the lowest number goes on top.
            Array.Copy(pcp.Numbers, 0, pcp.Numbers, take, pcp.Count);
            for (int i = take - 1; i >= 0; i--)
            {
                pcp.Numbers[i] = _freed.Dequeue();
            }

            pcp.Count += take;
            return true;
        }
    }

    /// <summary>Frees the pages of a small Vmalloc into the calling CPU's list; all are checked first, so a refusal frees none.</summary>
    private void FreeManyToPcp(Page[] pages)
    {
        var pcp = _pcp[CurrentList()];
        lock (pcp.Numbers)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // The pages are the allocation's own, pinned since AllocateMany: Free refuses them, so
            // nothing but this call can change their words while it checks them.
            foreach (var page in pages)
            {
                ThrowIfNotLive(page, nameof(pages));
            }

            if (pcp.Count + pages.Length > PcpHigh)
            {
                Spill(pcp);
            }

            foreach (var page in pages)
            {
                ref long state = ref State(page.Index);
                Volatile.Write(ref state, NextGeneration(Volatile.Read(ref state)));
                OnFree(page.Index);
                pcp.Numbers[pcp.Count++] = page.Index;
            }

            pcp.Allocated -= pages.Length;
        }
    }

    /// <summary>Gives the oldest batch of a full list (its lock held) back to the freed heap.</summary>
    private void Spill(PcpList pcp)
    {
        lock (_lock)
        {
            // The heap grows (the one step that can run out of memory) before anything moves, so a
            // failure leaves the list and the heap as they were and the Vfree frees nothing.
            int spill = Math.Min(PcpBatch, pcp.Count);
            _freed.EnsureCapacity(_freed.Count + spill);
            for (int i = 0; i < spill; i++)
            {
                _freed.Enqueue(pcp.Numbers[i], pcp.Numbers[i]);
            }

            Array.Copy(pcp.Numbers, spill, pcp.Numbers, 0, pcp.Count - spill);
            pcp.Count -= spill;
        }
    }

    /// <summary>Empties every CPU's list into the freed heap (when the pool cannot grow); how many numbers moved.</summary>
    private int DrainPcpLists()
    {
        int moved = 0;
        foreach (var pcp in _pcp)
        {
            lock (pcp.Numbers)
            {
                lock (_lock)
                {
                    // As in Spill: room first, so a failure moves nothing from this list.
                    _freed.EnsureCapacity(_freed.Count + pcp.Count);
                    moved += pcp.Count;
                    for (int i = 0; i < pcp.Count; i++)
                    {
                        _freed.Enqueue(pcp.Numbers[i], pcp.Numbers[i]);
                    }
                }

                pcp.Count = 0;
            }
        }

        return moved;
    }

    private bool PcpHoldsNumbers()
    {
        foreach (var pcp in _pcp)
        {
            if (Volatile.Read(ref pcp.Count) > 0)
            {
                return true;
            }
        }

        return false;
    }

    private int CurrentList() => (int)((uint)(CurrentCpu is { } pick ? pick() : Thread.GetCurrentProcessorId()) % (uint)_pcp.Length);

    /// <summary>Picks the CPU whose page list a small Vmalloc or Vfree uses; the space passes its <c>VmapOptions.CurrentCpu</c>, so tests choose.</summary>
    internal Func<int>? CurrentCpu { get; set; }

    private static PcpList[] NewPcpLists()
    {
        var lists = new PcpList[Environment.ProcessorCount];
        for (int i = 0; i < lists.Length; i++)
        {
            lists[i] = new PcpList();
        }

        return lists;
    }

    /// <summary>
    /// One CPU's list of free page numbers, locked on its array. Laid out with a cache line before
    /// and after its counts, so two CPUs' lists never share one: each Vmalloc and Vfree writes its
    /// own. Not locked on itself: a monitor writes the word just before its object, which for the
    /// first list is the line holding the pool's array of lists that every call reads (measured:
    /// 2 threads 1.53x of 1, 0.79 per CPU); the array's word lies in the padding of its list.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private sealed class PcpList
    {
        [FieldOffset(64)]
        public long Allocated;

        [FieldOffset(72)]
        public readonly long[] Numbers = new long[PcpHigh];

        [FieldOffset(80)]
        public int Count;
    }

    private static int Generation(long state) => (int)(state >> 32);

    /// <summary>The word of a freed page: the next generation, not live, unmapped.</summary>
    private static long NextGeneration(long state) => (long)(uint)(Generation(state) + 1) << 32;

    /// <summary>The state word of page <paramref name="index"/>, alone in its cache line.</summary>
    private ref long State(long index) => ref Volatile.Read(ref _states)[index >> ChunkShift][((int)(index & ChunkMask) + 1) * Stride];

    private static long[] NewChunk() => new long[(Stride << ChunkShift) + (2 * Stride)];

    /// <summary>Adds the chunk that holds page <paramref name="index"/>; under the lock.</summary>
    private void GrowStates(long index)
    {
        long chunk = index >> ChunkShift;
        var states = _states;
        if (chunk >= states.Length)
        {
            var grown = new long[Math.Max(states.Length * 2, (int)chunk + 1)][];
            Array.Copy(states, grown, states.Length);
            states = grown;
        }

        states[chunk] ??= NewChunk();
        Volatile.Write(ref _states, states);
    }

    internal object SyncRoot => _lock;

    /// <summary>Called at each step of <see cref="AllocateMany"/> that may run out of memory; tests make it throw.</summary>
    internal Action<string>? FaultHook { get; set; }

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

    private bool IsLive(long index) => index >= 0 && index < Volatile.Read(ref _highWater) && (Volatile.Read(ref State(index)) & LiveBit) != 0;
}

/// <summary>A pool with no memory behind its pages: page numbers only, for experiments at any geometry.</summary>
internal sealed class SimulatedPagePool : PagePool
{
    public SimulatedPagePool(int pageSize)
        : base(pageSize)
    {
    }
}
