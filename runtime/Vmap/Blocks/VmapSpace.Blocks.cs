using Vmap.Blocks;

namespace Vmap;

/// <summary>
/// The block path, as the kernel's vb_alloc and vb_free run it: a map takes its CPU's queue (read
/// without a lock) and one block's lock, and an unmap finds its block by address without any lock
/// and takes that block's lock; the backend's syscalls run under the block's lock only. The area
/// lock is taken to make a block, to free one, and on the retry after a purge.
/// </summary>
public sealed partial class VmapSpace
{
    private enum BlockMapResult
    {
        Mapped,
        NoRoom,
        Refused,
    }

    /// <summary>vb_alloc's common case: a block on <paramref name="cpu"/>'s queue has room. No area lock.</summary>
    private BlockMapResult VbMapFast(int cpu, int count, ReadOnlySpan<Page> pages, string? provenance, out nint address)
    {
        var block = _blocks.LockWithFree(cpu, count);
        if (block is null)
        {
            address = 0;
            return BlockMapResult.NoRoom;
        }

        try
        {
            return MapInBlock(block, count, pages, provenance, out address);
        }
        finally
        {
            Monitor.Exit(block);
        }
    }

    /// <summary>
    /// vb_alloc under the area lock: a block with room, else a new block, else (our additions,
    /// each behind an option) another CPU's block; NoRoom lets the caller fall back to a plain area.
    /// </summary>
    private BlockMapResult VbMapLocked(int count, int cpu, ReadOnlySpan<Page> pages, string? provenance, out nint address)
    {
        // Another thread may have made room since the fast path looked.
        var block = _blocks.LockWithFree(cpu, count);
        if (block is null)
        {
            var placement = AllocArea(Areas.AreaKind.Block, Geometry.BlockPages, Geometry.BlockPages, _guardOnAllAreas, null);
            if (placement.Area is { } area)
            {
                VmapBlock fresh;
                try
                {
                    // A block's records are as large as the block: out of memory gives the area back.
                    FaultHook?.Invoke(FaultSteps.Block);
                    fresh = new VmapBlock(area, cpu, Options.TrackProvenance);
                }
                catch
                {
                    Unplace(placement);
                    throw;
                }

                return MapInNewBlock(fresh, count, pages, provenance, out address);
            }
        }

        if (block is null && Options.StealFromOtherCpus)
        {
            block = _blocks.LockWithFreeElsewhere(cpu, count);
        }

        if (block is null)
        {
            address = 0;
            return BlockMapResult.NoRoom;
        }

        try
        {
            return MapInBlock(block, count, pages, provenance, out address);
        }
        finally
        {
            Monitor.Exit(block);
        }
    }

    /// <summary>Carves the range and maps it; the caller holds the block's lock. A refusal or a throw gives the range back.</summary>
    private BlockMapResult MapInBlock(VmapBlock block, int count, ReadOnlySpan<Page> pages, string? provenance, out nint address)
    {
        // Checked under the block's lock: Dispose passes every block's lock before it releases the backend.
        ObjectDisposedException.ThrowIf(_disposed, this);
        int offset = block.Alloc(count, provenance, pages);
        if (block.Free == 0)
        {
            _blocks.Dequeue(block);
        }

        address = AddressOf(block.Start + offset);
        bool mapped;
        try
        {
            mapped = _backend.Map(address, block.PagesAt(offset, count));
        }
        catch
        {
            block.UndoAlloc(offset);
            _blocks.Enqueue(block);
            throw;
        }

        if (!mapped)
        {
            block.UndoAlloc(offset);
            _blocks.Enqueue(block);
            address = 0;
            return BlockMapResult.Refused;
        }

        return BlockMapResult.Mapped;
    }

    /// <summary>
    /// The first map of a block the caller (holding the area lock) just made. The block becomes
    /// visible only once the map succeeded: a refused or failed first map takes it back as if it had
    /// never been made, so nothing about the space changed.
    /// </summary>
    private BlockMapResult MapInNewBlock(VmapBlock block, int count, ReadOnlySpan<Page> pages, string? provenance, out nint address)
    {
        var placement = new Placement(block.Area, null, block.Start);
        lock (block)
        {
            int offset = block.Alloc(count, provenance, pages);
            address = AddressOf(block.Start + offset);
            bool mapped;
            try
            {
                mapped = _backend.Map(address, block.PagesAt(offset, count));
            }
            catch
            {
                Unplace(placement);
                throw;
            }

            if (!mapped)
            {
                Unplace(placement);
                address = 0;
                return BlockMapResult.Refused;
            }

            try
            {
                // Indexing and queueing the block allocate: should that run out of memory, the
                // first map is undone and the block taken back, as for a refusal.
                FaultHook?.Invoke(FaultSteps.BlockIndex);
                _blocks.Add(block);
            }
            catch
            {
                _blocks.Remove(block);
                _backend.Unmap(address, count);
                block.UndoAlloc(offset);
                Unplace(placement);
                throw;
            }

            // The block's range is claimed by the map that made the block.
            Commit(placement);
            return BlockMapResult.Mapped;
        }
    }

    /// <summary>
    /// vb_free, under the block's lock, for a live mapping at <paramref name="offset"/>: the backend
    /// goes first (if it throws, nothing changed), then the range turns dirty. True when the block is
    /// now spent: the caller frees it under the area lock.
    /// </summary>
    private bool VbUnmap(VmapBlock block, nint address, int offset)
    {
        _backend.Unmap(address, block.MappingAt(offset));
        Pool.Unpin(block.FreeRange(offset));

        if (IsSpent(block))
        {
            block.Dead = true;
            return true;
        }

        return false;
    }

    /// <summary>
    /// No live mapping and a tail too short for a block request: the block is freed when its last
    /// mapping goes (a fully dirty block is the case the kernel knows). A request size that does not
    /// divide the block leaves such a tail for good; without this every such block stayed queued,
    /// empty, and scanned by every map. A block with a longer tail stays: it is the newest block of
    /// its queue (a new block is made only when every queued one is shorter than the request), so
    /// each CPU keeps at most one such empty block, for its next maps.
    /// </summary>
    private bool IsSpent(VmapBlock block) => block.LivePages == 0 && block.Free < Geometry.MaxBlockAlloc;

    /// <summary>Frees a block marked <see cref="VmapBlock.Dead"/>; under the area lock. The first caller frees it, later ones find it gone.</summary>
    private void FreeBlock(VmapBlock block)
    {
        if (block.Unlinked)
        {
            return;
        }

        block.Unlinked = true;
        block.DropPages();
        _blocks.Remove(block);
        _unmapped.AddBlock(block);
        ReleaseArea(block.Area);
    }

    /// <summary>purge_fragmented_blocks: a block with no live mapping left gives its dirty and untouched pages back.</summary>
    private void PurgeFragmentedBlocks()
    {
        foreach (var block in _blocks.All.ToList())
        {
            bool free;
            lock (block)
            {
                if (!block.Dead && block.LivePages == 0)
                {
                    block.Dead = true;
                }

                free = block.Dead;
            }

            if (free)
            {
                FreeBlock(block);
            }
        }
    }
}
