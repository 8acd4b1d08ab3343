using Vmap;

sealed class LogBuffer
{
    public nint Addr;
    public bool Mapped;
    public Page[] Pages = new Page[0];
}
