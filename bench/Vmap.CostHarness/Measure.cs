using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Emit;

namespace Vmap.CostHarness;

/// <summary>One configuration's figures over the measured rounds.</summary>
internal sealed class Series(string label)
{
    public string Label { get; } = label;

    public List<double> WallMs { get; } = new();

    public List<double> CpuMs { get; } = new();

    public List<double> AllocatedMb { get; } = new();

    /// <summary>Per analyzer (by type name), the driver's execution time of each round.</summary>
    public Dictionary<string, List<double>> AnalyzerMs { get; } = new();

    public int Diagnostics { get; set; }

    public double AnalyzersMedian(Func<string, bool> which) =>
        Stats.Median(Enumerable.Range(0, WallMs.Count).Select(i => AnalyzerMs.Where(p => which(p.Key)).Sum(p => p.Value[i])).ToList());
}

internal static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}

/// <summary>
/// The rounds: every configuration works on a fresh <see cref="Compilation.Clone"/> (the parsed
/// trees are shared, binding starts from nothing, as in a build), in an order that rotates every
/// round so that no configuration always runs first or after a collection of another's garbage.
/// </summary>
internal sealed class Measure(RecordedCompilation recorded, ImmutableArray<DiagnosticAnalyzer> vmap)
{
    private readonly Compilation _compilation = recorded.Compilation;

    public Series Run(string label, ImmutableArray<DiagnosticAnalyzer> analyzers, bool emit = true, bool build = false)
    {
        var series = new Series(label);
        Once(series, analyzers, emit, build);
        return series;
    }

    /// <summary>One round of one configuration; <paramref name="build"/> passes the build's marker (<see cref="RecordedCompilation.BuildOptions"/>).</summary>
    public void Once(Series series, ImmutableArray<DiagnosticAnalyzer> analyzers, bool emit, bool build = false)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();

        var compilation = _compilation.Clone();
        ImmutableArray<Diagnostic> diagnostics;
        AnalysisResult? result = null;
        if (analyzers.IsEmpty)
        {
            diagnostics = compilation.GetDiagnostics();
        }
        else
        {
            var withAnalyzers = compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
                build ? recorded.BuildOptions : recorded.Options, onAnalyzerException: null, concurrentAnalysis: compilation.Options.ConcurrentBuild,
                logAnalyzerExecutionTime: true, reportSuppressedDiagnostics: false));
            // One analysis run: its result carries the telemetry (asking for the diagnostics and
            // then for the result would run the code block actions twice).
            result = withAnalyzers.GetAnalysisResultAsync(CancellationToken.None).GetAwaiter().GetResult();
            diagnostics = compilation.GetDiagnostics().AddRange(result.GetAllDiagnostics());
        }

        if (emit)
        {
            Emit(compilation);
        }

        clock.Stop();
        process.Refresh();
        series.WallMs.Add(clock.Elapsed.TotalMilliseconds);
        series.CpuMs.Add((process.TotalProcessorTime - cpu).TotalMilliseconds);
        series.AllocatedMb.Add((GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1e6);
        series.Diagnostics = diagnostics.Count(d => d.Severity >= DiagnosticSeverity.Warning || d.Id.StartsWith("VMAP", StringComparison.Ordinal));
        if (result is not null)
        {
            foreach (var analyzer in analyzers)
            {
                var name = Name(analyzer);
                var telemetry = result.AnalyzerTelemetryInfo[analyzer];
                if (!series.AnalyzerMs.TryGetValue(name, out var list))
                {
                    series.AnalyzerMs.Add(name, list = new List<double>());
                }

                // Several analyzers of one type (rare) add up; each round has one entry per name.
                if (list.Count == series.WallMs.Count)
                {
                    list[^1] += telemetry.ExecutionTime.TotalMilliseconds;
                }
                else
                {
                    list.Add(telemetry.ExecutionTime.TotalMilliseconds);
                }
            }
        }
    }

    public static string Name(DiagnosticAnalyzer analyzer) => analyzer is TimedAnalyzer ? "timed" : analyzer.GetType().FullName ?? analyzer.GetType().Name;

    private void Emit(Compilation compilation)
    {
        var arguments = recorded.Arguments;
        using var pe = new MemoryStream();
        using var pdb = arguments.EmitPdb && arguments.EmitOptions.DebugInformationFormat != DebugInformationFormat.Embedded ? new MemoryStream() : null;
        using var xml = arguments.DocumentationPath is not null ? new MemoryStream() : null;
        compilation.Emit(pe, pdb, xml, manifestResources: arguments.ManifestResources, options: arguments.EmitOptions);
    }

    /// <summary>Per method: Vmap's code block actions timed, the minimum of <paramref name="runs"/> runs.</summary>
    public List<(MethodTime Method, double Ms)> Methods(int runs)
    {
        var best = new Dictionary<string, (MethodTime Method, double Ms)>();
        for (int run = 0; run < runs; run++)
        {
            var times = new ConcurrentDictionary<string, MethodTime>();
            var timed = vmap.Select(a => (DiagnosticAnalyzer)new TimedAnalyzer(a, times)).ToImmutableArray();
            Run("methods", timed, emit: false);
            foreach (var (key, time) in times)
            {
                var ms = time.Ticks * 1000.0 / Stopwatch.Frequency;
                if (!best.TryGetValue(key, out var previous) || ms < previous.Ms)
                {
                    best[key] = (time, ms);
                }
            }
        }

        return best.Values.OrderByDescending(m => m.Ms).ToList();
    }

    /// <summary>
    /// The per-compilation steps Vmap pays once, on a fresh clone whose declarations the compiler has
    /// already made (as it has by the first code block): the context (pair table, renamed entry
    /// points), the text scan, the member index. Minimum of <paramref name="runs"/> runs, ms each.
    /// </summary>
    public (double Context, double Scan, double MemberIndex) ContextSteps(int runs)
    {
        var best = (Context: double.MaxValue, Scan: double.MaxValue, MemberIndex: double.MaxValue);
        for (int run = 0; run < runs; run++)
        {
            var compilation = _compilation.Clone();
            _ = compilation.GetTypeByMetadataName("System.Object");
            var clock = Stopwatch.StartNew();
            var context = Vmap.Analyzers.Pairing.PairingContext.TryCreate(compilation, recorded.Options, CancellationToken.None);
            var created = clock.Elapsed.TotalMilliseconds;
            if (context is null)
            {
                return (created, 0, 0);
            }

            clock.Restart();
            _ = context.Scan;
            var scanned = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            _ = context.MemberIndex;
            var indexed = clock.Elapsed.TotalMilliseconds;
            best = (Math.Min(best.Context, created), Math.Min(best.Scan, scanned), Math.Min(best.MemberIndex, indexed));
        }

        return best;
    }

    /// <summary>The gate's admitted code blocks and which of them really pair (one untimed pass).</summary>
    public GateProbe Gate()
    {
        var probe = new GateProbe();
        Run("gate", ImmutableArray.Create<DiagnosticAnalyzer>(probe), emit: false);
        return probe;
    }
}
