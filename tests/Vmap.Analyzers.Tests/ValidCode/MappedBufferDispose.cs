namespace ValidCode;

using System;
using Vmap;

/// <summary>A disposable owner: maps in the constructor, unmaps once in Dispose.</summary>
public sealed class MappedBuffer : IDisposable
{
    private readonly VmapSpace _space;
    private readonly Page[] _pages;
    private nint _address;

    public MappedBuffer(VmapSpace space, Page[] pages)
    {
        _space = space;
        _pages = pages;
        _address = space.MapRam(pages);
    }

    public nint Address => _address;

    public void Dispose()
    {
        if (_address == 0)
        {
            return;
        }

        _space.UnmapRam(_address, _pages.Length);
        _address = 0;
    }
}
