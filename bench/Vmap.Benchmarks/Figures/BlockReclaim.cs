using System.Diagnostics;
using System.Globalization;

namespace Vmap.Benchmarks.Figures;

/// <summary>
/// Issue 13, break 6: MapRam(n) + UnmapRam in a loop with nothing else live. Throughput of the
/// first 10k pairs of a fresh space against 10k pairs after 1M of them; target >= 0.9x. Run with
/// <c>dotnet run -c Release --project bench/Vmap.Benchmarks -- reclaim</c>.
/// </summary>
internal static class BlockReclaim
{
    private const int Window = 10_000;
    private const int Churn = 1_000_000;

    public static void Run(string[] args)
    {
        int samples = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
        Console.WriteLine($"block reclaim, Default64 (1024-page blocks, VMAP_MAX_ALLOC 64), simulated; {samples} windows of 10k pairs each side; {Load.Text()}");

        // JIT and tiering settle on throwaway spaces first, so the first window measures the space, not the compiler.
        foreach (int count in new[] { 1, 3, 63 })
        {
            using var warm = VmapSpace.CreateSimulated(VmapGeometry.Default64);
            Pairs(warm, Pages(warm, count), 300_000);
        }

        foreach (int count in new[] { 1, 3, 63 })
        {
            // The first 10k pairs of a space, on fresh spaces; then one space after 1M pairs, measured
            // in windows of 10k (each window a 1 ms slice: on a loaded machine a slice that lost the
            // CPU is an outlier, so medians and bests are quoted, not means).
            var first = new List<double>();
            for (int i = 0; i < samples; i++)
            {
                using var fresh = VmapSpace.CreateSimulated(VmapGeometry.Default64);
                first.Add(Pairs(fresh, Pages(fresh, count), Window));
            }

            using var space = VmapSpace.CreateSimulated(VmapGeometry.Default64);
            var pages = Pages(space, count);
            Pairs(space, pages, Churn);
            var after = new List<double>();
            for (int i = 0; i < samples; i++)
            {
                after.Add(Pairs(space, pages, Window));
            }

            var stats = space.Stats;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"MapRam({count,2})+UnmapRam: first 10k median {Median(first),6:F0} / best {first.Max(),6:F0} pairs/ms; after 1M median {Median(after),6:F0} / best {after.Max(),6:F0} pairs/ms; ratio median {Median(after) / Median(first):F2}, best {after.Max() / first.Max():F2}; blocks {stats.Blocks}, live {stats.LiveMappings}"));
        }

        Console.WriteLine($"done; {Load.Text()}");
    }

    private static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);

    private static Page[] Pages(VmapSpace space, int count) => Enumerable.Range(0, count).Select(_ => space.Pool.Allocate()).ToArray();

    /// <summary>Pairs per millisecond over <paramref name="n"/> pairs.</summary>
    private static double Pairs(VmapSpace space, Page[] pages, int n)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < n; i++)
        {
            space.UnmapRam(space.MapRam(pages), pages.Length);
        }

        return n / sw.Elapsed.TotalMilliseconds;
    }
}

/// <summary>The load average, as <c>uptime</c> prints it.</summary>
internal static class Load
{
    public static string Text() => "load average " + string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
