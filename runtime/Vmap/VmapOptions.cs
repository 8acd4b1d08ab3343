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
    /// wait in a quarantine (<see cref="QuarantinePages"/>) before reuse. Costs a stack walk per call,
    /// and memory for the traces: each is kept as text, about 3.7 KB (UTF-16) for a caller ten
    /// frames deep with file and line, so about 7.3 KB per map/unmap pair while the mapping is
    /// live, lazily freed or quarantined. Live mappings keep theirs as long as they live; the
    /// quarantine keeps at most <see cref="QuarantineBytes"/>; a range that leaves it drops its traces.
    /// </summary>
    public bool TrackProvenance { get; init; }

    /// <summary>
    /// With <see cref="TrackProvenance"/>: how many pages of purged ranges wait, oldest first, before
    /// their addresses are handed out again, so a stale second unmap finds the record of the first
    /// (VMAP003, naming where it happened) instead of unmapping the next owner's mapping. When null,
    /// a quarter of the space. A map that finds no room elsewhere takes the oldest ranges back, as
    /// many as make it fit, and none when even all of them would not: the quarantine itself never
    /// fails a map, and a failing map never hands out an address it protects. What it cannot
    /// promise is the unchecked mode's layout: maps made while ranges waited were placed around
    /// them, so a later map the unchecked mode would serve may find free space cut up differently
    /// and fail; <see cref="VmapExhaustedException.QuarantinedPages"/> and its message then say how
    /// many pages the quarantine held.
    /// </summary>
    public long? QuarantinePages { get; init; }

    /// <summary>
    /// With <see cref="TrackProvenance"/>: the most bytes of stack traces the quarantined ranges'
    /// records may keep (about 7.3 KB per map/unmap pair ten frames deep). When null,
    /// <see cref="DefaultQuarantineBytes"/>. The oldest range leaves once either bound is passed;
    /// its records stay (a stale unmap is still VMAP003) but lose their traces.
    /// </summary>
    public long? QuarantineBytes { get; init; }

    /// <summary>The default <see cref="QuarantineBytes"/>: 64 MiB, about 9,000 quarantined map/unmap pairs ten frames deep.</summary>
    public const long DefaultQuarantineBytes = 64L << 20;

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

    /// <summary>
    /// How many vmap nodes serve small Vmap and Vmalloc areas (issue 22 item 8): null picks one per
    /// CPU queue when the space holds at least <c>VmapSpace.NodeChunksPerNode</c> blocks per queue,
    /// 0 turns them off; any count is off under <see cref="TrackProvenance"/>. Lets tests put a
    /// small space through the node path, or keep a big one off it.
    /// </summary>
    internal int? VmapNodes { get; init; }

    /// <summary>Picks the CPU queue in place of <c>Thread.GetCurrentProcessorId()</c>; lets tests place blocks on chosen CPUs.</summary>
    internal Func<int>? CurrentCpu { get; init; }
}
