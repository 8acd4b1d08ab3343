using Vmap;

sealed partial class BufferCache
{
    public void SetPtr(LogBuffer bp, nint linear)
    {
        if (bp.Mapped && bp.Pages.Length > 1)
        {
            _space.UnmapRam(bp.Addr, bp.Pages.Length);
            bp.Mapped = false;
        }

        bp.Addr = linear;
    }
}
