using Vmap.Areas;

namespace Vmap;

public sealed partial class VmapSpace
{
    /// <summary>How far the nearest-mapping search walks past areas with no live mapping (empty blocks, areas in flight).</summary>
    private const int NearestSearchSteps = 64;

    /// <summary>
    /// Finds the live mapping an unmap releases, or throws the misuse: every check runs before
    /// anything changes (the kernel's BUG_ONs in vm_unmap_ram and vb_free, as typed errors).
    /// </summary>
    private LiveMapping CheckUnmap(nint address, int? pageCount, string family)
    {
        long addr = address;
        // Built only on the way to a throw: the valid path must not pay for the message.
        string Call() => pageCount is int n ? $"{Family.ReleaseApi(family)}(0x{addr:x}, {n})" : $"{Family.ReleaseApi(family)}(0x{addr:x})";
        long page = addr >> _pageShift;
        if (address < Start || address >= End)
        {
            throw Misuse(RuleIds.VMAP001, Call(), address, $"0x{addr:x} is outside the space [0x{(long)Start:x}, 0x{(long)End:x})", Math.Clamp(page, _startPage, _endPage - 1));
        }

        if ((addr & (Geometry.PageSize - 1)) != 0)
        {
            // The SET_PTR shape usually lands here: a pointer into the middle of someone's mapping.
            var inside = FindLive(page, out var holder)
                ? $": it points 0x{addr - (long)AddressOf(holder.Start):x} bytes into a live mapping, not at its start"
                : string.Empty;
            throw Misuse(RuleIds.VMAP001, Call(), address, $"0x{addr:x} is not page-aligned (page size {Geometry.PageSize}){inside}", page);
        }

        if (pageCount <= 0)
        {
            throw Misuse(RuleIds.VMAP005, Call(), address, $"the page count must be positive, not {pageCount}", page);
        }

        if (!FindLive(page, out var mapping))
        {
            if (FindUnmapped(page) is { } unmapped)
            {
                throw Misuse(RuleIds.VMAP003, Call(), address, $"0x{addr:x} was already unmapped (a {unmapped.Family} mapping of {PagesText(unmapped.Pages)})", page, _unmapped.UnmapSite(page));
            }

            throw Misuse(RuleIds.VMAP001, Call(), address, $"0x{addr:x} is not the start of a live mapping (reassigned, offset or foreign pointer)", page);
        }

        if (mapping.Start != page)
        {
            throw Misuse(RuleIds.VMAP001, Call(), address, $"0x{addr:x} is inside a live mapping, 0x{addr - (long)AddressOf(mapping.Start):x} bytes past its start", page);
        }

        if (mapping.Family != family)
        {
            throw Misuse(RuleIds.VMAP006, Call(), address, $"0x{addr:x} is a {mapping.Family} mapping; release it with {Family.ReleaseApi(mapping.Family)}", page);
        }

        if (pageCount is int count && count != mapping.Pages)
        {
            throw Misuse(RuleIds.VMAP005, Call(), address, $"the mapping at 0x{addr:x} has {PagesText(mapping.Pages)}, not {count}", page);
        }

        return mapping;
    }

    /// <summary>The live mapping containing <paramref name="page"/>. A block is read under its own lock; an area needs the area lock.</summary>
    private bool FindLive(long page, out LiveMapping mapping)
    {
        if (_blocks.ByPage(page) is { } block)
        {
            lock (block)
            {
                int at = block.MappingCovering((int)(page - block.Start));
                int pages = at < 0 ? 0 : block.MappingAt(at);
                mapping = new LiveMapping(block.Area, block, block.Start + at, pages, at < 0 ? null : block.ProvenanceAt(at));
                return pages > 0;
            }
        }

        if (FindLiveInNode(page, out mapping))
        {
            return true;
        }

        var node = _busy.Floor(page);
        if (node is not null && page < node.End && node.Value.Block is null && node.Value.Live)
        {
            var area = node.Value;
            mapping = new LiveMapping(area, null, area.Start, area.Pages, area.Provenance);
            return true;
        }

        mapping = default;
        return false;
    }

    /// <summary>The unmapped mapping that started at <paramref name="page"/> and whose address nobody has taken since.</summary>
    private UnmappedMapping? FindUnmapped(long page)
    {
        if (_blocks.ByPage(page) is { } block)
        {
            lock (block)
            {
                int offset = (int)(page - block.Start);
                int mapped = block.MappingAt(offset);
                return mapped < 0 ? new UnmappedMapping(Family.Ram, -mapped, block.ProvenanceAt(offset)) : null;
            }
        }

        if (NodeOf(page) is { } owner)
        {
            lock (owner)
            {
                if (owner.Owns(page))
                {
                    return owner.Unmapped.Find(page);
                }
            }
        }

        return _unmapped.Find(page);
    }

    private VmapMisuseException Misuse(string rule, string call, nint address, string problem, long page, string? unmappedAt = null)
    {
        string nearestText;
        nint? nearest = null;
        int nearestPages = 0;
        if (FindNearestLive(page, out var m))
        {
            nearest = AddressOf(m.Start);
            nearestPages = m.Pages;
            nearestText = $"Nearest live mapping: 0x{(long)AddressOf(m.Start):x}, {PagesText(m.Pages)} ({(long)m.Pages * Geometry.PageSize} bytes, {m.Family}).";
            if (m.Provenance is not null)
            {
                nearestText += $" It was mapped at:{Environment.NewLine}{m.Provenance}";
            }
        }
        else
        {
            nearestText = "No mapping is live.";
        }

        if (unmappedAt is not null)
        {
            nearestText += $" It was first unmapped at:{Environment.NewLine}{unmappedAt}";
        }

        return new VmapMisuseException(rule, $"{rule}: {call}: {problem}. {nearestText}", address, nearest, nearestPages);
    }

    private static string PagesText(int pages) => pages == 1 ? "1 page" : $"{pages} pages";

    /// <summary>The live mapping containing <paramref name="page"/>, else the closest one below or above it (below wins a tie).</summary>
    private bool FindNearestLive(long page, out LiveMapping nearest)
    {
        if (FindLive(page, out nearest))
        {
            return true;
        }

        bool hasBelow = FindLiveBelow(page, out var below);
        bool hasAbove = FindLiveAbove(page, out var above);
        if (hasBelow && (!hasAbove || page - (below.End - 1) <= above.Start - page))
        {
            nearest = below;
            return true;
        }

        nearest = above;
        return hasAbove;
    }

    private bool FindLiveBelow(long page, out LiveMapping found)
    {
        var node = _busy.Floor(page);
        for (int step = 0; node is not null && step < NearestSearchSteps; step++)
        {
            var area = node.Value;
            if (area.Kind == AreaKind.NodeChunk)
            {
                var last = LiveInChunk(area).LastOrDefault(m => m.Start <= page);
                if (last.Pages > 0)
                {
                    found = last;
                    return true;
                }
            }
            else if (area.Block is null)
            {
                if (area.Live)
                {
                    found = new LiveMapping(area, null, area.Start, area.Pages, area.Provenance);
                    return true;
                }
            }
            else
            {
                lock (area.Block)
                {
                    var last = area.Block.LiveMappings().LastOrDefault(m => area.Start + m.Offset <= page);
                    if (last.Pages > 0)
                    {
                        found = new LiveMapping(area, area.Block, area.Start + last.Offset, last.Pages, area.Block.ProvenanceAt(last.Offset));
                        return true;
                    }
                }
            }

            node = _busy.Floor(area.Start - 1);
        }

        found = default;
        return false;
    }

    private bool FindLiveAbove(long page, out LiveMapping found)
    {
        // A block that starts below the page may still hold live mappings above it.
        var node = _busy.Floor(page) ?? _busy.Ceiling(page);
        for (int step = 0; node is not null && step < NearestSearchSteps; step++)
        {
            var area = node.Value;
            if (area.Kind == AreaKind.NodeChunk)
            {
                var first = LiveInChunk(area).FirstOrDefault(m => m.Start > page);
                if (first.Pages > 0)
                {
                    found = first;
                    return true;
                }
            }
            else if (area.Block is null)
            {
                if (area.Start > page && area.Live)
                {
                    found = new LiveMapping(area, null, area.Start, area.Pages, area.Provenance);
                    return true;
                }
            }
            else
            {
                lock (area.Block)
                {
                    var first = area.Block.LiveMappings().FirstOrDefault(m => area.Start + m.Offset > page);
                    if (first.Pages > 0)
                    {
                        found = new LiveMapping(area, area.Block, area.Start + first.Offset, first.Pages, area.Block.ProvenanceAt(first.Offset));
                        return true;
                    }
                }
            }

            node = _busy.Ceiling(area.Start + 1);
        }

        found = default;
        return false;
    }
}
