using System.Diagnostics;
using System.Globalization;

namespace Vmap.Benchmarks.Figures;

/// <summary>
/// Issue 22, break 6: small maps on a fragmented space. The space is filled with one-page Vmaps,
/// two of every 128 are kept and the rest unmapped and purged, so the free-area tree holds one
/// 252-page gap per 128 areas; then MapRam(1) + UnmapRam in a loop. With 128-page blocks (the
/// default here; the third argument changes it) no gap holds an aligned block, so every map that
/// needs a new block searched every gap before the fit alignment was part of the tree. The cost with 8,192 gaps
/// against the cost with 16, measured in one run; target ratio &lt;= 2. Run with
/// <c>dotnet run -c Release --project bench/Vmap.Benchmarks -- gaps</c>.
/// </summary>
internal static class FragmentedSmallMaps
{
    public static void Run(string[] args)
    {
        int samples = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 9;
        int pairs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
        Console.WriteLine($"small maps on a fragmented space, Default64 constants with {(args.Length > 2 ? args[2] : "128")}-page blocks, simulated; {samples} windows of {pairs} pairs; {Load.Text()}");
        int blockPages = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 128;
        var few = Fragmented(16, blockPages);
        var many = Fragmented(8192, blockPages);
        Window(few.Space, few.Page, pairs);
        Window(many.Space, many.Page, pairs);
        var a = new List<double>();
        var b = new List<double>();
        for (int i = 0; i < samples; i++)
        {
            // Interleaved, so a burst of load hits both sides alike.
            a.Add(Window(few.Space, few.Page, pairs));
            b.Add(Window(many.Space, many.Page, pairs));
        }

        double ma = Median(a), mb = Median(b);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"MapRam(1)+UnmapRam: 16 gaps median {ma * 1000:F0} ns/pair (best {a.Min() * 1000:F0}); 8192 gaps median {mb * 1000:F0} ns/pair (best {b.Min() * 1000:F0}); ratio median {mb / ma:F2}, best {b.Min() / a.Min():F2}; free pages {few.Space.Stats.FreePages} / {many.Space.Stats.FreePages}"));
        Console.WriteLine($"done; {Load.Text()}");
        few.Space.Dispose();
        many.Space.Dispose();
    }

    /// <summary>A space of 256 pages per gap, filled with one-page Vmaps (2 pages with the guard), 2 of every 128 kept.</summary>
    internal static (VmapSpace Space, Page Page) Fragmented(int gaps, int blockPages)
    {
        var geometry = VmapGeometry.Default64 with { Size = gaps * 256L * 4096, BlockPages = blockPages, MaxBlockAlloc = Math.Min(64, blockPages) };
        var space = VmapSpace.CreateSimulated(geometry, VmapOptions.Default with { SingleCpuQueue = true });
        var page = space.Pool.Allocate();
        var all = new nint[gaps * 128];
        for (int i = 0; i < all.Length; i++)
        {
            all[i] = space.Vmap([page]);
        }

        for (int i = 0; i < all.Length; i++)
        {
            // The first and the last of every 128 stay: each gap is 252 pages, long enough for a
            // 128-page block but with no 128-aligned run of 128 in it.
            if (i % 128 is not 0 and not 127)
            {
                space.Vunmap(all[i]);
            }
        }

        space.UnmapAliases();
        return (space, page);
    }

    private static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);

    /// <summary>Microseconds per pair over <paramref name="n"/> pairs.</summary>
    private static double Window(VmapSpace space, Page page, int n)
    {
        ReadOnlySpan<Page> pages = [page];
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < n; i++)
        {
            space.UnmapRam(space.MapRam(pages), 1);
        }

        return sw.Elapsed.TotalMicroseconds / n;
    }
}
