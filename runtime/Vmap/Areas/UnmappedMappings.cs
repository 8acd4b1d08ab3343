using Vmap.Blocks;

namespace Vmap.Areas;

/// <summary>
/// What was unmapped and not yet reused, so a second unmap of the same start is reported as a
/// double unmap (VMAP003) rather than as an unknown address. Block mappings keep their record in
/// their block while it lives; when a block is freed the whole block is kept here. A record is
/// forgotten as soon as any new area overlaps it: from then on the address belongs to someone else.
/// </summary>
internal sealed class UnmappedMappings
{
    private readonly AreaTree<UnmappedMapping> _areas = new();
    private readonly Dictionary<long, VmapBlock> _deadBlocks = new();

    // Where each unmapped mapping was unmapped (TrackProvenance only), block mappings included.
    private readonly AreaTree<string> _unmapSites = new();
    private readonly int _blockPages;

    public UnmappedMappings(int blockPages) => _blockPages = blockPages;

    public void Add(VmapArea area) =>
        _areas.Insert(area.Start, area.End, new UnmappedMapping(area.Family, area.Pages, area.Provenance));

    public void AddBlock(VmapBlock block) => _deadBlocks[block.Start / _blockPages] = block;

    public void AddUnmapSite(long start, int pages, string site) => _unmapSites.Insert(start, start + pages, site);

    /// <summary>Forgets the record <see cref="Add"/> made for <paramref name="area"/> (and its unmap site): the unmap did not happen after all.</summary>
    public void Remove(VmapArea area, bool withSite)
    {
        _areas.Remove(area.Start);
        if (withSite)
        {
            _unmapSites.Remove(area.Start);
        }
    }

    /// <summary>Where the mapping that started at <paramref name="page"/> was unmapped, if recorded.</summary>
    public string? UnmapSite(long page)
    {
        var node = _unmapSites.Floor(page);
        return node is not null && node.Start == page ? node.Value : null;
    }

    /// <summary>The unmapped mapping that started exactly at <paramref name="page"/>.</summary>
    public UnmappedMapping? Find(long page)
    {
        var node = _areas.Floor(page);
        if (node is not null && node.Start == page)
        {
            return node.Value;
        }

        if (_deadBlocks.TryGetValue(page / _blockPages, out var block))
        {
            int offset = (int)(page - block.Start);
            int mapped = block.MappingAt(offset);
            if (mapped < 0)
            {
                return new UnmappedMapping(Family.Ram, -mapped, block.ProvenanceAt(offset));
            }
        }

        return null;
    }

    /// <summary>Forgets every record that overlaps the new area [start, end).</summary>
    public void ForgetOverlapping(long start, long end)
    {
        // Records are disjoint, so walking down from the last one that starts before the end finds
        // every overlap; the common case (none) costs one descent.
        Forget(_areas, start, end);
        Forget(_unmapSites, start, end);

        if (_deadBlocks.Count == 0)
        {
            return;
        }

        long first = start / _blockPages, last = (end - 1) / _blockPages;
        if (last - first + 1 <= _deadBlocks.Count)
        {
            for (long i = first; i <= last; i++)
            {
                _deadBlocks.Remove(i);
            }
        }
        else
        {
            // Removing while enumerating is allowed for Dictionary, and allocates nothing: a commit runs after the backend mapped.
            foreach (var i in _deadBlocks.Keys)
            {
                if (i >= first && i <= last)
                {
                    _deadBlocks.Remove(i);
                }
            }
        }
    }

    public int Count => _areas.Count + _deadBlocks.Count;

    /// <summary>
    /// Hands the records of mappings that lay in [start, end) to <paramref name="to"/>: a vmap node
    /// gives its chunk back to the space, and the records of what it unmapped there go with it, so
    /// a stale unmap is still told apart until a new mapping takes the address.
    /// </summary>
    public void MoveTo(long start, long end, UnmappedMappings to)
    {
        for (var node = _areas.Floor(end - 1); node is not null && node.Start >= start; node = _areas.Floor(node.Start - 1))
        {
            to._areas.Insert(node.Start, node.End, node.Value);
            _areas.Remove(node.Start);
        }
    }

    /// <summary>Bytes of the stack traces kept by the records in [start, end) (two bytes a character).</summary>
    public long TraceBytes(long start, long end)
    {
        long chars = 0;
        for (var node = _areas.Floor(end - 1); node is not null && node.End > start; node = _areas.Floor(node.Start - 1))
        {
            chars += node.Value.Provenance?.Length ?? 0;
        }

        for (var node = _unmapSites.Floor(end - 1); node is not null && node.End > start; node = _unmapSites.Floor(node.Start - 1))
        {
            chars += node.Value.Length;
        }

        foreach (var block in DeadBlocks(start, end))
        {
            chars += block.ProvenanceChars();
        }

        return chars * 2;
    }

    /// <summary>
    /// Drops the stack traces of the records in [start, end), keeping the records: a range that
    /// leaves the quarantine keeps no traces, so what provenance holds stays bounded in bytes. A
    /// stale unmap there is still refused as VMAP003, without the sites.
    /// </summary>
    public void StripTraces(long start, long end)
    {
        for (var node = _areas.Floor(end - 1); node is not null && node.End > start; node = _areas.Floor(node.Start - 1))
        {
            node.Value.Provenance = null;
        }

        Forget(_unmapSites, start, end);
        foreach (var block in DeadBlocks(start, end))
        {
            block.DropProvenance();
        }
    }

    private IEnumerable<VmapBlock> DeadBlocks(long start, long end)
    {
        if (_deadBlocks.Count == 0)
        {
            yield break;
        }

        for (long i = start / _blockPages, last = (end - 1) / _blockPages; i <= last; i++)
        {
            if (_deadBlocks.TryGetValue(i, out var block))
            {
                yield return block;
            }
        }
    }

    private static void Forget<T>(AreaTree<T> tree, long start, long end)
    {
        var node = tree.Floor(end - 1);
        while (node is not null && node.End > start)
        {
            long below = node.Start - 1;
            tree.Remove(node.Start);
            node = tree.Floor(below);
        }
    }
}

/// <summary>The record of one unmapped mapping.</summary>
internal sealed record UnmappedMapping(string Family, int Pages, string? Provenance)
{
    /// <summary>Where the mapping was made; dropped once its range leaves the quarantine.</summary>
    public string? Provenance { get; set; } = Provenance;
}
