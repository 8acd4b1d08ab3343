using Vmap.Blocks;

namespace Vmap.Areas;

/// <summary>What a busy area was allocated for; decides its release API and its guard page.</summary>
internal enum AreaKind
{
    /// <summary>A vmap block: small MapRam mappings are carved from it.</summary>
    Block,

    /// <summary>A MapRam mapping with an area of its own (too big for a block, or the plain-area fallback).</summary>
    Ram,

    /// <summary>A Vmap mapping.</summary>
    Vmap,

    /// <summary>A Vmalloc allocation, with pages of its own.</summary>
    Vmalloc,

    /// <summary>A chunk of the space a vmap node took for its small areas; in the space's busy tree only.</summary>
    NodeChunk,
}

/// <summary>The API families, named as the analyzers' annotations name them.</summary>
internal static class Family
{
    public const string Ram = "vmap-ram";
    public const string Vmap = "vmap";
    public const string Vmalloc = "vmalloc";

    public static string Of(AreaKind kind) => kind switch
    {
        AreaKind.Block or AreaKind.Ram => Ram,
        AreaKind.Vmap => Vmap,
        _ => Vmalloc,
    };

    /// <summary>The call that releases a mapping of <paramref name="family"/>.</summary>
    public static string ReleaseApi(string family) => family switch
    {
        Ram => "UnmapRam",
        Vmap => "Vunmap",
        _ => "Vfree",
    };
}

/// <summary>
/// A busy range of the space (struct vmap_area): <see cref="Pages"/> usable pages from
/// <see cref="Start"/>, then <see cref="GuardPages"/> pages nobody may map, so an overrun faults
/// instead of landing in the next mapping.
/// </summary>
internal sealed class VmapArea
{
    public VmapArea(AreaKind kind, long start, int pages, int guardPages, string? provenance)
    {
        Kind = kind;
        Start = start;
        Pages = pages;
        GuardPages = guardPages;
        Provenance = provenance;
    }

    public AreaKind Kind { get; }

    public long Start { get; }

    public int Pages { get; }

    public int GuardPages { get; }

    /// <summary>End of the usable pages.</summary>
    public long End => Start + Pages;

    /// <summary>End of what the area holds in the free-area tree, guard included.</summary>
    public long ReservedEnd => End + GuardPages;

    public string Family => Areas.Family.Of(Kind);

    /// <summary>The stack trace of the call that made it, when provenance tracking is on.</summary>
    public string? Provenance { get; }

    /// <summary>The vmap node whose busy tree holds the area (a small Vmap or Vmalloc served by a node), or whose chunk it is.</summary>
    /// <remarks>Cleared when the node gives the chunk back with the area in it (<c>VmapSpace.DissolveNodes</c>): the space's busy tree holds it from then on.</remarks>
    public VmapNode? Node { get; set; }

    /// <summary>Set for <see cref="AreaKind.Block"/>.</summary>
    public VmapBlock? Block { get; set; }

    /// <summary>The pages Vmalloc allocated for the area; freed with it.</summary>
    public Page[]? OwnPages { get; set; }

    /// <summary>The pages a MapRam or Vmap area shows: pinned in the pool until it is unmapped.</summary>
    public Page[]? Pinned { get; set; }

    /// <summary>
    /// True from the moment its map commits until its unmap takes it out; under the area lock.
    /// While a map or an unmap of it is in flight (the backend's syscalls, the pool's work, both
    /// outside the lock) the area holds its range but nobody can find it as a mapping: an unmap or a
    /// lookup of its address is answered as for any address with no live mapping, and no purge
    /// touches it (it is busy, neither lazily freed nor a block).
    /// </summary>
    public bool Live { get; set; }
}
