using Vmap.Areas;

namespace Vmap.Blocks;

/// <summary>
/// A vmap block (struct vmap_block): one area, aligned to its own size, from which small MapRam
/// mappings are handed out front to back. Unmapped pages turn dirty rather than free: like the
/// kernel, a block never reuses a range (its TLB entries are flushed lazily), it is freed whole
/// once its last mapping goes and its tail is too short for another block request, or purged once
/// no live mapping is left in it.
/// </summary>
/// <remarks>
/// The block's own monitor (vb->lock) guards everything below; the block path maps and unmaps
/// under it alone. <see cref="FreeHint"/> may be read without it, as a hint.
/// </remarks>
internal sealed class VmapBlock
{
    // > 0: a live mapping of that many pages starts at this offset; < 0: an unmapped one did; 0: neither.
    private readonly int[] _maps;
    private string?[]? _provenance;

    // The pages each mapping shows, at its offsets: the block's own copy of the caller's list (so a
    // block map allocates nothing), pinned in the pool until the mapping is unmapped.
    private Page[]? _pages;
    private int _freeOffset;

    /// <summary>Allocates everything the block will need (the first map's caller undoes nothing else if this runs out of memory).</summary>
    public VmapBlock(VmapArea area, int cpu, bool trackProvenance)
    {
        Area = area;
        Cpu = cpu;
        _maps = new int[area.Pages];
        _pages = new Page[area.Pages];
        _provenance = trackProvenance ? new string?[area.Pages] : null;
        area.Block = this;
    }

    public VmapArea Area { get; }

    /// <summary>The CPU whose queue the block belongs to.</summary>
    public int Cpu { get; }

    public long Start => Area.Start;

    public int Pages => _maps.Length;

    /// <summary>First page of the untouched tail; everything before it was handed out.</summary>
    public int FreeOffset => _freeOffset;

    public int Free => Pages - _freeOffset;

    /// <summary><see cref="Free"/>, readable without the lock: it may be stale by the time the lock is taken.</summary>
    public int FreeHint => Pages - Volatile.Read(ref _freeOffset);

    public int Dirty { get; private set; }

    /// <summary>The dirty range [DirtyMin, DirtyMax) that a flush would cover; empty while clean.</summary>
    public int DirtyMin { get; private set; } = int.MaxValue;

    public int DirtyMax { get; private set; }

    public int LivePages => _freeOffset - Dirty;

    /// <summary>Live mappings in the block.</summary>
    public int LiveCount { get; private set; }

    public bool IsFullyDirty => Dirty == Pages;

    /// <summary>
    /// Set, under the block's lock, by whoever decides to free the block: nothing is carved from it
    /// any more, and that caller (or a purge, whichever gets the area lock first) frees it.
    /// </summary>
    public bool Dead { get; set; }

    /// <summary>Freed: out of the index and the queues, its area lazily freed. Under the area lock.</summary>
    public bool Unlinked { get; set; }

    /// <summary>On its CPU's queue. Under the queue's lock.</summary>
    internal bool Queued { get; set; }

    public int Alloc(int count, string? provenance, ReadOnlySpan<Page> pages)
    {
        // Allocates nothing: a map into a block cannot run out of memory half way.
        int offset = _freeOffset;
        _maps[offset] = count;
        if (_provenance is not null)
        {
            _provenance[offset] = provenance;
        }

        pages.CopyTo(_pages.AsSpan(offset));
        LiveCount++;
        Volatile.Write(ref _freeOffset, offset + count);
        return offset;
    }

    /// <summary>Takes back the latest <see cref="Alloc"/> when the backend refused to map it.</summary>
    public void UndoAlloc(int offset)
    {
        _maps[offset] = 0;
        if (_provenance is not null)
        {
            _provenance[offset] = null;
        }

        LiveCount--;
        Volatile.Write(ref _freeOffset, offset);
    }

    /// <summary>The block is freed: its page copies are not needed any more (its records, kept for double-unmap checks, are).</summary>
    public void DropPages() => _pages = null;

    /// <summary>The pages the mapping at <paramref name="offset"/> shows (the block's copy).</summary>
    public ReadOnlySpan<Page> PagesAt(int offset, int count) => _pages.AsSpan(offset, count);

    /// <summary>vb_free: the mapping at <paramref name="offset"/> turns dirty; returns the pages it pinned.</summary>
    public ReadOnlySpan<Page> FreeRange(int offset)
    {
        int count = _maps[offset];
        _maps[offset] = -count;
        Dirty += count;
        LiveCount--;
        DirtyMin = Math.Min(DirtyMin, offset);
        DirtyMax = Math.Max(DirtyMax, offset + count);
        return _pages.AsSpan(offset, count);
    }

    /// <summary>The mapping record at <paramref name="offset"/>: pages if live, minus pages if unmapped, 0 if none starts there.</summary>
    public int MappingAt(int offset) => _maps[offset];

    public string? ProvenanceAt(int offset) => _provenance?[offset];

    /// <summary>Characters of the stack traces the block keeps.</summary>
    public long ProvenanceChars() => _provenance?.Sum(p => (long)(p?.Length ?? 0)) ?? 0;

    /// <summary>The block's range left the quarantine: its traces go, its records stay.</summary>
    public void DropProvenance() => _provenance = null;

    /// <summary>The offset of the mapping (live or unmapped) that covers <paramref name="offset"/>, or -1 in the untouched tail.</summary>
    public int MappingCovering(int offset)
    {
        if (offset >= _freeOffset)
        {
            return -1;
        }

        // Every handed-out page belongs to exactly one mapping, so the first record at or below is its start.
        while (_maps[offset] == 0)
        {
            offset--;
        }

        return offset;
    }

    /// <summary>Live mappings as (offset, pages), in address order; the caller holds the lock.</summary>
    public List<(int Offset, int Pages)> LiveMappings()
    {
        var list = new List<(int, int)>();
        for (int i = 0; i < _freeOffset; i++)
        {
            if (_maps[i] > 0)
            {
                list.Add((i, _maps[i]));
            }
        }

        return list;
    }
}
