using Vmap.Purge;

namespace Vmap.Areas;

/// <summary>
/// A vmap node (Linux 6.9's <c>struct vmap_node</c>): the busy and lazily freed small areas of one
/// CPU's calls, and its pool of free space to place them in, under a lock of its own, so two CPUs
/// mapping and unmapping small areas no longer take turns at the space's one area lock (the 2011
/// kernel's <c>vmap_area_lock</c>).
/// </summary>
/// <remarks>
/// The kernel hashes an area's address to a node and keeps per-node pools of free areas of each
/// small size, filled from the node's purged areas. Here a node's pool is whole chunks of the space
/// (one block's size, block-aligned, taken from the space's free tree under the area lock, as a
/// vmap block is), and an address finds its node through the chunk's number, as an unmap finds its
/// vmap block: so a node's areas, its free pool, its lazy list and its records of unmapped
/// mappings are all its own, and a thread's map/unmap pair touches no other CPU's memory. A purge
/// returns a node's lazily freed areas to its pool (the kernel's decay into the node pool) and
/// gives every chunk that is wholly free back to the space's free tree, so a map that fails
/// after its purge has seen every page no live mapping holds. The node is its own lock; lock
/// order: the area lock, then nodes by <see cref="Id"/>, then the page pool's lock.
/// </remarks>
internal sealed class VmapNode
{
    public VmapNode(int id, int chunkPages)
    {
        Id = id;
        ChunkPages = chunkPages;
        Free = new FreeAreaTree(chunkPages);
        Unmapped = new UnmappedMappings(chunkPages);
    }

    public int Id { get; }

    /// <summary>Pages in one chunk (the space's block size).</summary>
    public int ChunkPages { get; }

    /// <summary>The node pool: free ranges of the node's chunks, merged within a chunk, never across chunks.</summary>
    public FreeAreaTree Free { get; }

    /// <summary>The node's busy areas, live or in the middle of their map.</summary>
    public AreaTree<VmapArea> Busy { get; } = new();

    /// <summary>The node's unmapped areas waiting for a purge (its purge list).</summary>
    public LazyFreeList Lazy { get; } = new();

    /// <summary>What the node's areas were before they were unmapped, for VMAP003.</summary>
    public UnmappedMappings Unmapped { get; }

    /// <summary>The start pages of the node's chunks.</summary>
    public HashSet<long> Chunks { get; } = new();

    public int LiveMappings { get; set; }

    public long MappedPages { get; set; }

    public long GuardPages { get; set; }

    /// <summary>
    /// Lazily freed pages of this node not yet added to the space's count (<c>vmap_lazy_nr</c>): a
    /// node adds them in batches, so two CPUs' unmaps do not write one shared word every time.
    /// </summary>
    public long UnpublishedLazyPages { get; set; }

    /// <summary>Lazily freed pages of this node already added to the space's count.</summary>
    public long PublishedLazyPages { get; set; }

    /// <summary>Pages of the node's chunks held by its busy areas (guards included).</summary>
    public long BusyPages { get; set; }

    /// <summary>True when [start, end) is in one of the node's chunks; under the node's lock.</summary>
    public bool Owns(long page) => Chunks.Contains(page - (page & (ChunkPages - 1)));
}
