using Vmap.Areas;

namespace Vmap;

public sealed partial class VmapSpace
{
    /// <summary>alloc_vmap_area: the lowest free range of <paramref name="pages"/> + guard pages on an <paramref name="align"/>-page boundary.</summary>
    private Placement AllocArea(AreaKind kind, int pages, long align, int guard, string? provenance)
    {
        var free = _free.Find((long)pages + guard, align, out long start);
        if (free is null)
        {
            return default;
        }

        // What the area needs is allocated before the free tree changes: running out of memory
        // on the way leaves the space as it was.
        // The double-unmap records this area overlaps are forgotten only when a mapping in it is
        // made (Commit): a map the backend refuses must leave them, like everything else, as they were.
        FaultHook?.Invoke(FaultSteps.Area);
        var area = new VmapArea(kind, start, pages, guard, kind == AreaKind.Block ? null : provenance);
        var busy = new AreaNode<VmapArea>(start, area.End, area);
        _free.Carve(free, start, (long)pages + guard);
        _busy.Insert(busy);
        _guardPages += guard;
        return new Placement(area, null, start);
    }

    /// <summary>The backend mapped the placement: from now on its range belongs to the new mapping.</summary>
    private void Commit(Placement placement)
    {
        // An unmap of an old mapping that lived here can no longer be told apart from an unmap of this one.
        _unmapped.ForgetOverlapping(placement.Area!.Start, placement.Area.ReservedEnd);
    }

    /// <summary>Takes back an area the backend refused to map: nothing was mapped, so no purge is owed.</summary>
    private void Unplace(Placement placement)
    {
        var area = placement.Area!;
        _busy.Remove(area.Start);
        _guardPages -= area.GuardPages;
        _free.Release(area.Start, area.ReservedEnd);
    }

    /// <summary>
    /// free_vmap_area_noflush: the area leaves the busy set and waits, guard included, for a purge.
    /// Its double-unmap record (for an area of its own) was made when its unmap took it out of the live set.
    /// </summary>
    private void ReleaseArea(VmapArea area)
    {
        _busy.Remove(area.Start);
        _guardPages -= area.GuardPages;
        FreeLazily(area.Start, area.ReservedEnd);
    }
}
