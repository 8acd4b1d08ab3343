using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Vmap.Analyzers;

namespace Vmap.CostHarness;

/// <summary>
/// What Vmap's analyzers cost a real compilation, measured warm and in-process (bench/README.md):
/// <c>Vmap.CostHarness [options] [--] csc-arguments...</c>, or <c>Vmap.CostHarness shapes</c> for
/// the generated shapes whose cost could grow faster than the code.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: Vmap.CostHarness [--rounds N] [--methods] [--top N] [--cwd DIR] [--cmdline FILE]
                                [--exclude NAME]... [--no-project-analyzers] [--prototype] [--] [csc arguments, @file.rsp]
               Vmap.CostHarness shapes [--runs N] [--max-seconds S] [--only NAME]
          --cwd DIR        the directory csc ran in (relative paths of the command line); default: current
          --cmdline FILE   a file holding the Csc task's logged command line (the executable and csc.dll
                           at its start are skipped), instead of arguments
          --rounds N       measured rounds per configuration, after one warm-up round (default 10)
          --methods        also time Vmap per method: the slowest --top (default 20) with their sizes
          --exclude NAME   drop the command line's analyzer assemblies whose file name contains NAME
          --no-project-analyzers   skip (c), (d) and (u), the project's own analyzers
        rows (b) and (d) run Vmap as the IDE registers it (code block and symbol actions), (t) and (u)
        as a build does (syntax tree actions, the package's vmap.build additional file passed)
          --prototype      also (s): Vmap's gate and the floor's binding from a syntax tree action (issue 25 §2)
        """;

    public static int Main(string[] argv)
    {
        try
        {
            return argv.Length > 0 && argv[0] == "shapes" ? Shapes.Run(argv.Skip(1).ToArray()) : Measure(argv);
        }
        catch (HarnessException ex)
        {
            Console.Error.WriteLine("Vmap.CostHarness: " + ex.Message);
            return 2;
        }
    }

    private static int Measure(string[] argv)
    {
        var rounds = 10;
        var top = 20;
        var methods = false;
        var projectAnalyzers = true;
        var prototype = false;
        var directory = Directory.GetCurrentDirectory();
        var excluded = new List<string>();
        var csc = new List<string>();
        for (int i = 0; i < argv.Length; i++)
        {
            string Value() => i + 1 < argv.Length ? argv[++i] : throw new HarnessException($"{argv[i]} needs a value\n{Usage}");
            switch (argv[i])
            {
                case "--rounds": rounds = Positive(Value(), "--rounds"); break;
                case "--top": top = Positive(Value(), "--top"); break;
                case "--methods": methods = true; break;
                case "--no-project-analyzers": projectAnalyzers = false; break;
                case "--prototype": prototype = true; break;
                case "--cwd": directory = Path.GetFullPath(Value()); break;
                case "--exclude": excluded.Add(Value()); break;
                case "--cmdline": csc.AddRange(LoggedCommandLine(Value())); break;
                case "--help" or "-h": Console.WriteLine(Usage); return 0;
                case "--": csc.AddRange(argv.Skip(i + 1)); i = argv.Length; break;
                default: csc.Add(argv[i]); break;
            }
        }

        if (csc.Count == 0)
        {
            throw new HarnessException("no compiler command line given\n" + Usage);
        }

        var loadBefore = Stats.LoadAverage();
        var recorded = RecordedCompilation.Create(csc, directory, excluded);
        foreach (var note in recorded.Notes)
        {
            Console.WriteLine("note: " + note);
        }

        var vmap = typeof(PairingAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttributes(typeof(DiagnosticAnalyzerAttribute), false).Length > 0)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();
        var measure = new Measure(recorded, vmap);
        var compilation = recorded.Compilation;
        var lines = compilation.SyntaxTrees.Sum(t => t.GetText().Lines.Count);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Console.WriteLine($"compilation: {compilation.AssemblyName}, {compilation.SyntaxTrees.Count()} trees, {lines:N0} lines, host Roslyn {typeof(Compilation).Assembly.GetName().Version}");
        if (errors.Count > 0)
        {
            // A recreation that does not compile measures something else than the build did.
            Console.WriteLine($"warning: the recreated compilation has {errors.Count} errors, first: {errors[0]}");
        }

        var gate = measure.Gate();
        var admitted = gate.Admitted;
        var floor = new FloorAnalyzer(admitted.ToDictionary(p => p.Key, p => p.Value));
        var configurations = new List<(Series Series, ImmutableArray<DiagnosticAnalyzer> Analyzers, bool Emit, bool Build)>
        {
            (new Series("(a) compile: diagnostics + emit"), ImmutableArray<DiagnosticAnalyzer>.Empty, true, false),
            (new Series("(b) (a) + Vmap (code blocks: the IDE's registration)"), vmap, true, false),
            (new Series("(e) (a) + an empty code block analyzer"), ImmutableArray.Create<DiagnosticAnalyzer>(new EmptyCodeBlockAnalyzer()), true, false),
            (new Series("(g) (a) + an empty syntax tree analyzer"), ImmutableArray.Create<DiagnosticAnalyzer>(new EmptySyntaxTreeAnalyzer()), true, false),
            (new Series("(h) (a) + an empty semantic model analyzer"), ImmutableArray.Create<DiagnosticAnalyzer>(new EmptySemanticModelAnalyzer()), true, false),
            (new Series("(t) (a) + Vmap in build mode (syntax trees)"), vmap, true, true),
        };
        var syntaxGate = new SyntaxTreeGateAnalyzer();
        if (prototype)
        {
            configurations.Add((new Series("(s) (a) + syntax-tree prototype: gate + op tree/CFG"), ImmutableArray.Create<DiagnosticAnalyzer>(syntaxGate), true, false));
        }
        if (projectAnalyzers && !recorded.ProjectAnalyzers.IsEmpty)
        {
            configurations.Add((new Series($"(c) (a) + project's {recorded.ProjectAnalyzers.Length} analyzers"), recorded.ProjectAnalyzers, true, false));
            configurations.Add((new Series("(d) (c) + Vmap"), recorded.ProjectAnalyzers.AddRange(vmap), true, false));
            configurations.Add((new Series("(u) (c) + Vmap in build mode"), recorded.ProjectAnalyzers.AddRange(vmap), true, true));
        }

        configurations.Add((new Series("(f) floor: diagnostics + op tree/CFG of admitted, no emit"), ImmutableArray.Create<DiagnosticAnalyzer>(floor), false, false));

        // One warm-up round of everything (JIT, metadata), then the measured rounds, rotated.
        foreach (var (_, analyzers, emit, build) in configurations)
        {
            measure.Run("warm-up", analyzers, emit, build);
        }

        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < configurations.Count; k++)
            {
                var (series, analyzers, emit, build) = configurations[(k + round) % configurations.Count];
                measure.Once(series, analyzers, emit, build);
            }
        }

        var loadAfter = Stats.LoadAverage();
        Console.WriteLine($"rounds: {rounds} measured per configuration after one warm-up, order rotated each round; load average before {loadBefore}, after {loadAfter}; {Environment.ProcessorCount} cores");
        Console.WriteLine($"{"configuration",-58} {"wall ms",9} {"cpu ms",9} {"alloc MB",9} {"diags",6}");
        foreach (var (series, _, _, _) in configurations)
        {
            Console.WriteLine($"{series.Label,-58} {Stats.Median(series.WallMs),9:F0} {Stats.Median(series.CpuMs),9:F0} {Stats.Median(series.AllocatedMb),9:F1} {series.Diagnostics,6}");
        }

        var a = configurations[0].Series;
        var b = configurations[1].Series;
        Console.WriteLine($"marginal (b - a) / a: wall {Percent(Stats.Median(b.WallMs), Stats.Median(a.WallMs))}, cpu {Percent(Stats.Median(b.CpuMs), Stats.Median(a.CpuMs))}, allocated {Percent(Stats.Median(b.AllocatedMb), Stats.Median(a.AllocatedMb))}");
        var e = configurations[2].Series;
        Console.WriteLine($"driver's fixed price (e - a) / a: wall {Percent(Stats.Median(e.WallMs), Stats.Median(a.WallMs))}, cpu {Percent(Stats.Median(e.CpuMs), Stats.Median(a.CpuMs))}; Vmap's own (b - e) / a: wall {Share(Stats.Median(b.WallMs) - Stats.Median(e.WallMs), Stats.Median(a.WallMs))}, cpu {Share(Stats.Median(b.CpuMs) - Stats.Median(e.CpuMs), Stats.Median(a.CpuMs))}");
        var g = configurations[3].Series;
        Console.WriteLine($"an analyzer of syntax trees only (g - a) / a: wall {Percent(Stats.Median(g.WallMs), Stats.Median(a.WallMs))}, cpu {Percent(Stats.Median(g.CpuMs), Stats.Median(a.CpuMs))}");
        var h = configurations[4].Series;
        Console.WriteLine($"an analyzer of semantic models (h - a) / a: wall {Percent(Stats.Median(h.WallMs), Stats.Median(a.WallMs))}, cpu {Percent(Stats.Median(h.CpuMs), Stats.Median(a.CpuMs))}");
        var t = configurations[5].Series;
        Console.WriteLine($"Vmap in build mode (t - a) / a: wall {Percent(Stats.Median(t.WallMs), Stats.Median(a.WallMs))}, cpu {Percent(Stats.Median(t.CpuMs), Stats.Median(a.CpuMs))}, allocated {Percent(Stats.Median(t.AllocatedMb), Stats.Median(a.AllocatedMb))}; diagnostics {t.Diagnostics} against (b)'s {b.Diagnostics}");
        if (configurations.Find(x => x.Series.Label.StartsWith("(s)", StringComparison.Ordinal)) is { Series: { } s })
        {
            Console.WriteLine($"syntax-tree prototype (s - a) / a: wall {Percent(Stats.Median(s.WallMs), Stats.Median(a.WallMs))}, cpu {Percent(Stats.Median(s.CpuMs), Stats.Median(a.CpuMs))}, allocated {Percent(Stats.Median(s.AllocatedMb), Stats.Median(a.AllocatedMb))}; it bound {syntaxGate.Bound} method bodies per run");
        }

        if (configurations.Find(x => x.Series.Label.StartsWith("(c)", StringComparison.Ordinal)) is { Series: { } c } &&
            configurations.Find(x => x.Series.Label.StartsWith("(d)", StringComparison.Ordinal)) is { Series: { } d })
        {
            Console.WriteLine($"Vmap over the project's analyzers (d - c) / a: wall {Share(Stats.Median(d.WallMs) - Stats.Median(c.WallMs), Stats.Median(a.WallMs))}, cpu {Share(Stats.Median(d.CpuMs) - Stats.Median(c.CpuMs), Stats.Median(a.CpuMs))}");
            if (configurations.Find(x => x.Series.Label.StartsWith("(u)", StringComparison.Ordinal)) is { Series: { } u })
            {
                Console.WriteLine($"Vmap in build mode over the project's analyzers (u - c) / a: wall {Share(Stats.Median(u.WallMs) - Stats.Median(c.WallMs), Stats.Median(a.WallMs))}, cpu {Share(Stats.Median(u.CpuMs) - Stats.Median(c.CpuMs), Stats.Median(a.CpuMs))}");
            }
        }

        Console.WriteLine("Vmap's own time (analyzer telemetry, median of the (b) rounds):");
        foreach (var name in b.AnalyzerMs.Keys.OrderBy(n => n, StringComparer.Ordinal))
        {
            Console.WriteLine($"  {name,-50} {Stats.Median(b.AnalyzerMs[name]),9:F1} ms");
        }

        Console.WriteLine("Vmap's own time in build mode (analyzer telemetry, median of the (t) rounds):");
        foreach (var name in t.AnalyzerMs.Keys.OrderBy(n => n, StringComparer.Ordinal))
        {
            Console.WriteLine($"  {name,-50} {Stats.Median(t.AnalyzerMs[name]),9:F1} ms");
        }

        var vmapMs = b.AnalyzersMedian(_ => true);
        var floorMs = configurations[^1].Series.AnalyzersMedian(_ => true);
        Console.WriteLine($"  {"total",-50} {vmapMs,9:F1} ms");
        Console.WriteLine($"floor (op tree + CFG of the {admitted.Count} admitted blocks): {floorMs:F1} ms; Vmap / floor = {Ratio(vmapMs, floorMs)}");
        var real = admitted.Count(p => p.Value);
        Console.WriteLine($"gate: {gate.Blocks} method code blocks, {admitted.Count} admitted, {real} really call a pair API or an inferred acquirer (admitted / real = {Ratio(admitted.Count, real)})");
        Console.WriteLine($"gate: {gate.Named} blocks name a pair method or a possible acquirer, {gate.JudgedNone} of them judged to call none (not bound)");

        if (gate.WastedBy.Count > 0)
        {
            Console.WriteLine("names in the admitted blocks that pair nothing: " + string.Join(", ", gate.WastedBy.OrderByDescending(p => p.Value).Take(8).Select(p => $"{p.Key} {p.Value}")));
        }

        if (methods)
        {
            var (context, scan, memberIndex) = measure.ContextSteps(runs: 3);
            Console.WriteLine($"once per compilation (min of 3): context {context:F1} ms, text scan {scan:F1} ms, member index {memberIndex:F1} ms");
            var timed = measure.Methods(runs: 3);
            Console.WriteLine($"per method: {timed.Sum(m => m.Ms):F1} ms in Vmap's code block actions over {timed.Count} methods (min of 3 runs each); the rest of the telemetry is the start and end actions");
            Console.WriteLine($"slowest {Math.Min(top, timed.Count)} of {timed.Count} methods (Vmap's code block actions, min of 3 runs):");
            foreach (var (method, ms) in timed.Take(top))
            {
                Console.WriteLine($"  {ms,9:F2} ms {method.Lines,6} lines  {method.Where,-40} {method.Name}");
            }
        }

        return 0;
    }

    private static string Percent(double value, double baseline) => Share(value - baseline, baseline);

    private static string Share(double delta, double baseline) => (delta / baseline * 100).ToString("+0.0;-0.0", CultureInfo.InvariantCulture) + " %";

    private static string Ratio(double value, double baseline) => baseline == 0 ? "n/a" : (value / baseline).ToString("F2", CultureInfo.InvariantCulture) + "x";

    private static int Positive(string value, string option) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new HarnessException($"{option} takes a positive number, not '{value}'");

    /// <summary>
    /// The Csc task's logged command line ("/usr/share/dotnet/dotnet exec .../csc.dll /noconfig ..."):
    /// split as csc splits it, everything up to the compiler itself skipped.
    /// </summary>
    private static IEnumerable<string> LoggedCommandLine(string file)
    {
        if (!File.Exists(file))
        {
            throw new HarnessException($"command line file not found: {file}");
        }

        var words = Microsoft.CodeAnalysis.CommandLineParser.SplitCommandLineIntoArguments(File.ReadAllText(file).Trim(), removeHashComments: false).ToList();
        var compiler = words.FindIndex(w => w.EndsWith("csc.dll", StringComparison.OrdinalIgnoreCase) || w.EndsWith("csc.exe", StringComparison.OrdinalIgnoreCase) || w.EndsWith("/csc", StringComparison.Ordinal) || w == "csc");
        return compiler < 0 ? words : words.Skip(compiler + 1);
    }
}
