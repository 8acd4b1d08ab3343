using System.Collections.Concurrent;
using Vmap.Areas;

namespace Vmap;

/// <summary>
/// The vmap nodes (issue 22 item 8, Linux 6.9's <c>vmap_node</c>): small Vmap and Vmalloc areas
/// are placed, made live, unmapped and lazily freed under their CPU's node lock instead of the
/// area lock. See <see cref="VmapNode"/> and runtime/Vmap/README.md (Vmap nodes).
/// </summary>
public sealed partial class VmapSpace
{
    /// <summary>
    /// With fewer blocks than this per CPU queue the nodes stay off (unless <see cref="VmapOptions.VmapNodes"/>
    /// asks for them): a node holds back up to a chunk of free space from larger maps until the next
    /// purge, which matters on a small space and not on a large one (the kernel, too, runs one node on
    /// a small machine).
    /// </summary>
    internal const int NodeChunksPerNode = 64;

    private VmapNode[] _nodes = [];
    private readonly ConcurrentDictionary<long, VmapNode> _nodeByChunk = new();

    // Pages on the nodes' lazy lists as far as the nodes have added them (vmap_lazy_nr's share of
    // them): added by Interlocked under a node's lock, a batch at a time, and read without a lock to
    // decide on a purge. Alone on its cache lines: the fields every call reads stay clean.
    private readonly LazyCount _nodeLazy = new();

    // Pages a node keeps to itself before it adds them to _nodeLazy: the purge may come up to
    // nodes x (batch - 1) pages after LazyMaxPages (the kernel's lazy_max_pages is a heuristic too),
    // and the counters in Stats stay exact (they sum the nodes' lists).
    private long _lazyBatch = 1;

    private void InitNodes(int queues)
    {
        int count = Options.TrackProvenance ? 0
            : Options.VmapNodes ?? (queues > 1 && Geometry.TotalPages / Geometry.BlockPages >= (long)NodeChunksPerNode * queues ? queues : 0);
        if (count < 0)
        {
            throw new ArgumentOutOfRangeException("options", count, "VmapOptions.VmapNodes must not be negative.");
        }

        _nodes = new VmapNode[count];
        _nodeSpacers = new object[count];
        for (int i = 0; i < count; i++)
        {
            _nodes[i] = new VmapNode(i, Geometry.BlockPages);

            // A node and what it allocated above are written by one CPU on every call: a spacer keeps
            // the next node's lock word and counters off their cache lines.
            _nodeSpacers[i] = new byte[256];
        }

        _lazyBatch = count == 0 ? 1 : Math.Max(1, Geometry.LazyMaxPages / (16L * count));
        _nodeDecayPages = count == 0 ? 1 : Math.Max(1, Geometry.LazyMaxPages / count);
    }

    // A node whose lazy list reaches its share of LazyMaxPages purges it into its own pool at once,
    // under its own lock (the kernel's decay of a node's purge list into its pool): the steady
    // state of a CPU's small maps and unmaps never takes the area lock, and the nodes' lazy pages
    // stay within LazyMaxPages together.
    private long _nodeDecayPages = 1;

    private object[] _nodeSpacers = [];

    /// <summary>A counter alone on its cache lines.</summary>
    private sealed class LazyCount
    {
#pragma warning disable CS0169, IDE0051 // padding, never read
        private readonly long _p0, _p1, _p2, _p3, _p4, _p5, _p6, _p7;
#pragma warning restore CS0169, IDE0051
        public long Pages;
#pragma warning disable CS0169, IDE0051
        private readonly long _q0, _q1, _q2, _q3, _q4, _q5, _q6, _q7;
#pragma warning restore CS0169, IDE0051
    }

    /// <summary>Lazily freed pages of the space and of every node.</summary>
    private long LazyPages => _lazy.Pages + Volatile.Read(ref _nodeLazy.Pages);

    /// <summary>
    /// The node that serves a map of this kind and size, if any: Vmap and Vmalloc of an area no larger
    /// than the largest block request (guard included), with no alignment beyond a page. Everything
    /// else (MapRam's own areas, aligned Vmallocs, large areas) takes the area lock as before.
    /// </summary>
    private VmapNode? NodeFor(AreaKind kind, int count, long align) =>
        _nodes.Length > 0 && kind is AreaKind.Vmap or AreaKind.Vmalloc && align == 1 && count < Geometry.MaxBlockAlloc
            ? _nodes[(int)((uint)_currentCpu() % (uint)_nodes.Length)]
            : null;

    /// <summary>The node whose chunk holds <paramref name="page"/>, if any; without a lock (the caller checks <see cref="VmapNode.Owns"/> under the node's).</summary>
    private VmapNode? NodeOf(long page) =>
        _nodes.Length > 0 && _nodeByChunk.TryGetValue(page / Geometry.BlockPages, out var node) ? node : null;

    /// <summary>
    /// Maps in <paramref name="node"/>: in its pool under its lock alone, or, when the pool has no
    /// room, with a new chunk taken under the area lock. False when the node cannot serve the map
    /// (no chunk left in the space, the page pool ran dry, the backend refused): nothing changed,
    /// and the caller's purge-and-retry path takes over and reports the failure.
    /// </summary>
    private bool TryNodeMap(VmapNode node, AreaKind kind, Page[]? list, int count, out nint address)
    {
        long size = (long)count + 1;
        lock (node)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (node.Free.Find(size, 1, out _) is not null)
            {
                return MapInNode(node, kind, list, count, out address);
            }
        }

        lock (_lock)
        {
            lock (node)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (node.Free.Find(size, 1, out _) is not null)
                {
                    return MapInNode(node, kind, list, count, out address);
                }

                if (!GrowNode(node, out long chunk))
                {
                    address = 0;
                    return false;
                }

                // A map that fails in the chunk it made gives the chunk back: the space is as before.
                bool mapped = false;
                try
                {
                    mapped = MapInNode(node, kind, list, count, out address);
                    return mapped;
                }
                finally
                {
                    if (!mapped)
                    {
                        ReturnChunk(node, chunk);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Places, maps and commits an area in the node's pool, which has room; the caller holds the
    /// node's lock for the whole call (the backend's syscalls included: the node is one CPU's, so
    /// only that CPU's other threads wait). A refusal or a throw gives back everything it took.
    /// </summary>
    private bool MapInNode(VmapNode node, AreaKind kind, Page[]? list, int count, out nint address)
    {
        long size = (long)count + 1;
        var free = node.Free.Find(size, 1, out long start)!;
        FaultHook?.Invoke(FaultSteps.Area);
        var area = new VmapArea(kind, start, count, 1, null) { Node = node };
        var busy = new AreaNode<VmapArea>(start, area.End, area);

        // The pool's tree is not hooked itself (a purge's carve must not be made to fail): its
        // carve's one allocation is announced here, before anything changes.
        FaultHook?.Invoke(FaultSteps.FreeNode);
        node.Free.Carve(free, start, size);
        node.Busy.Insert(busy);
        node.GuardPages += 1;
        node.BusyPages += size;

        Page[]? own = null;
        long poolMark = 0;
        bool mapped = false, committed = false;
        try
        {
            if (kind == AreaKind.Vmalloc)
            {
                try
                {
                    own = Pool.AllocateMany(count, out poolMark);
                }
                catch (Exception e) when (e is InsufficientMemoryException or OutOfMemoryException)
                {
                    // The pool took nothing; the area path's attempt reports it.
                    address = 0;
                    return false;
                }
            }

            mapped = _backend.Map(AddressOf(start), own ?? list);
            if (!mapped)
            {
                address = 0;
                return false;
            }

            _faultHook?.Invoke(FaultSteps.Commit);

            // An unmap of an old mapping that lived here can no longer be told apart from an unmap of this one.
            node.Unmapped.ForgetOverlapping(start, area.ReservedEnd);
            area.OwnPages = own;
            area.Pinned = list;
            area.Live = true;
            node.LiveMappings++;
            node.MappedPages += count;
            address = AddressOf(start);
            committed = true;
            return true;
        }
        finally
        {
            if (!committed)
            {
                try
                {
                    if (mapped)
                    {
                        _backend.Unmap(AddressOf(start), count);
                    }

                    if (own is not null)
                    {
                        Pool.Unallocate(own, poolMark);
                    }
                }
                finally
                {
                    node.Busy.Remove(start);
                    node.GuardPages -= 1;
                    node.BusyPages -= size;
                    node.Free.Release(start, area.ReservedEnd);
                }
            }
        }
    }

    /// <summary>
    /// vunmap / vfree of a live node area; the caller holds the node's lock. As the area path: out of
    /// the live set and recorded first, then the backend (a throw puts it back), then the pool's
    /// work, then the area waits on the node's lazy list. True when the space's lazy pages now call
    /// for a purge, which the caller runs once it has left the node's lock.
    /// </summary>
    private bool UnmapInNode(VmapNode node, VmapArea area)
    {
        node.Unmapped.Add(area);
        area.Live = false;
        node.LiveMappings--;
        node.MappedPages -= area.Pages;
        try
        {
            _backend.Unmap(AddressOf(area.Start), area.Pages);
        }
        catch
        {
            node.Unmapped.Remove(area, withSite: false);
            node.LiveMappings++;
            node.MappedPages += area.Pages;
            area.Live = true;
            throw;
        }

        if (area.Pinned is { } pinned)
        {
            Pool.Unpin(pinned);
        }

        if (area.OwnPages is { } own)
        {
            Pool.FreeMany(own);
        }

        long size = area.ReservedEnd - area.Start;
        node.Busy.Remove(area.Start);
        node.GuardPages -= area.GuardPages;
        node.BusyPages -= size;
        node.Lazy.Add(area.Start, area.ReservedEnd);
        if (node.Lazy.Pages >= _nodeDecayPages)
        {
            node.Lazy.Drain(node.Free.Release);
            ForgetLazy(node);
            Interlocked.Increment(ref _purges);
            return false;
        }

        node.UnpublishedLazyPages += size;
        if (node.UnpublishedLazyPages < _lazyBatch)
        {
            return false;
        }

        node.PublishedLazyPages += node.UnpublishedLazyPages;
        long published = Interlocked.Add(ref _nodeLazy.Pages, node.UnpublishedLazyPages);
        node.UnpublishedLazyPages = 0;
        return published + _lazy.Pages >= Geometry.LazyMaxPages;
    }

    /// <summary>
    /// The unmap of a node's area without the area lock; false when <paramref name="page"/> is not
    /// the start of a live area of <paramref name="family"/> in a node (misuse included), for the
    /// checked path to answer under the area lock.
    /// </summary>
    private bool TryUnmapInNode(long page, string family)
    {
        if (NodeOf(page) is not { } node)
        {
            return false;
        }

        bool purge;
        lock (node)
        {
            if (_disposed || !node.Owns(page) || node.Busy.Floor(page) is not { } found || found.Start != page || !found.Value.Live || found.Value.Family != family)
            {
                return false;
            }

            purge = UnmapInNode(node, found.Value);
        }

        if (purge)
        {
            lock (_lock)
            {
                if (!_disposed && LazyPages >= Geometry.LazyMaxPages)
                {
                    PurgeLazy();
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Takes a chunk (one block's size, block-aligned, the lowest that fits, as a new vmap block
    /// takes its range) from the space for <paramref name="node"/>; under the area lock and the
    /// node's. The chunk is a busy area of the space's, so nothing else can take its pages. A chunk
    /// is a new area over its range, so the records of unmapped mappings it overlaps are forgotten,
    /// as a new block forgets them.
    /// </summary>
    private bool GrowNode(VmapNode node, out long chunk)
    {
        int pages = Geometry.BlockPages;
        var free = _free.Find(pages, pages, out chunk);
        if (free is null || chunk + pages > _endPage || chunk % pages != 0)
        {
            return false;
        }

        // Everything the chunk needs is allocated before anything changes.
        FaultHook?.Invoke(FaultSteps.NodeChunk);
        var area = new VmapArea(AreaKind.NodeChunk, chunk, pages, 0, null) { Node = node };
        var busy = new AreaNode<VmapArea>(chunk, chunk + pages, area);
        node.Chunks.EnsureCapacity(node.Chunks.Count + 1);
        _nodeByChunk[chunk / pages] = node;
        try
        {
            _free.Carve(free, chunk, pages);
        }
        catch
        {
            _nodeByChunk.TryRemove(chunk / pages, out _);
            throw;
        }

        _busy.Insert(busy);
        _unmapped.ForgetOverlapping(chunk, chunk + pages);
        node.Chunks.Add(chunk);
        node.Free.Release(chunk, chunk + pages);
        return true;
    }

    /// <summary>A wholly free chunk goes back to the space's free tree, with the records of what the node unmapped in it; under the area lock and the node's.</summary>
    private void ReturnChunk(VmapNode node, long chunk)
    {
        long end = chunk + Geometry.BlockPages;
        node.Free.Take(chunk, end);
        node.Chunks.Remove(chunk);
        node.Unmapped.MoveTo(chunk, end, _unmapped);
        _nodeByChunk.TryRemove(chunk / Geometry.BlockPages, out _);
        _busy.Remove(chunk);
        _free.Release(chunk, end);
    }

    /// <summary>
    /// The nodes' share of purge_vmap_area_lazy; under the area lock: each node's lazily freed areas
    /// return to its pool (the kernel's decay into the node pool), and every chunk left wholly free
    /// goes back to the space, so a map that purges before failing sees all the free space there is.
    /// </summary>
    private void PurgeNodes()
    {
        foreach (var node in _nodes)
        {
            lock (node)
            {
                node.Lazy.Drain(node.Free.Release);
                ForgetLazy(node);
                foreach (var chunk in node.Chunks.Where(c => node.Free.Covers(c, c + Geometry.BlockPages)).ToList())
                {
                    ReturnChunk(node, chunk);
                }
            }
        }
    }

    /// <summary>
    /// Gives every node's chunks back to the space, busy or not; under the area lock. A node's areas
    /// join the space's busy tree (an unmap then takes the area path), its lazily freed ranges the
    /// space's lazy list, its free ranges the free tree and its records of unmapped mappings the
    /// space's. Afterwards the space is what it would be had the areas been placed without nodes.
    /// </summary>
    private void DissolveNodes()
    {
        foreach (var node in _nodes)
        {
            lock (node)
            {
                if (node.Chunks.Count == 0)
                {
                    continue;
                }

                node.Lazy.Drain(_lazy.Add);
                ForgetLazy(node);
                foreach (var chunk in node.Chunks)
                {
                    long end = chunk + Geometry.BlockPages;
                    node.Unmapped.MoveTo(chunk, end, _unmapped);
                    _nodeByChunk.TryRemove(chunk / Geometry.BlockPages, out _);
                    _busy.Remove(chunk);
                }

                foreach (var entry in node.Busy.InOrder().ToList())
                {
                    var area = entry.Value;
                    node.Busy.Remove(area.Start);
                    node.GuardPages -= area.GuardPages;
                    node.BusyPages -= area.ReservedEnd - area.Start;
                    node.LiveMappings -= area.Live ? 1 : 0;
                    node.MappedPages -= area.Live ? area.Pages : 0;
                    area.Node = null;
                    _busy.Insert(area.Start, area.End, area);
                    _guardPages += area.GuardPages;
                    _liveMappings += area.Live ? 1 : 0;
                    _mappedPages += area.Live ? area.Pages : 0;
                }

                node.Chunks.Clear();
                foreach (var (start, end) in node.Free.Ranges().ToList())
                {
                    node.Free.Take(start, end);
                    _free.Release(start, end);
                }
            }
        }
    }

    /// <summary>The node's lazy list was emptied: what it had added to the space's count comes off it; under the node's lock.</summary>
    private void ForgetLazy(VmapNode node)
    {
        Interlocked.Add(ref _nodeLazy.Pages, -node.PublishedLazyPages);
        node.PublishedLazyPages = 0;
        node.UnpublishedLazyPages = 0;
    }

    /// <summary>Takes every node's lock, in order, for a still picture of the whole space (Stats, snapshots, misuse); the caller holds the area lock.</summary>
    private void EnterNodes()
    {
        foreach (var node in _nodes)
        {
            Monitor.Enter(node);
        }
    }

    private void ExitNodes()
    {
        for (int i = _nodes.Length - 1; i >= 0; i--)
        {
            Monitor.Exit(_nodes[i]);
        }
    }

    /// <summary>The live node area containing <paramref name="page"/>; the caller holds the area lock.</summary>
    private bool FindLiveInNode(long page, out LiveMapping mapping)
    {
        if (NodeOf(page) is { } node)
        {
            lock (node)
            {
                var found = node.Owns(page) ? node.Busy.Floor(page) : null;
                if (found is not null && page < found.End && found.Value.Live)
                {
                    var area = found.Value;
                    mapping = new LiveMapping(area, null, area.Start, area.Pages, null);
                    return true;
                }
            }
        }

        mapping = default;
        return false;
    }

    /// <summary>The live node areas of the chunk <paramref name="chunk"/>, in address order; the caller holds the area lock.</summary>
    private List<LiveMapping> LiveInChunk(VmapArea chunk)
    {
        var node = chunk.Node!;
        var list = new List<LiveMapping>();
        lock (node)
        {
            for (var n = node.Busy.Ceiling(chunk.Start); n is not null && n.Start < chunk.End; n = node.Busy.Ceiling(n.Start + 1))
            {
                if (n.Value.Live)
                {
                    list.Add(new LiveMapping(n.Value, null, n.Start, n.Value.Pages, null));
                }
            }
        }

        return list;
    }
}
