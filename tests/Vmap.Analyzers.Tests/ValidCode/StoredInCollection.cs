namespace ValidCode;

using System.Collections.Generic;
using Vmap;

/// <summary>A registry that keeps mappings and releases them all later.</summary>
public sealed class MappingRegistry
{
    private readonly VmapSpace _space;
    private readonly List<nint> _areas = new();

    public MappingRegistry(VmapSpace space) => _space = space;

    public void Add(nuint bytes)
    {
        var area = _space.Vmalloc(bytes);
        _areas.Add(area);
    }

    public void ReleaseAll()
    {
        foreach (var area in _areas)
        {
            _space.Vfree(area);
        }

        _areas.Clear();
    }
}
