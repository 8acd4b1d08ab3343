using Vmap;

namespace App;

// The XFS log buffer of the 2011 thread: the cache maps the buffer's pages into Addr, the log
// code re-points Addr at other memory (XFS_BUF_SET_PTR) and the free path unmaps whatever Addr
// holds by then.
public sealed class LogBuffer
{
    public nint Addr;
    public int PageCount;
}

public static class LogBufferCache
{
    public static void Map(VmapSpace space, LogBuffer buf, Page[] pages)
    {
        buf.Addr = space.MapRam(pages);
        buf.PageCount = pages.Length;
    }

    public static void SetPtr(LogBuffer buf, nint other)
    {
        buf.Addr = other;
    }

    public static void Free(VmapSpace space, LogBuffer buf)
    {
        space.UnmapRam(buf.Addr, buf.PageCount);
    }
}
