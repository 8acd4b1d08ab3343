namespace Vmap;

/// <summary>Which areas get a guard page after them.</summary>
public enum GuardMode
{
    /// <summary>Only Vmalloc/Vmap areas (today's kernel, and the 2011 patch): vmap blocks and MapRam areas pack tightly.</summary>
    VmallocOnly,

    /// <summary>Every area, vmap blocks included (the 2011 kernel): each block skips the next aligned slot.</summary>
    BetweenAllAreas,
}
