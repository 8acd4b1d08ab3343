using Vmap.Areas;
using Vmap.Blocks;

namespace Vmap;

public sealed partial class VmapSpace
{
    /// <summary>
    /// vb_alloc: a range of <paramref name="count"/> pages from a block on <paramref name="cpu"/>'s
    /// queue, else from a new block; then (our additions, each behind an option) from another CPU's
    /// block, then from a plain area of exactly that size.
    /// </summary>
    private Placement VbAlloc(int count, int cpu, string? provenance)
    {
        var block = _blocks.FindWithFree(cpu, count);
        if (block is null)
        {
            var area = AllocArea(AreaKind.Block, Geometry.BlockPages, Geometry.BlockPages, _guardOnAllAreas, null).Area;
            if (area is not null)
            {
                block = new VmapBlock(area, cpu);
                _blocks.Add(block);
            }
        }

        if (block is null && Options.StealFromOtherCpus)
        {
            block = _blocks.StealWithFree(cpu, count);
        }

        if (block is null)
        {
            return Options.FallbackToPlainArea ? AllocArea(AreaKind.Ram, count, 1, _guardOnAllAreas, provenance) : default;
        }

        int offset = block.Alloc(count, provenance);
        if (block.Free == 0)
        {
            _blocks.Dequeue(block);
        }

        return new Placement(block.Area, block, block.Start + offset);
    }

    /// <summary>vb_free: the range turns dirty; a block whose every page is dirty is freed.</summary>
    private void VbFree(VmapBlock block, int offset)
    {
        block.FreeRange(offset);
        if (block.IsFullyDirty)
        {
            FreeBlock(block);
        }
    }

    private void FreeBlock(VmapBlock block)
    {
        _blocks.Remove(block);
        _unmapped.AddBlock(block);
        FreeArea(block.Area);
    }

    /// <summary>purge_fragmented_blocks: a block with no live mapping left gives its dirty and untouched pages back.</summary>
    private void PurgeFragmentedBlocks()
    {
        foreach (var block in _blocks.Fragmented())
        {
            FreeBlock(block);
        }
    }
}
