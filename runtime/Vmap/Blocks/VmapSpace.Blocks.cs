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

    /// <summary>
    /// vb_free: the range turns dirty. A block whose last live mapping goes is freed when its
    /// untouched tail can no longer take a VMAP_MAX_ALLOC request (a fully dirty block is the case
    /// the kernel knows): a request size that does not divide the block leaves such a tail for good,
    /// and without this every such block stayed queued, empty, and scanned by every map.
    /// </summary>
    private void VbFree(VmapBlock block, int offset)
    {
        block.FreeRange(offset);
        if (IsSpent(block))
        {
            FreeBlock(block);
        }
    }

    /// <summary>
    /// No live mapping and a tail too short for a block request. A block with a longer tail stays:
    /// it is the newest block of its queue (a new block is made only when every queued one is
    /// shorter than the request), so each CPU keeps at most one such empty block, for its next maps.
    /// </summary>
    private bool IsSpent(VmapBlock block) => block.LivePages == 0 && block.Free < Geometry.MaxBlockAlloc;

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
