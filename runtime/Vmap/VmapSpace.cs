namespace Vmap;

/// <summary>A vmap address space. The allocator lands with the runtime core issue.</summary>
public sealed partial class VmapSpace
{
    /// <summary>The pool whose pages this space maps.</summary>
    public PagePool Pool { get; private set; } = null!;
}
