namespace ValidCode;

using Vmap;

/// <summary>The log code re-points a buffer only after unmapping it and clearing the flag.</summary>
public static class XfsLogSetPtrFixed
{
    public static void SetPtr(VmapSpace space, XfsBuffer bp, nint linear)
    {
        if (bp.Mapped)
        {
            space.UnmapRam(bp.Addr, bp.PageCount);
            bp.Mapped = false;
        }

        bp.Addr = linear;
    }
}
