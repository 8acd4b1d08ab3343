namespace Vmap;

/// <summary>Behaviour switches of a <see cref="VmapSpace"/>.</summary>
public sealed record VmapOptions
{
    /// <summary>The defaults: stealing and the plain-area fallback on, per-CPU queues, no provenance.</summary>
    public static VmapOptions Default { get; } = new();

    /// <summary>
    /// The 2011 kernel's behaviour for a boot-time loop: one CPU queue, no stealing, no fallback.
    /// Combine with <c>VmapGeometry.X86_32_2011 with { Guard = GuardMode.BetweenAllAreas }</c> to
    /// reproduce the seed's 15360.
    /// </summary>
    public static VmapOptions Kernel2011 { get; } = new()
    {
        StealFromOtherCpus = false,
        FallbackToPlainArea = false,
        SingleCpuQueue = true,
    };

    /// <summary>
    /// Record the stack trace of every map and unmap call, so a misuse message can say where the
    /// nearest mapping was made and where a doubly unmapped one was first unmapped; freed ranges
    /// wait in a quarantine (<see cref="QuarantinePages"/>) before reuse. Costs a stack walk per call.
    /// </summary>
    public bool TrackProvenance { get; init; }

    /// <summary>
    /// With <see cref="TrackProvenance"/>: how many pages of purged ranges wait, oldest first, before
    /// their addresses are handed out again, so a stale second unmap finds the record of the first
    /// (VMAP003, naming where it happened) instead of unmapping the next owner's mapping. When null,
    /// a quarter of the space. A map that finds no room elsewhere empties the quarantine before it
    /// fails, so the checked mode never fails a map the unchecked one would serve.
    /// </summary>
    public long? QuarantinePages { get; init; }

    /// <summary>
    /// When the current CPU's blocks are full and no new block fits, a small MapRam takes untouched
    /// pages from another CPU's block before giving up. The kernel does not.
    /// </summary>
    public bool StealFromOtherCpus { get; init; } = true;

    /// <summary>
    /// When no block has room, a small MapRam gets a plain area of exactly its size (no guard page
    /// under <see cref="GuardMode.VmallocOnly"/>), so space that cannot hold an aligned block is
    /// still used. The kernel does not.
    /// </summary>
    public bool FallbackToPlainArea { get; init; } = true;

    /// <summary>
    /// Use one block queue instead of one per CPU, as a loop pinned to one CPU would (the kernel's
    /// boot-time measurement): counts then do not depend on where the thread ran.
    /// </summary>
    public bool SingleCpuQueue { get; init; }

    /// <summary>
    /// Native spaces only: the most memory mappings (VMAs) the space's reservation may be cut into,
    /// standing in for vm.max_map_count so the exhaustion path can be reached without exhausting
    /// the process. Either way the process as a whole (every native space, every thread) stays a
    /// headroom kept for the runtime below /proc/sys/vm/max_map_count.
    /// </summary>
    public int? MapCountLimit { get; init; }

    /// <summary>
    /// Native spaces only: stands in for /proc/sys/vm/max_map_count, the process-wide limit every
    /// native space shares, so tests can reach it with a few thousand mappings and cross it without
    /// killing the process.
    /// </summary>
    internal int? MaxMapCount { get; init; }

    /// <summary>Picks the CPU queue in place of <c>Thread.GetCurrentProcessorId()</c>; lets tests place blocks on chosen CPUs.</summary>
    internal Func<int>? CurrentCpu { get; init; }
}
