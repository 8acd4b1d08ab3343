using System.Collections.Generic;
using Vmap;

namespace BufferCache.Cache;

/// <summary>
/// One cached run of disk blocks, shaped like <c>struct xfs_buf</c>: its pages, where its bytes
/// are seen (<see cref="Addr"/>) and the flags the free path trusts. Fields, as in the kernel
/// struct, because the log code writes them directly; that direct write is the hazard.
/// </summary>
public sealed class XfsBuf
{
    /// <summary>First disk block, in 512-byte basic blocks (b_bn); -1 for an uncached buffer.</summary>
    public readonly long BlockNumber;

    /// <summary>The pages holding the buffer's bytes (b_pages).</summary>
    public readonly Page[] Pages;

    /// <summary>How many pages the buffer spans (b_page_count); the count its mapping was made with.</summary>
    public int PageCount;

    /// <summary>Where the buffer's bytes are seen (b_addr): the MapRam mapping, or the page's own address.</summary>
    public nint Addr;

    /// <summary>Bytes of I/O the buffer describes (b_length).</summary>
    public int Length;

    /// <summary>Addr is a mapping made by MapRam (XBF_MAPPED): free must unmap it.</summary>
    public bool Mapped;

    /// <summary>The bytes have been read from disk or fully written (XBF_DONE).</summary>
    public bool Done;

    /// <summary>References held by callers (b_hold); at zero the buffer waits on the LRU.</summary>
    public int HoldCount;

    /// <summary>The buffer's place on the cache's LRU of unused buffers, when it is there.</summary>
    internal LinkedListNode<XfsBuf>? LruNode;

    /// <summary>Creates a buffer for <paramref name="blockNumber"/> over <paramref name="pages"/>; not yet visible at any address.</summary>
    public XfsBuf(long blockNumber, Page[] pages, int pageSize)
    {
        BlockNumber = blockNumber;
        Pages = pages;
        PageCount = pages.Length;
        Length = pages.Length * pageSize;
    }
}
