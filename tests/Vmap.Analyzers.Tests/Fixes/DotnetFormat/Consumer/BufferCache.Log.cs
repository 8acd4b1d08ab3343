using Vmap;

sealed partial class BufferCache
{
    public void SetPtr(LogBuffer bp, nint linear)
    {
        bp.Addr = linear;
    }
}
