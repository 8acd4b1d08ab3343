namespace Vmap;

/// <summary>
/// The steps of a map that allocate managed memory, named for the fault hooks
/// (<c>VmapSpace.FaultHook</c>, <c>PagePool.FaultHook</c>) through which tests make each one throw
/// <see cref="OutOfMemoryException"/> and check that the space and the pool are left as before the call.
/// </summary>
internal static class FaultSteps
{
    /// <summary>The copy of the caller's page list (a MapRam or Vmap with an area of its own, or a block map too long for the stack).</summary>
    public const string PageList = "page-list";

    /// <summary>The free-area tree node that the tail of a split free range needs.</summary>
    public const string FreeNode = "free-node";

    /// <summary>The area record and its busy-tree node.</summary>
    public const string Area = "area";

    /// <summary>A new vmap block: its per-page records.</summary>
    public const string Block = "block";

    /// <summary>A new vmap block's entry in the index by address and in its CPU's queue, after its first map.</summary>
    public const string BlockIndex = "block-index";

    /// <summary>A vmap node's new chunk: its record in the busy tree and its place in the node's free tree.</summary>
    public const string NodeChunk = "node-chunk";

    /// <summary>One page of a Vmalloc allocation taken from the pool.</summary>
    public const string PoolPage = "pool-page";

    /// <summary>A mapped area made live: its bookkeeping after the backend mapped it.</summary>
    public const string Commit = "commit";
}
