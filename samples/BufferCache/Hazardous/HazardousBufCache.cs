using System.Collections.Generic;
using BufferCache.Cache;
using BufferCache.Log;
using Vmap;

namespace BufferCache.Hazardous;

/// <summary>
/// The cache with the log's two 2011 bugs left in: the split write re-points a mapped buffer
/// (bugzilla 27002's first suspect) and recovery unmaps with the wrong count (its real cause).
/// The build flags both; at run time the space refuses the bad unmap.
/// </summary>
public sealed class HazardousBufCache(VmapSpace space, BufferMemory memory, BlockDevice device, int lruLimit)
    : XfsBufCache(space, memory, device, lruLimit)
{
    /// <inheritdoc />
    public override string Variant => "hazardous";

    /// <summary>
    /// XFS_BUF_SET_PTR as xlog_sync used it: the buffer still says Mapped, so
    /// <see cref="XfsBufCache.Free"/> will unmap an address MapRam never returned, and the
    /// mapping the buffer had is lost.
    /// </summary>
    public override void SetPtr(XfsBuf bp, nint addr, int length)
    {
        bp.Addr = addr;
        bp.Length = length;
    }

    /// <summary>
    /// Maps one page more than the log so a wrapped record reads contiguously, but unmaps the
    /// log's page count: the count was added when the code moved from Vunmap, which takes none.
    /// </summary>
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
            Space.UnmapRam(addr, Xlog.LogPages);
            FreePages(pages);
        }
    }
}
