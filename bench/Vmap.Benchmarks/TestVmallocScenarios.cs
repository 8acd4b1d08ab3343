using BenchmarkDotNet.Attributes;
using Vmap;

namespace Vmap.Benchmarks;

/// <summary>
/// The lib/test_vmalloc.c scenarios, single-threaded, on a 64-bit-sized simulated space. Each
/// invocation runs <see cref="Loop"/> alloc/free pairs; figures are per pair.
/// </summary>
[MemoryDiagnoser]
public class TestVmallocScenarios
{
    private const int Loop = 1000;
    private const int PageSize = 4096;
    private VmapSpace _space = null!;
    private Page[] _pages = null!;
    private Random _rng = null!;
    private readonly nint[] _ptr = new nint[Loop];
    private readonly nint[] _junk = new nint[Loop];
    private readonly List<nint> _busy = new();

    [GlobalSetup]
    public void Setup()
    {
        _space = VmapSpace.CreateSimulated(VmapGeometry.Default64);
        _pages = Enumerable.Range(0, 64).Select(_ => _space.Pool.Allocate()).ToArray();
        _rng = new Random(42);

        // long_busy_list_alloc keeps 15000 one-page areas busy for its whole run.
        for (int i = 0; i < 15000; i++)
        {
            _busy.Add(_space.Vmalloc(PageSize));
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _space.Dispose();

    [Benchmark(OperationsPerInvoke = Loop)]
    public void fix_size_alloc()
    {
        for (int i = 0; i < Loop; i++)
        {
            _space.Vfree(_space.Vmalloc(3 * PageSize));
        }
    }

    [Benchmark(OperationsPerInvoke = Loop)]
    public void full_fit_alloc()
    {
        for (int i = 0; i < Loop; i++)
        {
            _ptr[i] = _space.Vmalloc(PageSize);
            _junk[i] = _space.Vmalloc(PageSize);
        }

        for (int i = 0; i < Loop; i++)
        {
            _space.Vfree(_junk[i]);
        }

        // The kernel's holes reach free space through its lazy purge; force it so the next
        // allocations are the exact fits the scenario is about.
        _space.UnmapAliases();
        for (int i = 0; i < Loop; i++)
        {
            _junk[i] = _space.Vmalloc(PageSize);
        }

        for (int i = 0; i < Loop; i++)
        {
            _space.Vfree(_ptr[i]);
            _space.Vfree(_junk[i]);
        }
    }

    [Benchmark(OperationsPerInvoke = Loop)]
    public void long_busy_list_alloc()
    {
        for (int i = 0; i < Loop; i++)
        {
            var a = _space.Vmalloc(100 * PageSize);
            var b = _space.Vmalloc(PageSize);
            _space.Vfree(a);
            _space.Vfree(b);
        }
    }

    [Benchmark(OperationsPerInvoke = Loop)]
    public void random_size_alloc()
    {
        for (int i = 0; i < Loop; i++)
        {
            _space.Vfree(_space.Vmalloc((nuint)((1 + _rng.Next(100)) * PageSize)));
        }
    }

    [Benchmark(OperationsPerInvoke = Loop)]
    public void fix_align_alloc()
    {
        for (int i = 0; i < Loop; i++)
        {
            // THREAD_ALIGN << 1 on x86-64: 32 KiB.
            _space.Vfree(_space.VmallocAligned(5 * PageSize, 32 * 1024));
        }
    }

    [Benchmark(OperationsPerInvoke = Loop)]
    public void random_size_align_alloc()
    {
        for (int i = 0; i < Loop; i++)
        {
            nuint align = (nuint)Math.Max(PageSize, 1 << _rng.Next(23));
            _space.Vfree(_space.VmallocAligned((nuint)((1 + _rng.Next(10)) * PageSize), align));
        }
    }

    [Benchmark(OperationsPerInvoke = Loop)]
    [Arguments(1)]
    [Arguments(64)]
    public void vm_map_ram_test(int pages)
    {
        var span = _pages.AsSpan(0, pages);
        for (int i = 0; i < Loop; i++)
        {
            _space.UnmapRam(_space.MapRam(span), pages);
        }
    }
}
