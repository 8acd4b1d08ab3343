using System.Runtime.Versioning;

namespace Vmap.Tests.Native;

/// <summary>A small native space and what the kernel shows of it.</summary>
[SupportedOSPlatform("linux")]
internal static class NativeSpace
{
    public const int PageSize = 4096;

    /// <summary>Default64's constants over 64 MiB (16 blocks), one CPU queue so placement is fixed.</summary>
    public static VmapGeometry Geometry { get; } = VmapGeometry.Default64 with { Size = 64L * 1024 * 1024 };

    public static VmapOptions Options { get; } = new() { SingleCpuQueue = true };

    public static VmapSpace Create(VmapOptions? options = null) => VmapSpace.CreateNative(Geometry, options ?? Options);

    /// <summary>The VMAs inside the space's reservation.</summary>
    public static IReadOnlyList<Vma> Vmas(VmapSpace space) => ProcMaps.Within(space.Start, space.End - space.Start);

    public static Page[] Allocate(VmapSpace space, int count) => Enumerable.Range(0, count).Select(_ => space.Pool.Allocate()).ToArray();

    public static string MemfdPath(VmapSpace space) => $"/memfd:vmap-pool-{space.Pool.Id} (deleted)";
}
