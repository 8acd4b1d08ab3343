using System;
using System.Collections.Generic;
using BufferCache.Log;
using Vmap;

namespace BufferCache.Cache;

/// <summary>
/// The buffer cache, after fs/xfs/xfs_buf.c: buffers keyed by block number in a hash, unused
/// buffers on an LRU that is trimmed from its cold end, multi-page buffers mapped with
/// <see cref="VmapSpace.MapRam"/>. The two variants differ only in the log's pieces
/// (<see cref="SetPtr"/>, <see cref="ReadLog"/>): the hazardous one as XFS had them in 2011, the
/// fixed one as the analyzers' code fixes edit them.
/// </summary>
public abstract class XfsBufCache
{
    private readonly Dictionary<long, XfsBuf> _hash = new();
    private readonly LinkedList<XfsBuf> _lru = new();
    private readonly int _lruLimit;

    /// <summary>Creates a cache over <paramref name="device"/> whose buffers live in <paramref name="space"/>.</summary>
    protected XfsBufCache(VmapSpace space, BufferMemory memory, BlockDevice device, int lruLimit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lruLimit);
        Space = space;
        Memory = memory;
        Device = device;
        _lruLimit = lruLimit;
    }

    /// <summary>Which variant this is, for the sample's output.</summary>
    public abstract string Variant { get; }

    /// <summary>The space the multi-page buffers are mapped in.</summary>
    public VmapSpace Space { get; }

    /// <summary>What stands behind the buffers' addresses.</summary>
    public BufferMemory Memory { get; }

    /// <summary>The disk the buffers cache.</summary>
    public BlockDevice Device { get; }

    /// <summary>Bytes per page of the space's pool.</summary>
    public int PageSize => Space.Pool.PageSize;

    /// <summary>Buffers in the hash: held ones and those waiting on the LRU.</summary>
    public IReadOnlyCollection<XfsBuf> CachedBuffers => _hash.Values;

    /// <summary>Buffers allocated so far (cached and uncached).</summary>
    public int BuffersAllocated { get; private set; }

    /// <summary>Buffers freed so far.</summary>
    public int BuffersFreed { get; private set; }

    /// <summary>Buffers freed because the LRU grew past its limit.</summary>
    public int LruEvictions { get; private set; }

    /// <summary>Mappings made for multi-page buffers.</summary>
    public int Maps { get; private set; }

    /// <summary>
    /// Finds or creates the buffer for <paramref name="block"/> and takes a hold on it
    /// (xfs_buf_get). The bytes are not read; see <see cref="Read"/>.
    /// </summary>
    public XfsBuf Get(long block, int pageCount)
    {
        if (_hash.TryGetValue(block, out XfsBuf? bp))
        {
            if (bp.PageCount != pageCount)
            {
                throw new InvalidOperationException($"Block {block} is cached as {bp.PageCount} pages, not {pageCount}.");
            }

            if (bp.LruNode is not null)
            {
                _lru.Remove(bp.LruNode);
                bp.LruNode = null;
            }

            bp.HoldCount++;
            return bp;
        }

        bp = Allocate(block, pageCount);
        bp.HoldCount = 1;
        _hash.Add(block, bp);
        return bp;
    }

    /// <summary>A buffer outside the hash, as the log uses for its in-core log and split writes (xfs_buf_get_uncached).</summary>
    public XfsBuf GetUncached(int pageCount)
    {
        XfsBuf bp = Allocate(-1, pageCount);
        bp.HoldCount = 1;
        return bp;
    }

    /// <summary><see cref="Get"/>, then the bytes from disk unless the buffer already holds them (xfs_buf_read).</summary>
    public XfsBuf Read(long block, int pageCount)
    {
        XfsBuf bp = Get(block, pageCount);
        if (!bp.Done)
        {
            if (Memory.HoldsData)
            {
                Device.Read(block, Data(bp));
            }

            bp.Done = true;
        }

        return bp;
    }

    /// <summary>Writes the whole buffer to its own block (xfs_bwrite).</summary>
    public void Write(XfsBuf bp)
    {
        WriteAt(bp, bp.BlockNumber, bp.Length);
        bp.Done = true;
    }

    /// <summary>Writes the first <paramref name="length"/> bytes of the buffer at <paramref name="block"/>, as the log aims its uncached buffers.</summary>
    public void WriteAt(XfsBuf bp, long block, int length)
    {
        if (Memory.HoldsData)
        {
            Device.Write(block, Data(bp)[..length]);
        }
    }

    /// <summary>The buffer's bytes, seen at its <see cref="XfsBuf.Addr"/> (xfs_buf_offset).</summary>
    public Span<byte> Data(XfsBuf bp) => Memory.At(bp.Addr, bp.Length);

    /// <summary>Drops a hold (xfs_buf_rele); an unused cached buffer goes to the LRU, the coldest beyond the limit are freed.</summary>
    public void Release(XfsBuf bp)
    {
        if (bp.HoldCount <= 0)
        {
            throw new InvalidOperationException($"Buffer at block {bp.BlockNumber} is released more often than it was held.");
        }

        if (--bp.HoldCount > 0 || bp.BlockNumber < 0)
        {
            return;
        }

        bp.LruNode = _lru.AddLast(bp);
        while (_lru.Count > _lruLimit)
        {
            XfsBuf cold = _lru.First!.Value;
            Evict(cold);
            LruEvictions++;
        }
    }

    /// <summary>
    /// Unmaps the buffer when it was mapped and frees its pages (xfs_buf_free). It trusts
    /// <see cref="XfsBuf.Mapped"/>, <see cref="XfsBuf.Addr"/> and <see cref="XfsBuf.PageCount"/>,
    /// exactly as xfs_buf_free trusted XBF_MAPPED, b_addr and b_page_count.
    /// </summary>
    public void Free(XfsBuf bp)
    {
        if (bp.Mapped && bp.PageCount > 1)
        {
            Space.UnmapRam(bp.Addr, bp.PageCount);
        }

        FreePages(bp.Pages);
        BuffersFreed++;
    }

    /// <summary>Frees every unused cached buffer (xfs_buftarg_drain); a buffer still held is a caller's bug.</summary>
    public void Unmount()
    {
        foreach (XfsBuf bp in _hash.Values)
        {
            if (bp.HoldCount > 0)
            {
                throw new InvalidOperationException($"Buffer at block {bp.BlockNumber} is still held ({bp.HoldCount}) at unmount.");
            }
        }

        while (_lru.First is { } node)
        {
            Evict(node.Value);
        }
    }

    /// <summary>
    /// Points <paramref name="bp"/> at other memory for one I/O (XFS_BUF_SET_PTR): the log's split
    /// write sends the part of a record that wraps past the end of the log through a second buffer.
    /// </summary>
    public abstract void SetPtr(XfsBuf bp, nint addr, int length);

    /// <summary>
    /// Log recovery's read (xlog_do_recovery_pass): the whole on-disk log at
    /// <paramref name="logStart"/> through one mapping; returns the records found.
    /// </summary>
    public abstract IReadOnlyList<LogRecord> ReadLog(long logStart);

    /// <summary>Fills <paramref name="pages"/> with pages from the space's pool.</summary>
    protected void AllocatePages(Span<Page> pages)
    {
        for (int i = 0; i < pages.Length; i++)
        {
            pages[i] = Space.Pool.Allocate();
        }
    }

    /// <summary>Returns <paramref name="pages"/> to the space's pool.</summary>
    protected void FreePages(Page[] pages)
    {
        foreach (Page page in pages)
        {
            Space.Pool.Free(page);
        }
    }

    /// <summary>
    /// Reads the log into <paramref name="view"/>, a mapping of one page more than the log,
    /// repeats the log's first page after its end so a record that wraps reads contiguously, and
    /// scans it.
    /// </summary>
    protected IReadOnlyList<LogRecord> ScanLog(Span<byte> view, long logStart)
    {
        int logBytes = Xlog.LogPages * PageSize;
        Device.Read(logStart, view[..logBytes]);
        view[..PageSize].CopyTo(view[logBytes..]);
        return LogRecord.Scan(view, logBytes);
    }

    private XfsBuf Allocate(long block, int pageCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageCount);
        var pages = new Page[pageCount];
        AllocatePages(pages);
        var bp = new XfsBuf(block, pages, PageSize);
        if (pageCount > 1)
        {
            // A failed map must not leak the pages: nothing else knows about this buffer yet.
            try
            {
                bp.Addr = Space.MapRam(bp.Pages);
            }
            catch
            {
                FreePages(bp.Pages);
                throw;
            }

            bp.Mapped = true;
            Maps++;
        }
        else
        {
            bp.Addr = Memory.PageAddress(bp.Pages[0]);
        }

        BuffersAllocated++;
        return bp;
    }

    private void Evict(XfsBuf bp)
    {
        // Free first: if the runtime refuses the unmap, the buffer stays cached and intact.
        Free(bp);
        _lru.Remove(bp.LruNode!);
        bp.LruNode = null;
        _hash.Remove(bp.BlockNumber);
    }
}
