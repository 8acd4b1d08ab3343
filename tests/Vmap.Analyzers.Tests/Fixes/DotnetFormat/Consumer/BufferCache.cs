using Vmap;

sealed partial class BufferCache
{
    private readonly VmapSpace _space;

    public BufferCache(VmapSpace space) => _space = space;

    public void Map(LogBuffer bp)
    {
        if (bp.Pages.Length > 1)
        {
            bp.Addr = _space.MapRam(bp.Pages);
            bp.Mapped = true;
        }
    }

    public void Free(LogBuffer buffer)
    {
        if (buffer.Mapped && buffer.Pages.Length > 1)
            _space.UnmapRam(buffer.Addr, buffer.Pages.Length);
    }
}
