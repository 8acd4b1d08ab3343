namespace Vmap;

public sealed partial class VmapSpace
{
    /// <summary>Queues [start, end) for a purge; purges once <see cref="VmapGeometry.LazyMaxPages"/> pages wait.</summary>
    private void FreeLazily(long start, long end)
    {
        _lazy.Add(start, end);
        if (LazyPages >= Geometry.LazyMaxPages)
        {
            PurgeLazy();
        }
    }

    /// <summary>purge_vmap_area_lazy: every waiting range returns to free space, merged with its neighbours.</summary>
    private void PurgeLazy()
    {
        Interlocked.Increment(ref _purges);
        PurgeNodes();
        _lazy.Drain(_quarantine is null ? _free.Release : Quarantine);
    }

    /// <summary>A purged range waits in the quarantine, with the bytes of traces its records keep; the oldest ones return to free space.</summary>
    private void Quarantine(long start, long end) => _quarantine!.Add(start, end, _unmapped.TraceBytes(start, end), LeaveQuarantine);

    /// <summary>A range leaves the quarantine for good: free again, its records without their traces.</summary>
    private void LeaveQuarantine(long start, long end)
    {
        _unmapped.StripTraces(start, end);
        _free.Release(start, end);
    }

    /// <summary>
    /// Before a map gives up: the oldest quarantined ranges return to free space, only as many as
    /// make the map fit; none when even all of them would not (issue 22: a map that fails anyway
    /// must not hand the protected addresses to the next map).
    /// </summary>
    private void DrainQuarantineFor(int count, long align, int guard, bool fromBlock)
    {
        if (_quarantine is null)
        {
            return;
        }

        bool Fits()
        {
            if (fromBlock)
            {
                return _free.Find(Geometry.BlockPages + _guardOnAllAreas, Geometry.BlockPages, out _) is not null ||
                    (Options.FallbackToPlainArea && _free.Find(count + guard, 1, out _) is not null);
            }

            return _free.Find((long)count + guard, align, out _) is not null;
        }

        var drained = new List<(long Start, long End)>();
        if (_quarantine.DrainUntil(Fits, (s, e) => { drained.Add((s, e)); _free.Release(s, e); }, _free.Take))
        {
            foreach (var (s, e) in drained)
            {
                _unmapped.StripTraces(s, e);
            }
        }
    }

    /// <summary>
    /// What vm_unmap_aliases does, and what every failing map does before its one retry. Every
    /// node's chunks go back to the space with what is in them (their areas join the space's busy
    /// tree), so the retry, and the figures of a map that still fails, see the space exactly as
    /// one without nodes would be.
    /// </summary>
    private void PurgeAll()
    {
        PurgeFragmentedBlocks();
        DissolveNodes();
        PurgeLazy();
    }
}
