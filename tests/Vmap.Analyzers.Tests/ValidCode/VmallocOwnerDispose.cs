namespace ValidCode;

using System;
using System.Threading;
using Vmap;

/// <summary>
/// Two owners whose Dispose may run twice: one clears its field after Vfree, the other takes the
/// mapping out of the field with Interlocked.Exchange, so only one caller ever unmaps it.
/// </summary>
public sealed class VmallocOwner : IDisposable
{
    private readonly VmapSpace _space;
    private nint _area;

    public VmallocOwner(VmapSpace space, nuint bytes)
    {
        _space = space;
        _area = space.Vmalloc(bytes);
    }

    public nint Area => _area;

    public void Dispose()
    {
        if (_area != 0)
        {
            _space.Vfree(_area);
            _area = 0;
        }
    }
}

public sealed class SharedMapping : IDisposable
{
    private readonly VmapSpace _space;
    private readonly int _pageCount;
    private nint _address;

    public SharedMapping(VmapSpace space, Page[] pages)
    {
        _space = space;
        _pageCount = pages.Length;
        _address = space.MapRam(pages);
    }

    public void Dispose()
    {
        var address = Interlocked.Exchange(ref _address, 0);
        if (address != 0)
        {
            _space.UnmapRam(address, _pageCount);
        }
    }
}
