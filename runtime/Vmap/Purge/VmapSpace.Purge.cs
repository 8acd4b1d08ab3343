namespace Vmap;

public sealed partial class VmapSpace
{
    /// <summary>Queues [start, end) for a purge; purges once <see cref="VmapGeometry.LazyMaxPages"/> pages wait.</summary>
    private void FreeLazily(long start, long end)
    {
        _lazy.Add(start, end);
        if (_lazy.Pages >= Geometry.LazyMaxPages)
        {
            PurgeLazy();
        }
    }

    /// <summary>purge_vmap_area_lazy: every waiting range returns to free space, merged with its neighbours.</summary>
    private void PurgeLazy()
    {
        _purges++;
        _lazy.Drain(_quarantine is null ? _free.Release : Quarantine);
    }

    /// <summary>A purged range waits in the quarantine; the oldest ones return to free space.</summary>
    private void Quarantine(long start, long end) => _quarantine!.Add(start, end, _free.Release);

    /// <summary>Before a map gives up: every quarantined range returns to free space.</summary>
    private void DrainQuarantine() => _quarantine?.Drain(_free.Release);

    /// <summary>What vm_unmap_aliases does, and what every failing map does before its one retry.</summary>
    private void PurgeAll()
    {
        PurgeFragmentedBlocks();
        PurgeLazy();
    }
}
