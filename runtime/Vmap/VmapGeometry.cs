namespace Vmap;

/// <summary>
/// The shape of a vmap space: where it starts, how big it is, and the kernel constants that decide
/// how it fills (VMAP_BBMAP_BITS, VMAP_MAX_ALLOC, NR_CPUS, lazy_max_pages, guard placement).
/// </summary>
/// <param name="Start">First virtual address of the space (simulated; a native space keeps its remainder modulo the block size).</param>
/// <param name="Size">Size of the space in bytes.</param>
/// <param name="PageSize">Bytes per page.</param>
/// <param name="BlockPages">Pages per vmap block (VMAP_BBMAP_BITS); blocks are aligned to their own size.</param>
/// <param name="MaxBlockAlloc">Largest MapRam served from a vmap block, in pages (VMAP_MAX_ALLOC).</param>
/// <param name="Cpus">Number of per-CPU block queues (NR_CPUS).</param>
/// <param name="LazyMaxPages">Lazily freed pages that may wait before a purge (lazy_max_pages).</param>
/// <param name="Guard">Which areas get a guard page.</param>
public sealed record VmapGeometry(
    long Start,
    long Size,
    int PageSize,
    int BlockPages,
    int MaxBlockAlloc,
    int Cpus,
    int LazyMaxPages,
    GuardMode Guard)
{
    private const long MiB = 1024 * 1024;

    /// <summary>
    /// The seed's machine (32-bit x86, 2011): 119 MiB of vmalloc space starting on a 1 MiB boundary,
    /// 4 KiB pages, 256-page (1 MiB) blocks, 32-page VMAP_MAX_ALLOC, 8 CPUs, guard on vmalloc only
    /// (the patched kernel; <c>with { Guard = GuardMode.BetweenAllAreas }</c> is the vanilla one).
    /// </summary>
    public static VmapGeometry X86_32_2011 { get; } = new(
        Start: 0xF8800000L,
        Size: 119 * MiB,
        PageSize: 4096,
        BlockPages: 256,
        MaxBlockAlloc: 32,
        Cpus: 8,
        LazyMaxPages: 4 * (32 * (int)MiB / 4096),
        Guard: GuardMode.VmallocOnly);

    /// <summary>A 64-bit-sized space: 128 GiB, 4 KiB pages, 1024-page blocks, 64-page VMAP_MAX_ALLOC.</summary>
    public static VmapGeometry Default64 { get; } = new(
        Start: 0x7F00_0000_0000L,
        Size: 128L * 1024 * MiB,
        PageSize: 4096,
        BlockPages: 1024,
        MaxBlockAlloc: 64,
        Cpus: 8,
        LazyMaxPages: 4 * (32 * (int)MiB / 4096),
        Guard: GuardMode.VmallocOnly);

    /// <summary>Number of pages in the space.</summary>
    public long TotalPages => Size / PageSize;
}
