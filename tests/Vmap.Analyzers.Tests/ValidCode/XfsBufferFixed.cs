namespace ValidCode;

using Vmap;

/// <summary>The XFS buffer done right: maps when it spans pages, frees under the same test.</summary>
public sealed class XfsBuffer
{
    public nint Addr;
    public bool Mapped;
    public Page[] Pages = System.Array.Empty<Page>();

    public int PageCount => Pages.Length;
}

public static class XfsBufferCache
{
    public static void MapBuffer(VmapSpace space, XfsBuffer bp)
    {
        if (bp.PageCount > 1)
        {
            bp.Addr = space.MapRam(bp.Pages);
            bp.Mapped = true;
        }
    }

    public static void FreeBuffer(VmapSpace space, XfsBuffer bp)
    {
        if (bp.Mapped && bp.PageCount > 1)
        {
            space.UnmapRam(bp.Addr, bp.PageCount);
            bp.Mapped = false;
        }

        bp.Addr = 0;
    }
}
