namespace ValidCode;

using Vmap;

/// <summary>A ring of mapped windows: the oldest is unmapped before its slot is reused.</summary>
public sealed class RingOfWindows
{
    private readonly VmapSpace _space;
    private readonly nint[] _windows;
    private readonly int _pagesPerWindow;
    private int _next;

    public RingOfWindows(VmapSpace space, int slots, int pagesPerWindow)
    {
        _space = space;
        _windows = new nint[slots];
        _pagesPerWindow = pagesPerWindow;
    }

    public nint Push(Page[] pages)
    {
        var slot = _next;
        _next = (_next + 1) % _windows.Length;
        if (_windows[slot] != 0)
        {
            _space.UnmapRam(_windows[slot], _pagesPerWindow);
        }

        _windows[slot] = _space.MapRam(pages);
        return _windows[slot];
    }
}
