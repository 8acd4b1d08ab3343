using System.Collections.Generic;
using BufferCache.Cache;
using BufferCache.Log;
using Vmap;

namespace BufferCache.Fixed;

/// <summary>
/// The cache after the analyzers' code fixes: the split write unmaps the buffer's own mapping and
/// clears Mapped before re-pointing it (VMAP001's fix), and recovery unmaps the count it mapped
/// (VMAP005's fix). Everything else is shared with the hazardous cache.
/// </summary>
public sealed class FixedBufCache(VmapSpace space, BufferMemory memory, BlockDevice device, int lruLimit)
    : XfsBufCache(space, memory, device, lruLimit)
{
    /// <inheritdoc />
    public override string Variant => "fixed";

    /// <summary>XFS_BUF_SET_PTR that first releases what the free path would have released, so free no longer unmaps.</summary>
    public override void SetPtr(XfsBuf bp, nint addr, int length)
    {
        if (bp.Mapped && bp.PageCount > 1)
        {
            Space.UnmapRam(bp.Addr, bp.PageCount);
            bp.Mapped = false;
        }

        bp.Addr = addr;
        bp.Length = length;
    }

    /// <summary>Maps one page more than the log so a wrapped record reads contiguously, and unmaps what it mapped.</summary>
    public override IReadOnlyList<LogRecord> ReadLog(long logStart)
    {
        var pages = new Page[Xlog.LogPages + 1];
        AllocatePages(pages);
        nint addr = Space.MapRam(pages);
        try
        {
            // A log start outside the device throws from the read: the mapping must not leak then.
            return Memory.HoldsData ? ScanLog(Space.GetSpan(addr, pages.Length * PageSize), logStart) : [];
        }
        finally
        {
            Space.UnmapRam(addr, pages.Length);
            FreePages(pages);
        }
    }
}
