namespace Vmap;

/// <summary>What a range of the space is used for, in <see cref="VmapSpace.SnapshotAreas"/>.</summary>
public enum VmapAreaKind
{
    /// <summary>Free space.</summary>
    Free,

    /// <summary>A freed area waiting for a purge.</summary>
    LazilyFreed,

    /// <summary>A vmap block serving small MapRam calls.</summary>
    Block,

    /// <summary>A MapRam mapping in an area of its own.</summary>
    MapRam,

    /// <summary>A Vmap mapping.</summary>
    Vmap,

    /// <summary>A Vmalloc allocation.</summary>
    Vmalloc,

    /// <summary>A guard page after an area.</summary>
    Guard,

    /// <summary>A purged range waiting in the quarantine before reuse (<see cref="VmapOptions.QuarantinePages"/>).</summary>
    Quarantined,
}

/// <summary>One range of the space in address order.</summary>
/// <param name="Start">First address.</param>
/// <param name="Pages">Length in pages.</param>
/// <param name="Kind">What the range is.</param>
public sealed record VmapAreaInfo(nint Start, long Pages, VmapAreaKind Kind)
{
    /// <summary>For a block: the CPU queue it belongs to; otherwise -1.</summary>
    public int Cpu { get; init; } = -1;

    /// <summary>For a block: pages in live mappings. For a mapping: its pages (0 while its map or unmap is in flight).</summary>
    public int LivePages { get; init; }

    /// <summary>For a block: unmapped pages not yet reusable.</summary>
    public int DirtyPages { get; init; }

    /// <summary>For a block: its untouched tail.</summary>
    public int FreePages { get; init; }
}
