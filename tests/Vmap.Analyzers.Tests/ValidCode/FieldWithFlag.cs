namespace ValidCode;

using Vmap;

/// <summary>A self-contained buffer whose own methods map, re-point and free under a flag.</summary>
public sealed class FlaggedBuffer
{
    private readonly VmapSpace _space;
    private readonly Page[] _pages;
    private nint _addr;
    private bool _mapped;

    public FlaggedBuffer(VmapSpace space, Page[] pages)
    {
        _space = space;
        _pages = pages;
    }

    public void Map()
    {
        if (!_mapped)
        {
            _addr = _space.MapRam(_pages);
            _mapped = true;
        }
    }

    public void PointAt(nint linear)
    {
        if (_mapped)
        {
            _space.UnmapRam(_addr, _pages.Length);
            _mapped = false;
        }

        _addr = linear;
    }

    public void Free()
    {
        if (_mapped)
        {
            _space.UnmapRam(_addr, _pages.Length);
            _mapped = false;
        }

        _addr = 0;
    }
}
