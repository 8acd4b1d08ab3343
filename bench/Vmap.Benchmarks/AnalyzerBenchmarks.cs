using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Vmap.Analyzers;
using Vmap.TestSources;

namespace Vmap.Benchmarks;

/// <summary>
/// The pairing analyzer over a generated compilation of 200 files with 2,000 map calls and 2,000
/// unmap calls (loops, branches, try/finally, correlated guards, members that hold mappings), next
/// to the cost of compiling the same code. The same sources without the annotations measure the
/// cost when no annotated API exists. Every benchmark starts from a fresh clone of the
/// compilation, so nothing bound by an earlier iteration is reused.
/// Targets: <c>Analyze_NoAnnotations</c> indistinguishable from <c>Analyze_EmptyAnalyzer</c>;
/// <c>Analyze_Annotated</c> minus <c>Bind_Annotated</c> well under <c>Emit_Annotated</c>.
/// </summary>
[MemoryDiagnoser]
public class AnalyzerBenchmarks
{
    private const int Files = 200;
    private const int MethodsPerFile = 5;

    private CSharpCompilation _annotated = null!;
    private CSharpCompilation _plain = null!;

    [GlobalSetup]
    public void Setup()
    {
        var references = PlatformReferences();
        _annotated = Create(references, annotated: true);
        _plain = Create(references, annotated: false);

        var sites = _annotated.SyntaxTrees.Sum(t => t.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax>()
            .Count(c => c.Expression.ToString().EndsWith(".MapRam", StringComparison.Ordinal) || c.Expression.ToString().EndsWith(".Vmalloc", StringComparison.Ordinal)));
        var errors = _annotated.GetDiagnostics().Concat(_plain.GetDiagnostics()).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var findings = Analyze(_annotated, new PairingAnalyzer());
        if (errors.Count > 0 || sites != Files * MethodsPerFile * 2 || findings.Length != Files)
        {
            // One deliberate count mismatch per file proves the analyzer really ran over every file.
            throw new InvalidOperationException($"Generated code is off: {errors.Count} errors, {sites} map sites, {findings.Length} findings.");
        }
    }

    [Benchmark(Baseline = true)]
    public int Bind_Annotated() => _annotated.Clone().GetDiagnostics().Length;

    [Benchmark]
    public long Emit_Annotated()
    {
        using var stream = new MemoryStream();
        _annotated.Clone().Emit(stream);
        return stream.Length;
    }

    [Benchmark]
    public int Analyze_Annotated() => Analyze(_annotated.Clone(), new PairingAnalyzer()).Length;

    [Benchmark]
    public int Analyze_EmptyAnalyzer() => Analyze(_plain.Clone(), new EmptyAnalyzer()).Length;

    [Benchmark]
    public int Analyze_NoAnnotations() => Analyze(_plain.Clone(), new PairingAnalyzer()).Length;

    /// <summary>What any operation-based analyzer pays: the IOperation tree of every method body.</summary>
    [Benchmark]
    public int Analyze_OperationTreesOnly() => Analyze(_annotated.Clone(), new OperationBlockAnalyzer(buildGraph: false)).Length;

    /// <summary>The same plus Roslyn's control flow graph of every method body, which the engine walks.</summary>
    [Benchmark]
    public int Analyze_ControlFlowGraphsOnly() => Analyze(_annotated.Clone(), new OperationBlockAnalyzer(buildGraph: true)).Length;

    /// <summary>The running platform's System.* assemblies, as a generated compilation references them.</summary>
    internal static List<MetadataReference> PlatformReferences() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) == "netstandard.dll")
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToList();

    internal static ImmutableArray<Diagnostic> Analyze(Compilation compilation, DiagnosticAnalyzer analyzer) =>
        compilation.WithAnalyzers(ImmutableArray.Create(analyzer)).GetAllDiagnosticsAsync().GetAwaiter().GetResult()
            .Where(d => d.Id.StartsWith("VMAP", StringComparison.Ordinal) || d.Id == "AD0001")
            .ToImmutableArray();

    private static CSharpCompilation Create(IEnumerable<MetadataReference> references, bool annotated)
    {
        var trees = new List<SyntaxTree> { CSharpSyntaxTree.ParseText(Api(annotated), path: "Api.cs") };
        for (var i = 0; i < Files; i++)
        {
            trees.Add(CSharpSyntaxTree.ParseText(File(i), path: $"File{i}.cs"));
        }

        return CSharpCompilation.Create(
            annotated ? "Annotated" : "Plain",
            trees,
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, optimizationLevel: OptimizationLevel.Release));
    }

    private static string Api(bool annotated)
    {
        var maps = annotated ? "[return: MapsMemory(\"vmap-ram\", CountParameter = \"pages\")]" : string.Empty;
        var unmaps = annotated ? "[UnmapsMemory(\"vmap-ram\", CountParameter = \"pageCount\")]" : string.Empty;
        var vmalloc = annotated ? "[return: MapsMemory(\"vmalloc\")]" : string.Empty;
        var vfree = annotated ? "[UnmapsMemory(\"vmalloc\")]" : string.Empty;
        var attributes = annotated
            ? FakeAnnotations.Source
            : string.Empty;
        return attributes + $$"""

            namespace Gen
            {
                using System;
                {{(annotated ? "using Vmap.Annotations;" : string.Empty)}}

                public readonly struct Page { public readonly long Index; public Page(long index) { Index = index; } }

                public sealed class Space
                {
                    private long _next = 4096;
                    {{maps}} public nint MapRam(ReadOnlySpan<Page> pages) { _next += pages.Length * 4096; return (nint)_next; }
                    public void UnmapRam({{unmaps}} nint address, int pageCount) { }
                    {{vmalloc}} public nint Vmalloc(nuint size) { _next += (long)size; return (nint)_next; }
                    public void Vfree({{vfree}} nint address) { }
                }

                public sealed class Buffer
                {
                    public nint Addr;
                    public bool Mapped;
                    public Page[] Pages = new Page[0];
                    public int PageCount => Pages.Length;
                }
            }
            """;
    }

    /// <summary>Five methods, ten map sites, ten unmap sites; one count mismatch per file.</summary>
    private static string File(int n) => $$"""
        namespace Gen
        {
            using System;
            using System.Collections.Generic;

            public static class Worker{{n.ToString(CultureInfo.InvariantCulture)}}
            {
                public static long Loop(Space space, Page[] pages, int rounds)
                {
                    long sum = 0;
                    for (var i = 0; i < rounds; i++)
                    {
                        var p = space.MapRam(pages);
                        sum += p % 7 + i * 3;
                        space.UnmapRam(p, pages.Length);
                    }

                    var q = space.Vmalloc(8192);
                    sum ^= q;
                    space.Vfree(q);
                    return sum;
                }

                public static string Branches(Space space, Page[] pages, int mode, List<string> log)
                {
                    var p = space.MapRam(pages);
                    string text;
                    if (mode > 2)
                    {
                        text = "big " + mode.ToString();
                        space.UnmapRam(p, pages.Length);
                    }
                    else
                    {
                        text = string.Concat("small ", mode.ToString(), " of ", pages.Length.ToString());
                        space.UnmapRam(p, pages.Length);
                    }

                    log.Add(text);
                    var scratch = space.Vmalloc((nuint)(mode + 1) * 4096);
                    try
                    {
                        log.Add(scratch.ToString("x"));
                    }
                    finally
                    {
                        space.Vfree(scratch);
                    }

                    return text;
                }

                public static int Correlated(Space space, Page[] pages, int count)
                {
                    nint p = 0;
                    if (count > 1)
                    {
                        p = space.MapRam(pages);
                    }

                    var total = 0;
                    foreach (var page in pages)
                    {
                        total += (int)(page.Index & 0xff);
                    }

                    if (count > 1)
                    {
                        space.UnmapRam(p, pages.Length);
                    }

                    var ok = space.Vmalloc(4096);
                    space.Vfree(ok);
                    return total;
                }

                public static void Members(Space space, Buffer bp)
                {
                    if (bp.PageCount > 1)
                    {
                        bp.Addr = space.MapRam(bp.Pages);
                        bp.Mapped = true;
                    }

                    if (bp.Mapped && bp.PageCount > 1)
                    {
                        space.UnmapRam(bp.Addr, bp.PageCount);
                        bp.Mapped = false;
                    }

                    var v = space.Vmalloc(64);
                    bp.Addr = 0;
                    space.Vfree(v);
                }

                public static int Mismatch(Space space, Page[] pages, Dictionary<int, int> seen)
                {
                    var p = space.MapRam(pages);
                    seen[pages.Length] = seen.TryGetValue(pages.Length, out var old) ? old + 1 : 1;
                    space.UnmapRam(p, pages.Length + 1);
                    var w = space.Vmalloc(16384);
                    space.Vfree(w);
                    return seen.Count;
                }
            }
        }
        """;

    /// <summary>Visits every method body's operations, or builds its control flow graph, and reports nothing.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    internal sealed class OperationBlockAnalyzer : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Never = new("BENCH001", "Never", "Never", "Bench", DiagnosticSeverity.Hidden, true);
        private readonly bool _buildGraph;

        public OperationBlockAnalyzer(bool buildGraph) => _buildGraph = buildGraph;

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Never);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterOperationBlockAction(block =>
            {
                foreach (var operation in block.OperationBlocks)
                {
                    if (_buildGraph && operation is Microsoft.CodeAnalysis.Operations.IMethodBodyOperation)
                    {
                        block.GetControlFlowGraph(operation);
                    }
                    else
                    {
                        foreach (var _ in Microsoft.CodeAnalysis.Operations.OperationExtensions.Descendants(operation))
                        {
                        }
                    }
                }
            });
        }
    }

    /// <summary>The analyzer driver's own cost: an analyzer that registers nothing.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    internal sealed class EmptyAnalyzer : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Never = new("BENCH000", "Never", "Never", "Bench", DiagnosticSeverity.Hidden, true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Never);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
        }
    }
}
