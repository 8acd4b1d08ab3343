namespace Vmap;

/// <summary>A snapshot of a space's counters, taken under its lock.</summary>
public sealed record VmapStats
{
    /// <summary>Pages in the whole space.</summary>
    public long TotalPages { get; init; }

    /// <summary>Mappings a caller holds: MapRam, Vmap and Vmalloc results not yet released.</summary>
    public int LiveMappings { get; init; }

    /// <summary>Busy areas: vmap blocks plus areas of their own (MapRam, Vmap, Vmalloc).</summary>
    public int LiveAreas { get; init; }

    /// <summary>Live vmap blocks.</summary>
    public int Blocks { get; init; }

    /// <summary>Pages of live mappings.</summary>
    public long MappedPages { get; init; }

    /// <summary>Free pages outside any area (blocks' untouched tails not included).</summary>
    public long FreePages { get; init; }

    /// <summary>The largest run of free pages.</summary>
    public long LargestFreeRun { get; init; }

    /// <summary>Pages of freed areas waiting for a purge.</summary>
    public long LazilyFreedPages { get; init; }

    /// <summary>Purged pages waiting in the quarantine before reuse (only with <see cref="VmapOptions.TrackProvenance"/>).</summary>
    public long QuarantinedPages { get; init; }

    /// <summary>Bytes of stack traces the quarantined ranges' records keep (bounded by <see cref="VmapOptions.QuarantineBytes"/>).</summary>
    public long QuarantinedTraceBytes { get; init; }

    /// <summary>Untouched pages at the tails of live blocks.</summary>
    public long BlockFreePages { get; init; }

    /// <summary>Unmapped pages inside live blocks, given back only when the block goes.</summary>
    public long BlockDirtyPages { get; init; }

    /// <summary>Guard pages of live areas.</summary>
    public long GuardPages { get; init; }

    /// <summary>How many times lazily freed areas were purged into free space.</summary>
    public long Purges { get; init; }

    /// <summary>Map or allocation calls that found no room, purged and retried.</summary>
    public long RetriedMaps { get; init; }

    /// <summary>Map or allocation calls that failed even after the retry.</summary>
    public long FailedMaps { get; init; }
}
