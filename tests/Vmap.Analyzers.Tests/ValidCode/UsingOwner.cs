namespace ValidCode;

using Vmap;

/// <summary>The owner used through a using declaration.</summary>
public static class UsingOwner
{
    public static nint Peek(VmapSpace space, Page[] pages)
    {
        using var buffer = new MappedBuffer(space, pages);
        return buffer.Address == 0 ? -1 : 1;
    }
}
