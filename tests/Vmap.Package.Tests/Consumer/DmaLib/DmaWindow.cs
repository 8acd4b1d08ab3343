using Vmap.Annotations;

namespace DmaLib;

// A library's own acquire/release pair (it never references Vmap); its fake addresses are enough
// for the analyzers, which only read the annotations.
public sealed class DmaWindow
{
    private readonly Dictionary<nint, int> _live = new();
    private nint _next = 0x10000;

    [return: MapsMemory("dma", CountParameter = "pageCount")]
    public nint MapCoherent(int pageCount)
    {
        nint address = _next;
        _next += pageCount * 4096;
        _live.Add(address, pageCount);
        return address;
    }

    public void UnmapCoherent([UnmapsMemory("dma", CountParameter = "pageCount")] nint address, int pageCount)
    {
        if (!_live.Remove(address, out int mapped) || mapped != pageCount)
        {
            throw new InvalidOperationException($"0x{address:x} is not a live mapping of {pageCount} pages.");
        }
    }
}
