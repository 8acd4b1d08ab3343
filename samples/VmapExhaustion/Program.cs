using System.Globalization;
using Vmap;
using VmapExhaustion;

// The seed's boot-time experiment: map one page at a time until the space is exhausted.
string? mapDir = null;
bool native = false;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--map" && i + 1 < args.Length)
    {
        mapDir = args[++i];
    }
    else if (args[i] == "--native")
    {
        // Real memory (Linux): memfd pages mapped into a PROT_NONE reservation; 119 MiB fits any 64-bit process.
        native = true;
    }
    else
    {
        Console.Error.WriteLine("usage: VmapExhaustion [--map DIR] [--native]");
        return 2;
    }
}

var x86 = VmapGeometry.X86_32_2011;
const long PageSize = 4096;
var runs = new[]
{
    // The 2011 kernel: a guard page after every area, one CPU's queue, no stealing, no fallback.
    new Experiment("x86-32-2011", x86 with { Guard = GuardMode.BetweenAllAreas }, VmapOptions.Kernel2011, ShowPages: false),

    // Weiner's patch: the guard only after vmalloc/vmap areas.
    new Experiment("x86-32-2011", x86, VmapOptions.Kernel2011, ShowPages: false),

    // Ends that are not block-aligned: only stealing and the plain-area fallback reach every page.
    new Experiment("x86-32-2011-unaligned", x86 with { Start = x86.Start + (3 * PageSize), Size = x86.Size + (5 * PageSize) }, VmapOptions.Default, ShowPages: true),
};

var lines = new List<string>();
foreach (var run in runs)
{
    using var space = native ? VmapSpace.CreateNative(run.Geometry, run.Options) : VmapSpace.CreateSimulated(run.Geometry, run.Options);
    long maps = Exhaust.MapSinglePagesUntilFull(space);
    string guard = run.Geometry.Guard == GuardMode.BetweenAllAreas ? "between-all-areas" : "vmalloc-only";
    string pages = run.ShowPages ? $" pages-in-space={run.Geometry.TotalPages}" : string.Empty;
    string backend = native ? $" backend={space.BackendName}" : string.Empty;
    lines.Add(string.Create(CultureInfo.InvariantCulture, $"geometry={run.Name}{backend} guard={guard}{pages} single-page-maps={maps}"));
    if (mapDir is not null)
    {
        Directory.CreateDirectory(mapDir);
        string path = Path.Combine(mapDir, $"{run.Name}-{guard}.svg");
        File.WriteAllText(path, SpaceMap.Render(space, lines[^1]));
        Console.WriteLine($"wrote {path}");
    }
}

foreach (var line in lines)
{
    Console.WriteLine(line);
}

return 0;

internal sealed record Experiment(string Name, VmapGeometry Geometry, VmapOptions Options, bool ShowPages);
