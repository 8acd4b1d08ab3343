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
            var list = new List<VmapAreaInfo>();
            foreach (var node in _busy.InOrder())
            {
                var area = node.Value;
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

            foreach (var (start, end) in _lazy.Pending)
            {
                list.Add(new VmapAreaInfo(AddressOf(start), Math.Min(end, _endPage) - start, VmapAreaKind.LazilyFreed));
            }

            foreach (var (start, end) in _quarantine?.Ranges ?? [])
            {
                if (start < _endPage)
                {
                    list.Add(new VmapAreaInfo(AddressOf(start), Math.Min(end, _endPage) - start, VmapAreaKind.Quarantined));
                }
            }

            foreach (var (start, end) in _free.Ranges())
            {
                if (start < _endPage)
                {
                    list.Add(new VmapAreaInfo(AddressOf(start), Math.Min(end, _endPage) - start, VmapAreaKind.Free));
                }
            }

            list.Sort((a, b) => ((long)a.Start).CompareTo(b.Start));
            return list;
        }
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

        return new VmapStats
        {
            TotalPages = Geometry.TotalPages,
            LiveMappings = _liveMappings + blockMappings,
            LiveAreas = _busy.Count,
            Blocks = blocks,
            MappedPages = _mappedPages + blockMapped,
            FreePages = freePages,
            LargestFreeRun = largest,
            LazilyFreedPages = _lazy.Pages,
            QuarantinedPages = _quarantine?.Pages ?? 0,
            QuarantinedTraceBytes = _quarantine?.Bytes ?? 0,
            BlockFreePages = blockFree,
            BlockDirtyPages = blockDirty,
            GuardPages = _guardPages,
            Purges = _purges,
            RetriedMaps = _retriedMaps,
            FailedMaps = _failedMaps,
        };
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

            long domain = _endPage + _guardOnAllAreas - _startPage;
            long quarantined = _quarantine?.Pages ?? 0;
            if (_free.Pages + _lazy.Pages + quarantined + reserved != domain)
            {
                throw new InvalidOperationException($"Pages lost: free {_free.Pages} + lazy {_lazy.Pages} + quarantined {quarantined} + busy {reserved} != {domain}.");
            }
        }
    }
}
