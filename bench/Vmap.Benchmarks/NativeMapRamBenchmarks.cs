using System.Runtime.Versioning;
using BenchmarkDotNet.Attributes;
using Vmap;
using Vmap.Native;

namespace Vmap.Benchmarks;

/// <summary>
/// MapRam + UnmapRam on real memory next to the bare libc calls that do the same kernel work: one
/// shared mmap of a run of consecutive memfd pages into a reservation, then PROT_NONE over it.
/// Issue 3's target: the space within 1.15x of the bare calls.
/// </summary>
[SupportedOSPlatform("linux")]
[MemoryDiagnoser]
[MedianColumn]
public class NativeMapRamBenchmarks
{
    private const int PageSize = 4096;
    private const int WindowPages = 1024;

    private VmapSpace _space = null!;
    private Page[] _pages = null!;
    private MemfdPagePool _barePool = null!;
    private nint _bareReservation;
    private int _bareSlot;
    private LinuxBackend _backend = null!;
    private Page[] _backendPages = null!;
    private nint _backendStart;
    private int _backendSlot;

    /// <summary>Pages per map: one, a small run, and VMAP_MAX_ALLOC for 64-bit (the largest block map).</summary>
    [Params(1, 16, 64)]
    public int Pages { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _space = VmapSpace.CreateNative();
        _pages = Enumerable.Range(0, Pages).Select(_ => _space.Pool.Allocate()).ToArray();

        // The bare side gets the same memfd kind of pages and its own reservation the size of a vmap
        // block, walked through the way a block's slots are.
        _barePool = new MemfdPagePool(PageSize, Pages);
        for (int i = 0; i < Pages; i++)
        {
            _barePool.Allocate();
        }

        _bareReservation = Libc.MapNone(0, WindowPages * PageSize, fixedAddress: false);

        // The backend alone: the space's syscalls and VMA count without the allocator core.
        var backendPool = new MemfdPagePool(PageSize, Pages);
        _backendPages = Enumerable.Range(0, Pages).Select(_ => backendPool.Allocate()).ToArray();
        _backend = new LinuxBackend(backendPool);
        _backendStart = _backend.Reserve(VmapGeometry.Default64 with { Size = WindowPages * PageSize }, WindowPages * PageSize);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _space.Dispose();
        Libc.munmap(_bareReservation, WindowPages * PageSize);
        _barePool.Dispose();
        _backend.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void BareMmap()
    {
        nint at = _bareReservation + (_bareSlot * PageSize);
        nuint length = (nuint)(Pages * PageSize);
        if (Libc.MapShared(at, length, _barePool.Fd, 0) == Libc.MAP_FAILED || Libc.MapNone(at, length, fixedAddress: true) == Libc.MAP_FAILED)
        {
            throw new InvalidOperationException("mmap failed");
        }

        _bareSlot = _bareSlot + (2 * Pages) > WindowPages ? 0 : _bareSlot + Pages;
    }

    [Benchmark]
    public void BackendMapUnmap()
    {
        nint at = _backendStart + (_backendSlot * PageSize);
        if (!_backend.Map(at, _backendPages))
        {
            throw new InvalidOperationException(_backend.ExhaustionReason);
        }

        _backend.Unmap(at, Pages);
        _backendSlot = _backendSlot + (2 * Pages) > WindowPages ? 0 : _backendSlot + Pages;
    }

    [Benchmark]
    public void MapRamUnmapRam()
    {
        nint address = _space.MapRam(_pages);
        _space.UnmapRam(address, Pages);
    }
}
