using Vmap.Areas;

namespace Vmap.Blocks;

/// <summary>
/// A vmap block (struct vmap_block): one area, aligned to its own size, from which small MapRam
/// mappings are handed out front to back. Unmapped pages turn dirty rather than free: like the
/// kernel, a block never reuses a range (its TLB entries are flushed lazily), it is freed whole
/// once every page is dirty, or purged once no live mapping is left in it.
/// </summary>
internal sealed class VmapBlock
{
    // > 0: a live mapping of that many pages starts at this offset; < 0: an unmapped one did; 0: neither.
    private readonly int[] _maps;
    private string?[]? _provenance;

    public VmapBlock(VmapArea area, int cpu)
    {
        Area = area;
        Cpu = cpu;
        _maps = new int[area.Pages];
        area.Block = this;
    }

    public VmapArea Area { get; }

    /// <summary>The CPU whose queue the block belongs to.</summary>
    public int Cpu { get; }

    public long Start => Area.Start;

    public int Pages => _maps.Length;

    /// <summary>First page of the untouched tail; everything before it was handed out.</summary>
    public int FreeOffset { get; private set; }

    public int Free => Pages - FreeOffset;

    public int Dirty { get; private set; }

    /// <summary>The dirty range [DirtyMin, DirtyMax) that a flush would cover; empty while clean.</summary>
    public int DirtyMin { get; private set; } = int.MaxValue;

    public int DirtyMax { get; private set; }

    public int LivePages => FreeOffset - Dirty;

    public bool IsFullyDirty => Dirty == Pages;

    /// <summary>No live mapping left, yet not all dirty: only a purge gives the rest of the block back.</summary>
    public bool IsFragmented => LivePages == 0 && !IsFullyDirty;

    internal LinkedListNode<VmapBlock>? QueueNode { get; set; }

    public int Alloc(int count, string? provenance)
    {
        int offset = FreeOffset;
        _maps[offset] = count;
        if (provenance is not null)
        {
            (_provenance ??= new string?[Pages])[offset] = provenance;
        }

        FreeOffset += count;
        return offset;
    }

    /// <summary>Takes back the latest <see cref="Alloc"/> when the backend refused to map it.</summary>
    public void UndoAlloc(int offset)
    {
        FreeOffset = offset;
        _maps[offset] = 0;
        if (_provenance is not null)
        {
            _provenance[offset] = null;
        }
    }

    /// <summary>vb_free: the mapping at <paramref name="offset"/> turns dirty.</summary>
    public void FreeRange(int offset)
    {
        int count = _maps[offset];
        _maps[offset] = -count;
        Dirty += count;
        DirtyMin = Math.Min(DirtyMin, offset);
        DirtyMax = Math.Max(DirtyMax, offset + count);
    }

    /// <summary>The mapping record at <paramref name="offset"/>: pages if live, minus pages if unmapped, 0 if none starts there.</summary>
    public int MappingAt(int offset) => _maps[offset];

    public string? ProvenanceAt(int offset) => _provenance?[offset];

    /// <summary>The offset of the mapping (live or unmapped) that covers <paramref name="offset"/>, or -1 in the untouched tail.</summary>
    public int MappingCovering(int offset)
    {
        if (offset >= FreeOffset)
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

    /// <summary>Live mappings as (offset, pages), in address order.</summary>
    public IEnumerable<(int Offset, int Pages)> LiveMappings()
    {
        for (int i = 0; i < FreeOffset; i++)
        {
            if (_maps[i] > 0)
            {
                yield return (i, _maps[i]);
            }
        }
    }
}
