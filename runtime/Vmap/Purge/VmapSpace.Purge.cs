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
        _lazy.Drain(_free.Release);
    }

    /// <summary>What vm_unmap_aliases does, and what every failing map does before its one retry.</summary>
    private void PurgeAll()
    {
        PurgeFragmentedBlocks();
        PurgeLazy();
    }
}
