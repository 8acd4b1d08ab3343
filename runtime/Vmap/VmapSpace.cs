using System.Diagnostics;
using System.Numerics;
using Vmap.Annotations;
using Vmap.Areas;
using Vmap.Backends;
using Vmap.Blocks;
using Vmap.Purge;

namespace Vmap;

/// <summary>
/// A vmap address space modelled on Linux mm/vmalloc.c: maps discontiguous <see cref="Page"/>s at
/// contiguous addresses (MapRam, Vmap) and allocates mapped memory (Vmalloc). Small MapRam calls are
/// served from per-CPU vmap blocks, freed ranges are purged lazily, and every unmap is checked
/// against the live mappings first: misuse throws <see cref="VmapMisuseException"/> and changes nothing.
/// Thread-safe.
/// </summary>
public sealed partial class VmapSpace : IDisposable
{
    private readonly object _lock = new();
    private readonly VmapBackend _backend;
    private readonly int _pageShift;
    private readonly long _startPage;
    private readonly long _endPage;
    private readonly int _guardOnAllAreas;
    private readonly FreeAreaTree _free;
    private readonly AreaTree<VmapArea> _busy = new();
    private readonly UnmappedMappings _unmapped;
    private readonly LazyFreeList _lazy = new();
    private readonly Quarantine? _quarantine;
    private readonly BlockQueues _blocks;
    private readonly Func<int> _currentCpu;

    // Mappings in areas of their own (block mappings are counted by their blocks); under the area lock.
    private int _liveMappings;
    private long _mappedPages;
    private long _guardPages;
    private long _purges;
    private long _retriedMaps;
    private long _failedMaps;

    // Area maps and unmaps between leaving the area lock for the backend or the pool and coming back.
    private int _inFlight;
    private volatile bool _disposed;

    /// <summary>Creates a space over <paramref name="backend"/>; the space owns and disposes it.</summary>
    internal VmapSpace(VmapBackend backend, VmapGeometry geometry, VmapOptions? options)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(geometry);
        ValidateGeometry(geometry, backend.Pool.PageSize);
        Geometry = geometry;
        Options = options ?? VmapOptions.Default;
        if (Options.QuarantinePages is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.QuarantinePages, "VmapOptions.QuarantinePages must not be negative.");
        }

        if (Options.QuarantineBytes is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.QuarantineBytes, "VmapOptions.QuarantineBytes must not be negative.");
        }

        _backend = backend;
        Pool = backend.Pool;
        _pageShift = BitOperations.Log2((uint)geometry.PageSize);
        long blockBytes = (long)geometry.BlockPages * geometry.PageSize;
        long start = backend.Reserve(geometry, blockBytes);
        if (start % geometry.PageSize != 0 || (start - geometry.Start) % blockBytes != 0)
        {
            throw new InvalidOperationException($"The {backend.Name} backend reserved 0x{start:x}, which does not keep the geometry's offset from the {blockBytes}-byte block alignment.");
        }

        _startPage = start >> _pageShift;
        _endPage = _startPage + geometry.TotalPages;
        _guardOnAllAreas = geometry.Guard == GuardMode.BetweenAllAreas ? 1 : 0;

        // The 2011 search kept the guard out of the area itself and checked only that the area ended
        // by the end of the space, so the last area's guard could hang past it: one page beyond the
        // end is free space that only a guard can occupy.
        _free = new FreeAreaTree(_startPage, _endPage + _guardOnAllAreas, geometry.BlockPages);
        _unmapped = new UnmappedMappings(geometry.BlockPages);
        if (Options.TrackProvenance)
        {
            _quarantine = new Quarantine(Options.QuarantinePages ?? (geometry.TotalPages / 4), Options.QuarantineBytes ?? VmapOptions.DefaultQuarantineBytes);
        }

        int queues = Options.SingleCpuQueue ? 1 : geometry.Cpus;
        _blocks = new BlockQueues(queues, geometry.BlockPages);
        var pick = Options.CurrentCpu ?? Thread.GetCurrentProcessorId;
        _currentCpu = queues == 1 ? () => 0 : () => (int)((uint)pick() % (uint)queues);
        InitNodes(queues);
        Pool.SetOwner(this);
        Pool.CurrentCpu = Options.CurrentCpu;
    }

    /// <summary>Creates a space whose mappings are numbers only: no memory stands behind them.</summary>
    /// <param name="geometry">The shape of the space, e.g. <see cref="VmapGeometry.X86_32_2011"/>.</param>
    /// <param name="options">Behaviour switches; <see cref="VmapOptions.Default"/> when null.</param>
    public static VmapSpace CreateSimulated(VmapGeometry geometry, VmapOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        var backend = new SimulatedBackend(geometry.PageSize);
        try
        {
            return new VmapSpace(backend, geometry, options);
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    /// <summary>The pool whose pages this space maps. The space owns it: disposing the pool disposes the space.</summary>
    public PagePool Pool { get; }

    /// <summary>The shape of the space.</summary>
    public VmapGeometry Geometry { get; }

    /// <summary>The behaviour switches.</summary>
    public VmapOptions Options { get; }

    /// <summary>
    /// Called at each step of a map that allocates managed memory (<see cref="FaultSteps"/>), so
    /// tests can make each one throw <see cref="OutOfMemoryException"/>; also handed to the free-area tree.
    /// </summary>
    internal Action<string>? FaultHook
    {
        get => _faultHook;
        set
        {
            _faultHook = value;
            _free.FaultHook = value;
        }
    }

    private Action<string>? _faultHook;

    /// <summary>What stands behind the mappings ("simulated", "linux-memfd").</summary>
    public string BackendName => _backend.Name;

    /// <summary>The first address of the space (the backend's reservation; the geometry's start for a simulated space).</summary>
    public nint Start => (nint)(_startPage << _pageShift);

    /// <summary>The first address after the space.</summary>
    public nint End => (nint)(_endPage << _pageShift);

    /// <summary>
    /// vm_map_ram: maps <paramref name="pages"/> at consecutive addresses. Up to
    /// <see cref="VmapGeometry.MaxBlockAlloc"/> pages come from a per-CPU vmap block; more get an area
    /// of their own. Purges and retries once by itself before giving up.
    /// </summary>
    /// <returns>The address of the first page; release it with <see cref="UnmapRam"/> and the same count.</returns>
    /// <exception cref="VmapExhaustedException">No room even after a purge and a retry.</exception>
    /// <exception cref="VmapMisuseException">The page list is empty (VMAP005).</exception>
    /// <exception cref="ArgumentException">A page is not a live page of <see cref="Pool"/>.</exception>
    [return: MapsMemory("vmap-ram", CountParameter = "pages")]
    public nint MapRam(ReadOnlySpan<Page> pages)
    {
        var failure = TryMap(AreaKind.Ram, pages, pages.Length, nameof(MapRam), out var address);
        return failure is null ? address : throw failure;
    }

    /// <summary>Like <see cref="MapRam"/>, but returns false instead of throwing when the space is exhausted.</summary>
    /// <param name="pages">The pages to map, in order.</param>
    /// <param name="address">The address of the first page, or 0 when the call returns false.</param>
    /// <exception cref="VmapMisuseException">The page list is empty (VMAP005).</exception>
    /// <exception cref="ArgumentException">A page is not a live page of <see cref="Pool"/>.</exception>
    public bool TryMapRam(ReadOnlySpan<Page> pages, [MapsMemory("vmap-ram", CountParameter = "pages")] out nint address) =>
        TryMap(AreaKind.Ram, pages, pages.Length, nameof(TryMapRam), out address) is null;

    /// <summary>vm_unmap_ram: unmaps a <see cref="MapRam"/> mapping. The count must be the mapped count.</summary>
    /// <exception cref="VmapMisuseException">
    /// The address is not the start of a live MapRam mapping or the count differs; nothing changed.
    /// </exception>
    public void UnmapRam([UnmapsMemory("vmap-ram", CountParameter = "pageCount")] nint address, int pageCount) =>
        Unmap(address, pageCount, Family.Ram);

    /// <summary>vmap: maps <paramref name="pages"/> for the long term in an area of its own, followed by a guard page.</summary>
    /// <returns>The address of the first page; release it with <see cref="Vunmap"/>.</returns>
    /// <exception cref="VmapExhaustedException">No room even after a purge and a retry.</exception>
    /// <exception cref="VmapMisuseException">The page list is empty (VMAP005).</exception>
    /// <exception cref="ArgumentException">A page is not a live page of <see cref="Pool"/>.</exception>
    [return: MapsMemory("vmap", CountParameter = "pages")]
    public nint Vmap(ReadOnlySpan<Page> pages)
    {
        var failure = TryMap(AreaKind.Vmap, pages, pages.Length, nameof(Vmap), out var address);
        return failure is null ? address : throw failure;
    }

    /// <summary>vunmap: unmaps a <see cref="Vmap"/> mapping.</summary>
    /// <exception cref="VmapMisuseException">The address is not the start of a live Vmap mapping; nothing changed.</exception>
    public void Vunmap([UnmapsMemory("vmap")] nint address) => Unmap(address, null, Family.Vmap);

    /// <summary>vmalloc: allocates pages from <see cref="Pool"/> and maps them in an area of its own, followed by a guard page.</summary>
    /// <param name="size">Bytes; rounded up to whole pages.</param>
    /// <returns>The address of the first page; release it with <see cref="Vfree"/>, which also frees the pages.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is 0, or more than int.MaxValue pages, which no space can hold.</exception>
    /// <exception cref="VmapExhaustedException">No room even after a purge and a retry, or the pool ran dry; nothing changed.</exception>
    [return: MapsMemory("vmalloc")]
    public nint Vmalloc(nuint size)
    {
        int count = VmallocPages(size);
        var failure = TryMap(AreaKind.Vmalloc, default, count, nameof(Vmalloc), out var address);
        return failure is null ? address : throw failure;
    }

    /// <summary>__vmalloc_node with an alignment: for the lib/test_vmalloc.c alignment scenarios.</summary>
    internal nint VmallocAligned(nuint size, nuint alignment)
    {
        int count = VmallocPages(size);
        long alignPages = Math.Max(1, (long)alignment / Geometry.PageSize);
        if (!BitOperations.IsPow2(alignPages))
        {
            throw new ArgumentException("The alignment must be a power of two.", nameof(alignment));
        }

        var failure = TryMap(AreaKind.Vmalloc, default, count, nameof(Vmalloc), out var address, alignPages);
        return failure is null ? address : throw failure;
    }

    /// <summary>vfree: unmaps a <see cref="Vmalloc"/> allocation and frees its pages.</summary>
    /// <exception cref="VmapMisuseException">The address is not the start of a live Vmalloc allocation; nothing changed.</exception>
    public void Vfree([UnmapsMemory("vmalloc")] nint address) => Unmap(address, null, Family.Vmalloc);

    /// <summary>
    /// vm_unmap_aliases: frees every vmap block with no live mapping left and purges every lazily
    /// freed range into free space.
    /// </summary>
    public void UnmapAliases()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            PurgeAll();
        }
    }

    /// <summary>The live mapping containing <paramref name="address"/>, if any. An address in a block is looked up without the area lock.</summary>
    internal bool TryGetLiveMapping(nint address, out nint start, out int pageCount)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long page = (long)address >> _pageShift;
        bool found = false;
        LiveMapping mapping = default;
        if (address >= Start && address < End)
        {
            if (_blocks.ByPage(page) is not null)
            {
                found = FindLive(page, out mapping);
            }
            else
            {
                lock (_lock)
                {
                    ObjectDisposedException.ThrowIf(_disposed, this);
                    found = FindLive(page, out mapping);
                }
            }
        }

        start = found ? AddressOf(mapping.Start) : 0;
        pageCount = found ? mapping.Pages : 0;
        return found;
    }

    /// <summary>
    /// Releases the backend and its pool. Live mappings die with it. A native space with
    /// <see cref="VmapOptions.TrackProvenance"/> keeps its range reserved PROT_NONE, so a stale
    /// pointer faults, until <see cref="ReleaseRetainedAddressSpace"/>.
    /// </summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;

            // Maps and unmaps of areas call the backend and the pool outside the area lock, counted
            // in _inFlight: each finishes (commits or undoes) under the lock, then the backend can go.
            while (_inFlight > 0)
            {
                Monitor.Wait(_lock);
            }

            // The block path calls the backend under a block's lock, and checks _disposed under it:
            // once past every block's lock, no call is still inside the backend, and none will enter.
            foreach (var block in _blocks.All)
            {
                lock (block)
                {
                }
            }

            // The same for the vmap nodes, whose calls hold the node's lock through the backend.
            foreach (var node in _nodes)
            {
                lock (node)
                {
                }
            }
        }

        Pool.ClearOwner();
        _backend.Dispose();
    }

    /// <summary>The kernel's largest CONFIG_NR_CPUS: one block queue per CPU is allocated up front.</summary>
    private const int MaxCpus = 8192;

    private static void ValidateGeometry(VmapGeometry g, int poolPageSize)
    {
        static void Require(bool ok, string what)
        {
            if (!ok)
            {
                throw new ArgumentException($"Invalid geometry: {what}.", "geometry");
            }
        }

        Require(g.PageSize > 0 && BitOperations.IsPow2(g.PageSize), "PageSize must be a positive power of two");
        Require(g.PageSize == poolPageSize, $"PageSize {g.PageSize} differs from the pool's {poolPageSize}");
        Require(g.Size > 0 && g.Size % g.PageSize == 0, "Size must be a positive multiple of PageSize");
        Require(g.Start >= 0 && g.Start % g.PageSize == 0, "Start must be page-aligned and not negative");

        // Page numbers turn back into addresses by a shift: a space that ends past the last address
        // a pointer can hold would wrap, and every unmap of its upper part would then be refused.
        Require(g.Size <= (long)nint.MaxValue - g.Start, $"Start + Size must not pass nint.MaxValue (0x{(long)nint.MaxValue:x}), the last address a pointer can hold");
        // With a guard on every area the last area's guard hangs one page past the end (see the
        // free tree's extra page below): that page's number must not wrap either.
        Require(g.Guard != GuardMode.BetweenAllAreas || g.Size <= (long)nint.MaxValue - g.Start - g.PageSize, $"with a guard page on every area (GuardMode.BetweenAllAreas) the last area's guard lies one page past the end, so Start + Size + PageSize must not pass nint.MaxValue (0x{(long)nint.MaxValue:x})");
        Require(g.BlockPages > 0 && BitOperations.IsPow2(g.BlockPages), "BlockPages must be a positive power of two (blocks are aligned to their size)");
        Require(g.MaxBlockAlloc > 0 && g.MaxBlockAlloc <= g.BlockPages, "MaxBlockAlloc must be between 1 and BlockPages");
        Require(g.Cpus is > 0 and <= MaxCpus, $"Cpus must be between 1 and {MaxCpus} (the kernel's largest NR_CPUS)");
        Require(g.LazyMaxPages >= 0, "LazyMaxPages must not be negative");
    }

    private nint AddressOf(long page) => (nint)(page << _pageShift);

    /// <summary>The caller's stack, starting at the frame that called into the space; null without TrackProvenance.</summary>
    private string? CaptureProvenance()
    {
        if (!Options.TrackProvenance)
        {
            return null;
        }

        var frames = new StackTrace(fNeedFileInfo: true).GetFrames().SkipWhile(f => f.GetMethod()?.DeclaringType != typeof(VmapSpace)).SkipWhile(f => f.GetMethod()?.DeclaringType == typeof(VmapSpace));
        return new StackTrace(frames).ToString();
    }

    /// <summary>The largest block map whose page list is copied to the stack (24 bytes a page).</summary>
    private const int StackPages = 128;

    /// <summary>Maps, purging and retrying once on failure; returns null on success, or the exhaustion to report.</summary>
    private VmapExhaustedException? TryMap(AreaKind kind, ReadOnlySpan<Page> pages, int count, string call, out nint address, long align = 1)
    {
        string? provenance = CaptureProvenance();
        bool fromBlock = kind == AreaKind.Ram && count <= Geometry.MaxBlockAlloc;
        int cpu = fromBlock ? _currentCpu() : 0;

        // The caller's list is read once: another thread may rewrite it while we work, so the
        // pages checked are the pages mapped, and the mapping keeps them to unpin on unmap. A block
        // map copies it to the stack (then into its block), so the block path allocates nothing.
        // Both copies are made before anything changes: out of memory here changes nothing.
        if (kind != AreaKind.Vmalloc && (!fromBlock || count > StackPages))
        {
            _faultHook?.Invoke(FaultSteps.PageList);
        }

        Page[]? list = kind == AreaKind.Vmalloc || fromBlock ? null : pages.ToArray();
        // A geometry may allow block maps of any size: the stack takes the usual ones only.
        Span<Page> copy = !fromBlock ? default : count <= StackPages ? stackalloc Page[count] : new Page[count];
        if (fromBlock)
        {
            pages.CopyTo(copy);
        }

        ReadOnlySpan<Page> checkedPages = fromBlock ? copy : list;
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (kind != AreaKind.Vmalloc)
        {
            CheckPages(checkedPages, call);
        }

        bool committed = false;
        try
        {
            // A small Vmap or Vmalloc: its CPU's vmap node, without the area lock when its pool has room.
            if (NodeFor(kind, count, align) is { } node && TryNodeMap(node, kind, list, count, out address))
            {
                committed = true;
                return null;
            }

            // The block path's common case takes no area lock.
            bool refused = false;
            if (fromBlock)
            {
                var result = VbMapFast(cpu, count, copy, provenance, out address);
                committed = result == BlockMapResult.Mapped;
                if (committed)
                {
                    return null;
                }

                refused = result == BlockMapResult.Refused;
            }

            // A backend that costs nothing is called under the area lock: the sections below then
            // re-enter a lock this thread holds instead of handing it to another thread between them.
            bool whole = _backend.CostsNothing;
            if (whole)
            {
                Monitor.Enter(_lock);
            }

            try
            {
                var failure = TryPlaceAndMap(kind, list, copy, count, call, out address, align, fromBlock, cpu, provenance, refused);
                committed = failure is null;
                return failure;
            }
            finally
            {
                if (whole)
                {
                    Monitor.Exit(_lock);
                }
            }
        }
        finally
        {
            if (!committed && kind != AreaKind.Vmalloc)
            {
                Pool.Unpin(checkedPages);
            }
        }
    }

    /// <summary>
    /// The purge-and-retry-once loop; the caller has pinned <paramref name="list"/>. When the block
    /// path's lock-free attempt was refused by the backend, that was the first attempt.
    /// </summary>
    /// <remarks>
    /// An attempt places its area under the area lock, not live (<see cref="VmapArea.Live"/>), and
    /// drops the lock for the pool's work and the backend's syscalls; it retakes the lock to make the
    /// mapping live, or to take the area back when the pool or the backend said no or threw. Each
    /// attempt gives back everything it took (pages included) before the next one or a throw, so
    /// the space, and the pool, are as before it. A block map runs under the area lock here, as
    /// before: its first map into a new block must not let anyone see the block until it succeeded.
    /// </remarks>
    private VmapExhaustedException? TryPlaceAndMap(AreaKind kind, Page[]? list, ReadOnlySpan<Page> blockPages, int count, string call, out nint address, long align, bool fromBlock, int cpu, string? provenance, bool refused)
    {
        bool backendRefused = refused;
        string? refusal = null;
        for (int attempt = refused ? 1 : 0; attempt < 2 && refusal is null; attempt++)
        {
            Placement placement;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (attempt == 1)
                {
                    _retriedMaps++;
                    PurgeAll();
                    DrainQuarantineFor(count, align, GuardFor(kind), fromBlock);
                }

                if (fromBlock)
                {
                    var result = VbMapLocked(count, cpu, blockPages, provenance, out address);
                    if (result == BlockMapResult.Mapped)
                    {
                        return null;
                    }

                    if (result == BlockMapResult.Refused)
                    {
                        backendRefused = true;
                        continue;
                    }

                    if (!Options.FallbackToPlainArea)
                    {
                        continue;
                    }

                    // A plain area keeps its list itself.
                    list ??= blockPages.ToArray();
                }

                placement = AllocArea(kind, count, align, GuardFor(kind), provenance);
                if (placement.Area is null)
                {
                    continue;
                }

                _inFlight++;
            }

            // Outside the lock: the range is ours alone, and nobody can see it as a mapping yet.
            var area = placement.Area;
            Page[]? own = null;
            long poolMark = 0;
            bool mapped = false;
            try
            {
                if (kind == AreaKind.Vmalloc)
                {
                    try
                    {
                        own = Pool.AllocateMany(count, out poolMark);
                    }
                    catch (InsufficientMemoryException e)
                    {
                        // A purge frees no page (Vfree frees its pages at once): no retry.
                        refusal = $"The page pool ran dry: {e.Message}";
                    }
                    catch (OutOfMemoryException e)
                    {
                        // The pool takes its pages all or none, so nothing changed there either
                        // (an array of int.MaxValue pages is one .NET cannot make at all).
                        refusal = $"The page pool could not allocate {count} pages: {e.Message}";
                    }
                }

                mapped = refusal is null && _backend.Map(AddressOf(area.Start), own ?? list);
                if (mapped)
                {
                    _faultHook?.Invoke(FaultSteps.Commit);
                }
            }
            catch
            {
                try
                {
                    if (mapped)
                    {
                        _backend.Unmap(AddressOf(area.Start), count);
                    }

                    if (own is not null)
                    {
                        Pool.Unallocate(own, poolMark);
                    }
                }
                finally
                {
                    lock (_lock)
                    {
                        try
                        {
                            Unplace(placement);
                        }
                        finally
                        {
                            EndFlight();
                        }
                    }
                }

                throw;
            }

            if (!mapped && own is not null)
            {
                Pool.Unallocate(own, poolMark);
            }

            lock (_lock)
            {
                try
                {
                    if (mapped)
                    {
                        Commit(placement);
                        area.OwnPages = own;
                        area.Pinned = list;
                        area.Live = true;
                        _liveMappings++;
                        _mappedPages += count;
                        address = AddressOf(area.Start);
                        return null;
                    }

                    Unplace(placement);
                    backendRefused |= refusal is null;
                }
                finally
                {
                    EndFlight();
                }
            }
        }

        address = 0;
        VmapStats stats;
        lock (_lock)
        {
            _failedMaps++;
            stats = SnapshotStats();
        }

        return new VmapExhaustedException(call, count, stats.FreePages, stats.LargestFreeRun, stats.LazilyFreedPages, refusal ?? (backendRefused ? _backend.ExhaustionReason : null))
        {
            QuarantinedPages = stats.QuarantinedPages,
        };
    }

    /// <summary>
    /// A map or unmap that ran outside the area lock is back under it and done; Dispose waits for
    /// the last one. Always called from a finally: a call that never landed would hang Dispose.
    /// </summary>
    private void EndFlight()
    {
        if (--_inFlight == 0 && _disposed)
        {
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Refuses an empty list, checks every page and pins them all for the mapping, or none.</summary>
    private void CheckPages(ReadOnlySpan<Page> pages, string call)
    {
        if (pages.Length == 0)
        {
            throw new VmapMisuseException(
                RuleIds.VMAP005,
                $"VMAP005: {call}([]): the page list is empty; a mapping needs at least one page.",
                0,
                null,
                0);
        }

        Pool.Pin(pages, "pages");
    }

    /// <summary>Whole pages for <paramref name="size"/> bytes, without the wrap of size + PageSize - 1.</summary>
    private int VmallocPages(nuint size)
    {
        ArgumentOutOfRangeException.ThrowIfZero(size);
        ulong pages = (size / (nuint)Geometry.PageSize) + (size % (nuint)Geometry.PageSize == 0 ? 0UL : 1UL);
        if (pages > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"Vmalloc({size}): that is {pages} pages of {Geometry.PageSize} bytes; one mapping holds at most {int.MaxValue} (int.MaxValue) pages.");
        }

        return (int)pages;
    }

    private int GuardFor(AreaKind kind) => kind is AreaKind.Vmap or AreaKind.Vmalloc ? 1 : _guardOnAllAreas;

    private void Unmap(nint address, int? pageCount, string family)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        string? site = CaptureProvenance();
        long page = (long)address >> _pageShift;
        bool inSpace = address >= Start && address < End && ((long)address & (Geometry.PageSize - 1)) == 0;

        // vb_free's common case: a live block mapping with the right count, found without the area lock.
        // The checked mode (TrackProvenance) records where each unmap ran, under the area lock: it takes the path below.
        if (site is null && inSpace && family == Family.Ram && pageCount > 0 && _blocks.ByPage(page) is { } fast)
        {
            bool done = false, spent = false;
            lock (fast)
            {
                int offset = (int)(page - fast.Start);
                if (!_disposed && fast.MappingAt(offset) == pageCount)
                {
                    spent = VbUnmap(fast, address, offset);
                    done = true;
                }
            }

            if (done)
            {
                if (spent)
                {
                    lock (_lock)
                    {
                        FreeBlock(fast);
                    }
                }

                return;
            }
        }

        // vunmap / vfree of a small area a vmap node placed: the node's lock only.
        if (site is null && inSpace && family != Family.Ram && TryUnmapInNode(page, family))
        {
            return;
        }

        // Everything else, misuse included: the checks need a still picture of the space around the
        // address. With a backend that costs nothing the whole unmap holds the area lock (as TryMap).
        bool whole = _backend.CostsNothing;
        if (whole)
        {
            Monitor.Enter(_lock);
        }

        try
        {
            UnmapChecked(address, pageCount, family, site, page, inSpace);
        }
        finally
        {
            if (whole)
            {
                Monitor.Exit(_lock);
            }
        }
    }

    /// <summary>The unmap of anything the block path's lock-free case did not take, misuse included.</summary>
    private void UnmapChecked(nint address, int? pageCount, string family, string? site, long page, bool inSpace)
    {
        LiveMapping mapping;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (inSpace && _blocks.ByPage(page) is { } block)
            {
                bool spent;
                lock (block)
                {
                    var found = CheckUnmap(address, pageCount, family);
                    spent = VbUnmap(block, address, (int)(found.Start - block.Start));
                    if (site is not null)
                    {
                        _unmapped.AddUnmapSite(found.Start, found.Pages, site);
                    }
                }

                if (spent)
                {
                    FreeBlock(block);
                }

                return;
            }

            // A still picture: every node is held while the checks look around the address.
            VmapNode? node;
            bool purge = false;
            EnterNodes();
            try
            {
                mapping = CheckUnmap(address, pageCount, family);
                node = mapping.Area.Node;
                if (node is not null)
                {
                    purge = UnmapInNode(node, mapping.Area);
                }
            }
            finally
            {
                ExitNodes();
            }

            if (node is not null)
            {
                if (purge)
                {
                    PurgeLazy();
                }

                return;
            }

            // Out of the live set before the backend is called: a second unmap of the address from
            // now on finds the record of this one and is refused as a double unmap, never reaching
            // the backend; the area keeps its range, so no map can take it meanwhile.
            TakeOut(mapping.Area, site);
            _inFlight++;
        }

        var area = mapping.Area;
        try
        {
            _backend.Unmap(address, mapping.Pages);
        }
        catch
        {
            // The backend goes first: if it throws, the mapping is put back live and nothing of ours changed.
            lock (_lock)
            {
                try
                {
                    PutBack(area, site);
                }
                finally
                {
                    EndFlight();
                }
            }

            throw;
        }

        // The pool's work, outside the area lock too. Neither step can fail: the pages are pinned, so
        // nobody freed them under us, the pool outlives every call in flight (Dispose waits for them),
        // and a memfd page the kernel will not punch is zeroed instead. Should one throw all the
        // same, the area is still released, so Dispose does not wait for ever.
        try
        {
            if (area.Pinned is { } pinned)
            {
                Pool.Unpin(pinned);
            }

            if (area.OwnPages is { } own)
            {
                Pool.FreeMany(own);
            }
        }
        finally
        {
            lock (_lock)
            {
                try
                {
                    ReleaseArea(area);
                }
                finally
                {
                    EndFlight();
                }
            }
        }
    }

    /// <summary>An unmap has checked <paramref name="area"/>: it leaves the live set, and its double-unmap record is made.</summary>
    private void TakeOut(VmapArea area, string? site)
    {
        area.Live = false;
        _liveMappings--;
        _mappedPages -= area.Pages;
        _unmapped.Add(area);
        if (site is not null)
        {
            _unmapped.AddUnmapSite(area.Start, area.Pages, site);
        }
    }

    /// <summary>The backend refused the unmap <see cref="TakeOut"/> began: the mapping is live again, as before the call.</summary>
    private void PutBack(VmapArea area, string? site)
    {
        _unmapped.Remove(area, withSite: site is not null);
        _liveMappings++;
        _mappedPages += area.Pages;
        area.Live = true;
    }

    /// <summary>Where a new mapping went: an area of its own, or a range of a block.</summary>
    private readonly record struct Placement(VmapArea? Area, VmapBlock? Block, long Start);

    /// <summary>A live mapping as a caller sees it.</summary>
    private readonly record struct LiveMapping(VmapArea Area, VmapBlock? Block, long Start, int Pages, string? Provenance)
    {
        public string Family => Area.Family;

        public long End => Start + Pages;
    }
}
