using Vmap.Areas;

namespace Vmap;

public sealed partial class VmapSpace
{
    /// <summary>alloc_vmap_area: the lowest free range of <paramref name="pages"/> + guard pages on an <paramref name="align"/>-page boundary.</summary>
    private Placement AllocArea(AreaKind kind, int pages, long align, int guard, string? provenance)
    {
        if (!_free.TryCarve((long)pages + guard, align, out long start))
        {
            return default;
        }

        // From here on the address belongs to the new area: an unmap of an old mapping that lived
        // here can no longer be told apart from an unmap of this one.
        _unmapped.ForgetOverlapping(start, start + pages + guard);
        var area = new VmapArea(kind, start, pages, guard, kind == AreaKind.Block ? null : provenance);
        _busy.Insert(start, area.End, area);
        _guardPages += guard;
        return new Placement(area, null, start);
    }

    /// <summary>Takes back a placement the backend refused to map: nothing was mapped, so no purge is owed.</summary>
    private void Unplace(Placement placement)
    {
        if (placement.Block is { } block)
        {
            block.UndoAlloc((int)(placement.Start - block.Start));
            _blocks.Enqueue(block);
            return;
        }

        var area = placement.Area!;
        _busy.Remove(area.Start);
        _guardPages -= area.GuardPages;
        _free.Release(area.Start, area.ReservedEnd);
    }

    /// <summary>free_vmap_area_noflush: the area leaves the busy set and waits, guard included, for a purge.</summary>
    private void FreeArea(VmapArea area)
    {
        _busy.Remove(area.Start);
        _guardPages -= area.GuardPages;
        if (area.Kind != AreaKind.Block)
        {
            _unmapped.Add(area);
        }

        if (area.OwnPages is { } own)
        {
            foreach (var page in own)
            {
                Pool.Free(page);
            }
        }

        FreeLazily(area.Start, area.ReservedEnd);
    }
}
