using BenchmarkDotNet.Attributes;
using Vmap;

namespace Vmap.Benchmarks;

/// <summary>
/// MapRam + UnmapRam with 1k, 100k and 1M live areas around, each separated from the next by a
/// two-page hole: the busy set, the free-area tree and the unmapped-mapping records all hold about
/// that many entries. Target: per pair at 1M &lt;= 2x per pair at 1k.
/// </summary>
[MemoryDiagnoser]
public class LiveAreaScaling
{
    private const int Loop = 1000;
    private VmapSpace _space = null!;
    private Page[] _pages = null!;

    [Params(1_000, 100_000, 1_000_000)]
    public int LiveAreas { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _space = VmapSpace.CreateSimulated(VmapGeometry.Default64);
        _pages = Enumerable.Range(0, 65).Select(_ => _space.Pool.Allocate()).ToArray();
        var areas = new nint[2 * LiveAreas];
        for (int i = 0; i < areas.Length; i++)
        {
            areas[i] = _space.Vmap(_pages.AsSpan(0, 1));
        }

        for (int i = 1; i < areas.Length; i += 2)
        {
            _space.Vunmap(areas[i]);
        }

        _space.UnmapAliases();
        if (_space.Stats.LiveAreas != LiveAreas)
        {
            throw new InvalidOperationException($"{_space.Stats.LiveAreas} live areas, not {LiveAreas}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _space.Dispose();

    /// <summary>The vmap-block path: one page.</summary>
    [Benchmark(OperationsPerInvoke = Loop)]
    public void MapRam_1_page()
    {
        var span = _pages.AsSpan(0, 1);
        for (int i = 0; i < Loop; i++)
        {
            _space.UnmapRam(_space.MapRam(span), 1);
        }
    }

    /// <summary>The area path: 65 pages, which no hole between the live areas can hold.</summary>
    [Benchmark(OperationsPerInvoke = Loop)]
    public void MapRam_65_pages()
    {
        var span = _pages.AsSpan(0, 65);
        for (int i = 0; i < Loop; i++)
        {
            _space.UnmapRam(_space.MapRam(span), 65);
        }
    }
}
