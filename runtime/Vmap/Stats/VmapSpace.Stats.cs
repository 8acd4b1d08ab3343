using System.Globalization;
using Vmap.Areas;

namespace Vmap;

public sealed partial class VmapSpace
{
    /// <summary>A snapshot of the counters.</summary>
    public VmapStats Stats
    {
        get
        {
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                return SnapshotStats();
            }
        }
    }

    /// <summary>Every range of the space in address order: areas, guard pages, lazily freed and free ranges.</summary>
    public IReadOnlyList<VmapAreaInfo> SnapshotAreas()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            EnterNodes();
            try
            {
                return Snapshot();
            }
            finally
            {
                ExitNodes();
            }
        }
    }

    /// <summary>The areas as <see cref="SnapshotAreas"/> lists them; the caller holds the area lock and every node's.</summary>
    private List<VmapAreaInfo> Snapshot()
    {
        var list = new List<VmapAreaInfo>();
        void AddArea(VmapArea area)
        {
            if (area.Block is { } block)
            {
                lock (block)
                {
                    list.Add(new VmapAreaInfo(AddressOf(area.Start), area.Pages, VmapAreaKind.Block)
                    {
                        Cpu = block.Cpu,
                        LivePages = block.LivePages,
                        DirtyPages = block.Dirty,
                        FreePages = block.Free,
                    });
                }
            }
            else
            {
                var kind = area.Kind switch
                {
                    AreaKind.Ram => VmapAreaKind.MapRam,
                    AreaKind.Vmap => VmapAreaKind.Vmap,
                    _ => VmapAreaKind.Vmalloc,
                };
                // 0 while the map that placed it, or the unmap that took it out, is in the backend.
                list.Add(new VmapAreaInfo(AddressOf(area.Start), area.Pages, kind) { LivePages = area.Live ? area.Pages : 0 });
            }

            if (area.GuardPages > 0 && area.End < _endPage)
            {
                list.Add(new VmapAreaInfo(AddressOf(area.End), area.GuardPages, VmapAreaKind.Guard));
            }
        }

        void AddRange(long start, long end, VmapAreaKind kind)
        {
            if (start < _endPage)
            {
                list.Add(new VmapAreaInfo(AddressOf(start), Math.Min(end, _endPage) - start, kind));
            }
        }

        // A node's chunk is no area of a caller's: its areas, lazily freed and free ranges are listed instead.
        foreach (var node in _busy.InOrder())
        {
            if (node.Value.Kind != AreaKind.NodeChunk)
            {
                AddArea(node.Value);
            }
        }

        foreach (var vn in _nodes)
        {
            foreach (var node in vn.Busy.InOrder())
            {
                AddArea(node.Value);
            }

            foreach (var (start, end) in vn.Lazy.Pending)
            {
                AddRange(start, end, VmapAreaKind.LazilyFreed);
            }

            foreach (var (start, end) in vn.Free.Ranges())
            {
                AddRange(start, end, VmapAreaKind.Free);
            }
        }

        foreach (var (start, end) in _lazy.Pending)
        {
            AddRange(start, end, VmapAreaKind.LazilyFreed);
        }

        foreach (var (start, end) in _quarantine?.Ranges ?? [])
        {
            AddRange(start, end, VmapAreaKind.Quarantined);
        }

        foreach (var (start, end) in _free.Ranges())
        {
            AddRange(start, end, VmapAreaKind.Free);
        }

        list.Sort((a, b) => ((long)a.Start).CompareTo(b.Start));

        // Free space in a node's chunk that touches free space outside it is one free range, as the
        // space's free tree would hold it once the chunk goes back.
        var merged = new List<VmapAreaInfo>(list.Count);
        foreach (var a in list)
        {
            if (merged.Count > 0 && a.Kind == VmapAreaKind.Free && merged[^1] is { Kind: VmapAreaKind.Free } last && (long)last.Start + (last.Pages * Geometry.PageSize) == (long)a.Start)
            {
                merged[^1] = last with { Pages = last.Pages + a.Pages };
            }
            else
            {
                merged.Add(a);
            }
        }

        return merged;
    }

    /// <summary>
    /// Writes a /proc/vmallocinfo-like listing: one line per area, guard page and lazily freed
    /// range, in address order (free space is left out, as in the kernel's file).
    /// </summary>
    public void DumpAreas(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int width = Math.Max(8, ((long)End).ToString("x", CultureInfo.InvariantCulture).Length);
        foreach (var a in SnapshotAreas())
        {
            if (a.Kind == VmapAreaKind.Free)
            {
                continue;
            }

            long start = a.Start, end = start + a.Pages * Geometry.PageSize;
            string detail = a.Kind switch
            {
                VmapAreaKind.Block => $"vmap-block cpu={a.Cpu} live={a.LivePages} dirty={a.DirtyPages} free={a.FreePages}",
                VmapAreaKind.MapRam => $"vm_map_ram pages={a.Pages}",
                VmapAreaKind.Vmap => $"vmap pages={a.Pages}",
                VmapAreaKind.Vmalloc => $"vmalloc pages={a.Pages}",
                VmapAreaKind.Guard => "guard",
                VmapAreaKind.Quarantined => "quarantined vm_area",
                _ => "unpurged vm_area",
            };
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"0x{start.ToString("x" + width, CultureInfo.InvariantCulture)}-0x{end.ToString("x" + width, CultureInfo.InvariantCulture)} {a.Pages * Geometry.PageSize,10} {detail}"));
        }
    }

    /// <summary>
    /// The counters; the caller holds the area lock. Each block is read under its own lock, so while
    /// other threads map and unmap in blocks the sum is of moments a few instructions apart; with
    /// no call in flight it is exact.
    /// </summary>
    private VmapStats SnapshotStats()
    {
        EnterNodes();
        try
        {
            return SnapshotStatsLocked();
        }
        finally
        {
            ExitNodes();
        }
    }

    /// <summary>The counters: the space's own plus every node's (the caller holds the area lock and every node's).</summary>
    private VmapStats SnapshotStatsLocked()
    {
        long blockFree = 0, blockDirty = 0, blockMapped = 0;
        int blockMappings = 0, blocks = 0;
        foreach (var block in _blocks.All)
        {
            lock (block)
            {
                blockFree += block.Free;
                blockDirty += block.Dirty;
                blockMapped += block.LivePages;
                blockMappings += block.LiveCount;
                blocks++;
            }
        }

        // Under BetweenAllAreas the page past the end is only ever a guard: not free space to report.
        long freePages = _free.Pages, largest = _free.LargestRun;
        if (_guardOnAllAreas == 1 && _free.Contains(_endPage))
        {
            freePages--;
            largest = 0;
            foreach (var (start, end) in _free.Ranges())
            {
                largest = Math.Max(largest, Math.Min(end, _endPage) - start);
            }
        }

        int nodeMappings = 0, nodeAreas = 0;
        long nodeMapped = 0, nodeFree = 0, nodeLazy = 0, nodeGuards = 0;
        foreach (var node in _nodes)
        {
            nodeMappings += node.LiveMappings;
            nodeAreas += node.Busy.Count;
            nodeMapped += node.MappedPages;
            nodeFree += node.Free.Pages;
            nodeLazy += node.Lazy.Pages;
            nodeGuards += node.GuardPages;
        }

        return new VmapStats
        {
            TotalPages = Geometry.TotalPages,
            LiveMappings = _liveMappings + blockMappings + nodeMappings,
            LiveAreas = _busy.Count - _nodeByChunk.Count + nodeAreas,
            Blocks = blocks,
            MappedPages = _mappedPages + blockMapped + nodeMapped,
            FreePages = freePages + nodeFree,
            LargestFreeRun = _nodeByChunk.IsEmpty ? largest : LargestRunAcrossChunks(largest),
            LazilyFreedPages = _lazy.Pages + nodeLazy,
            QuarantinedPages = _quarantine?.Pages ?? 0,
            QuarantinedTraceBytes = _quarantine?.Bytes ?? 0,
            BlockFreePages = blockFree,
            BlockDirtyPages = blockDirty,
            GuardPages = _guardPages + nodeGuards,
            Purges = Interlocked.Read(ref _purges),
            RetriedMaps = _retriedMaps,
            FailedMaps = _failedMaps,
        };
    }

    /// <summary>
    /// The largest free run when nodes hold chunks: free space in a chunk and free space beside it
    /// are one run (as the free tree will hold them once the chunk goes back, at the next purge), so
    /// runs are joined across chunk edges. One pass over the chunks, in address order.
    /// </summary>
    private long LargestRunAcrossChunks(long largest)
    {
        int pages = Geometry.BlockPages;
        long GlobalFrom(long page) => _free.Contains(page) ? Math.Min(page + _free.RunFrom(page), _endPage) - page : 0;
        long best = largest, run = 0, runEnd = -1;
        foreach (var (index, node) in _nodeByChunk.OrderBy(e => e.Key))
        {
            long start = index * pages, end = start + pages;
            if (runEnd != start)
            {
                if (runEnd >= 0)
                {
                    best = Math.Max(best, run + GlobalFrom(runEnd));
                }

                run = _free.RunUpTo(start);
            }

            long lead = Math.Min(node.Free.RunFrom(start), pages);
            if (lead == pages)
            {
                run += pages;
            }
            else
            {
                best = Math.Max(best, run + lead);
                run = Math.Min(node.Free.RunUpTo(end), pages);
            }

            runEnd = end;
        }

        return Math.Max(best, run + GlobalFrom(runEnd));
    }

    /// <summary>Checks every structure against the others; for tests. Throws on the first inconsistency.</summary>
    internal void Validate()
    {
        lock (_lock)
        {
            _free.Validate();
            _busy.Validate();
            long reserved = 0;
            foreach (var node in _busy.InOrder())
            {
                reserved += node.Value.Pages + node.Value.GuardPages;
            }

            EnterNodes();
            try
            {
                foreach (var node in _nodes)
                {
                    node.Free.Validate();
                    node.Busy.Validate();
                    long busy = 0;
                    foreach (var area in node.Busy.InOrder())
                    {
                        busy += area.Value.Pages + area.Value.GuardPages;
                        if (!node.Owns(area.Start) || !node.Owns(area.Value.ReservedEnd - 1) || (area.Value.ReservedEnd - 1) / node.ChunkPages != area.Start / node.ChunkPages)
                        {
                            throw new InvalidOperationException($"Node {node.Id}'s area at page {area.Start} is not inside one of its chunks.");
                        }
                    }

                    if (busy != node.BusyPages || node.Free.Pages + node.Lazy.Pages + busy != (long)node.Chunks.Count * node.ChunkPages)
                    {
                        throw new InvalidOperationException($"Node {node.Id} lost pages: free {node.Free.Pages} + lazy {node.Lazy.Pages} + busy {busy} (counted {node.BusyPages}) != {node.Chunks.Count} chunks.");
                    }

                    foreach (var chunk in node.Chunks)
                    {
                        if (!_nodeByChunk.TryGetValue(chunk / node.ChunkPages, out var owner) || owner != node || _busy.Floor(chunk) is not { } c || c.Start != chunk || c.Value.Kind != AreaKind.NodeChunk)
                        {
                            throw new InvalidOperationException($"Node {node.Id}'s chunk at page {chunk} is not indexed or not busy in the space.");
                        }
                    }
                }
            }
            finally
            {
                ExitNodes();
            }

            long domain = _endPage + _guardOnAllAreas - _startPage;
            long quarantined = _quarantine?.Pages ?? 0;
            if (_free.Pages + _lazy.Pages + quarantined + reserved != domain)
            {
                throw new InvalidOperationException($"Pages lost: free {_free.Pages} + lazy {_lazy.Pages} + quarantined {quarantined} + busy {reserved} != {domain}.");
            }
        }
    }
}
