using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Vmap.Analyzers.Pairing;
using Vmap.Analyzers.Tests.Robustness;

namespace Vmap.Analyzers.Tests.BuildMode;

/// <summary>
/// Build mode (<see cref="BuildRegistration"/>): what it registers, that it finds the code blocks
/// the driver would hand to a code block action, and what must keep working there: suppression,
/// generated code, cancellation. The rule tests, the ValidCode corpora, the baseline and
/// .editorconfig tests run in both modes through their harnesses (<see cref="BuildModes"/>).
/// </summary>
public class BuildModeTests
{
    public BuildModeTests() => PairingAnalyzer.ThrowOnEngineFailure = true;

    private const string DoubleFree = """
        using System;
        using System.Runtime.InteropServices;

        sealed class Buffers : IDisposable
        {
            private IntPtr _cache = Marshal.AllocHGlobal(64);

            public void Twice()
            {
                var p = Marshal.AllocHGlobal(16);
                Marshal.FreeHGlobal(p);
                Marshal.FreeHGlobal(p);
            }

            public void Dispose()
            {
                Marshal.FreeHGlobal(_cache);
            }
        }
        """;

    [Fact]
    public async Task The_marker_makes_both_analyzers_register_syntax_tree_actions_and_no_semantic_action()
    {
        var compilation = Compile(DoubleFree);
        foreach (var build in new[] { false, true })
        {
            var analyzers = VmapAnalyzers.All().Where(a => a is not DiagnosticSuppressor).ToImmutableArray();
            var withAnalyzers = compilation.WithAnalyzers(
                analyzers,
                new CompilationWithAnalyzersOptions(new AnalyzerOptions(BuildModes.Files([], build)), null, concurrentAnalysis: false, logAnalyzerExecutionTime: false));
            var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();
            Assert.Equal(
                ["VMAP003 Source0.cs[277..278) 'p' is freed again here; it was already freed at line 11 [Source0.cs[245..246)]",
                 "VMAP008 Source0.cs[348..354) '_cache' is freed by Marshal.FreeHGlobal in Dispose but not cleared: it is freed again by a second Dispose [Source0.cs[304..311)]"],
                BuildModes.Sorted(diagnostics).Select(Short));

            foreach (var analyzer in analyzers)
            {
                var telemetry = await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None);
                Assert.Equal(build ? 0 : 1, telemetry.CodeBlockActionsCount);
                Assert.Equal(build ? 1 : 0, telemetry.SyntaxTreeActionsCount);
                Assert.Equal(0, telemetry.SemanticModelActionsCount);
                Assert.Equal(0, telemetry.OperationActionsCount + telemetry.OperationBlockActionsCount + telemetry.SyntaxNodeActionsCount);
                Assert.Equal(build || analyzer is PairingAnalyzer ? 0 : 1, telemetry.SymbolActionsCount);
            }
        }
    }

    /// <summary>
    /// Every shape of a method's code block, compared with what the driver hands a code block
    /// action (owner and block), generated ones included: a member marked <c>[GeneratedCode]</c>
    /// (or in a type so marked) and one in a <c>#line hidden</c> region are skipped by both.
    /// </summary>
    [Fact]
    public async Task Build_mode_finds_the_code_blocks_the_driver_hands_to_code_block_actions()
    {
        const string Shapes = """
            using System;
            using System.CodeDom.Compiler;

            namespace Shapes
            {
                public partial class Many(int seed) : IDisposable
                {
                    private int _field = seed + 1;
                    private event EventHandler? _changed;

                    static Many() { }
                    public Many() : this(1) { Console.WriteLine(); }
                    ~Many() { }
                    public void Dispose() { Action a = () => Console.WriteLine(); a(); Local(); void Local() { } }
                    public int Arrow() => _field;
                    public int Property { get => _field; set => _field = value; }
                    public int Expression => _field * 2;
                    public int this[int i] => i + _field;
                    public int this[long i] { get { return (int)i; } }
                    public event EventHandler Changed { add { _changed += value; } remove { _changed -= value; } }
                    public static Many operator +(Many a, Many b) => a;
                    public static implicit operator int(Many m) => m._field;
                    public int Initialized { get; } = 3;
                    partial void Declared();
                    partial void Declared() { }
                    public abstract class Base { public abstract void Abstract(); }
                    [GeneratedCode("tool", "1")] public void Generated() { }
                    [GeneratedCode("tool", "1")] public class GeneratedType { public void Inner() { } }
                    public struct Nested { public void InStruct() { } }
                    public interface IDefault { void Default() { } }
                }

                public record Point(int X, int Y)
                {
                    public int Sum() => X + Y;
                }

                public record Point3(int X, int Y, int Z) : Point(X, Y);

                public class Derived(int seed) : Many(seed * 2)
                {
                    public static extern void External(int x = 1);
                }
            }
            """;
        const string Hidden = """
            public class Mapped
            {
                public void BeforeAnyLineDirective() { }
            #line hidden
                public void Hidden() { }
            #line default
                public void Visible() { }
            }
            """;
        const string Program = """
            using System;

            Console.WriteLine(Twice(2));
            static int Twice(int x) => x * 2;
            """;

        foreach (var (source, kind) in new[] { (Shapes, OutputKind.DynamicallyLinkedLibrary), (Hidden, OutputKind.DynamicallyLinkedLibrary), (Program, OutputKind.ConsoleApplication) })
        {
            var compilation = Compile(source, kind);
            var recorder = new CodeBlockRecorder();
            await compilation.WithAnalyzers([recorder]).GetAnalyzerDiagnosticsAsync();
            var tree = compilation.SyntaxTrees.Single();
            var found = BuildRegistration.MethodBlocks(tree, () => compilation.GetSemanticModel(tree), _ => true, CancellationToken.None)
                .Select(b => Describe(b.Owner, b.Block))
                .Order(StringComparer.Ordinal);

            Assert.NotEmpty(recorder.Blocks);
            Assert.Equal(string.Join(Environment.NewLine, recorder.Blocks.Order(StringComparer.Ordinal)), string.Join(Environment.NewLine, found));
        }
    }

    [Fact]
    public async Task Pragma_and_SuppressMessage_suppress_in_build_mode_as_in_the_IDE()
    {
        const string Source = """
            using System;
            using System.Diagnostics.CodeAnalysis;
            using System.Runtime.InteropServices;

            static class Frees
            {
                public static void Reported()
                {
                    var p = Marshal.AllocHGlobal(16);
                    Marshal.FreeHGlobal(p);
                    Marshal.FreeHGlobal(p);
                }

                public static void Pragma()
                {
                    var p = Marshal.AllocHGlobal(16);
                    Marshal.FreeHGlobal(p);
            #pragma warning disable VMAP003
                    Marshal.FreeHGlobal(p);
            #pragma warning restore VMAP003
                }

                [SuppressMessage("Reliability", "VMAP003:Memory unmapped twice", Justification = "test")]
                public static void Attribute()
                {
                    var p = Marshal.AllocHGlobal(16);
                    Marshal.FreeHGlobal(p);
                    Marshal.FreeHGlobal(p);
                }
            }
            """;
        var compilation = Compile(Source);

        var diagnostics = await BuildModes.Both(build => compilation.WithAnalyzers(
                VmapAnalyzers.All().ToImmutableArray(),
                new CompilationWithAnalyzersOptions(new AnalyzerOptions(BuildModes.Files([], build)), null, concurrentAnalysis: true, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: true))
            .GetAnalyzerDiagnosticsAsync());

        Assert.Equal(
            [("VMAP003", 10, false), ("VMAP003", 18, true), ("VMAP003", 27, true)],
            diagnostics.OrderBy(d => d.Location.SourceSpan.Start).Select(d => (d.Id, d.Location.GetLineSpan().StartLinePosition.Line, d.IsSuppressed)));
    }

    /// <summary>
    /// Generated files are skipped by the driver (no tree action runs there); members and types
    /// marked <c>[GeneratedCode]</c> in a hand-written file by build mode itself, and so are their
    /// classes' VMAP009 findings. Only the hand-written double free is reported.
    /// </summary>
    [Fact]
    public async Task Generated_files_and_GeneratedCode_members_are_skipped_in_build_mode()
    {
        const string HandWritten = """
            using System;
            using System.CodeDom.Compiler;
            using System.Runtime.InteropServices;

            static class Frees
            {
                public static void Reported()
                {
                    var p = Marshal.AllocHGlobal(16);
                    Marshal.FreeHGlobal(p);
                    Marshal.FreeHGlobal(p);
                }

                [GeneratedCode("tool", "1")]
                public static void Marked()
                {
                    var p = Marshal.AllocHGlobal(16);
                    Marshal.FreeHGlobal(p);
                    Marshal.FreeHGlobal(p);
                }
            }

            [GeneratedCode("tool", "1")]
            sealed class Leaky
            {
                private IntPtr _block = Marshal.AllocHGlobal(8);

                public void Twice()
                {
                    var p = Marshal.AllocHGlobal(16);
                    Marshal.FreeHGlobal(p);
                    Marshal.FreeHGlobal(p);
                }
            }
            """;
        const string Generated = """
            // <auto-generated/>
            using System;
            using System.Runtime.InteropServices;

            sealed class Interop
            {
                private IntPtr _block = Marshal.AllocHGlobal(8);

                public static void Twice()
                {
                    var p = Marshal.AllocHGlobal(16);
                    Marshal.FreeHGlobal(p);
                    Marshal.FreeHGlobal(p);
                }
            }
            """;
        var trees = new[]
        {
            CSharpSyntaxTree.ParseText(HandWritten, new CSharpParseOptions(LanguageVersion.Latest), "Frees.cs"),
            CSharpSyntaxTree.ParseText(Generated, new CSharpParseOptions(LanguageVersion.Latest), "Interop.g.cs"),
        };

        foreach (var build in new[] { false, true })
        {
            var result = await Analysis.Run(trees, Analysis.References, build: build);

            Assert.Empty(result.Thrown);
            Assert.Empty(result.Skipped);
            Assert.Equal(
                ["VMAP003 Frees.cs[247..248) 'p' is freed again here; it was already freed at line 10 [Frees.cs[215..216)]"],
                BuildModes.Sorted(result.Diagnostics).Select(Short));
        }
    }

    /// <summary>
    /// Cancelled midway (by an analyzer beside Vmap's, in its first syntax tree action), the build
    /// mode's actions stop with the cancellation: it reaches the caller, and no method is counted
    /// as skipped by a failure and nothing becomes AD0001.
    /// </summary>
    [Fact]
    public async Task Cancellation_stops_build_mode_without_a_failure()
    {
        var trees = Enumerable.Range(0, 8).Select(i => CSharpSyntaxTree.ParseText(
            DoubleFree.Replace("class Buffers", "class Buffers" + i, StringComparison.Ordinal),
            new CSharpParseOptions(LanguageVersion.Latest),
            $"Source{i}.cs")).ToArray();
        var compilation = CSharpCompilation.Create("Cancelled", trees, Analysis.References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var cancellation = new CancellationTokenSource();
        var thrown = new ConcurrentQueue<Exception>();
        var skipped = new ConcurrentQueue<EngineFailure>();
        void Note(EngineFailure failure)
        {
            if (failure.Compilation.AssemblyName == "Cancelled")
            {
                skipped.Enqueue(failure);
            }
        }

        EngineFailureLog.Reported += Note;
        try
        {
            var analyzers = VmapAnalyzers.All().Prepend(new Canceller(cancellation)).ToImmutableArray();
            var withAnalyzers = compilation.WithAnalyzers(
                analyzers,
                new CompilationWithAnalyzersOptions(new AnalyzerOptions(BuildModes.Files([], build: true)), (e, _, _) => thrown.Enqueue(e), concurrentAnalysis: false, logAnalyzerExecutionTime: false));

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => withAnalyzers.GetAnalyzerDiagnosticsAsync(cancellation.Token));
        }
        finally
        {
            EngineFailureLog.Reported -= Note;
        }

        Assert.True(cancellation.IsCancellationRequested);
        Assert.Empty(thrown);
        Assert.Empty(skipped);
    }

    private static string Short(string shape) => shape.Replace("/project/", string.Empty, StringComparison.Ordinal);

    private static Compilation Compile(string source, OutputKind kind = OutputKind.DynamicallyLinkedLibrary)
    {
        var compilation = CSharpCompilation.Create(
            "BuildMode",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), "Source0.cs")],
            Analysis.References,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return compilation;
    }

    private static string Describe(ISymbol owner, SyntaxNode block) => $"{owner.ToDisplayString()} {block.Kind()} {block.Span}";

    /// <summary>What the driver hands to a code block action whose owner is a method, generated code skipped as Vmap configures it.</summary>
#pragma warning disable RS1036 // A test's probe, run in-process by the test only, never loaded by a compiler.
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    private sealed class CodeBlockRecorder : DiagnosticAnalyzer
    {
        public ConcurrentBag<string> Blocks { get; } = [];

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Descriptors.VMAP003_UnmappedTwice];

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCodeBlockAction(block =>
            {
                if (block.OwningSymbol is IMethodSymbol)
                {
                    Blocks.Add(Describe(block.OwningSymbol, block.CodeBlock));
                }
            });
        }
    }

    /// <summary>Cancels the analysis from its first syntax tree action.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    private sealed class Canceller(CancellationTokenSource cancellation) : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Descriptors.VMAP003_UnmappedTwice];

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterSyntaxTreeAction(_ => cancellation.Cancel());
        }
    }
#pragma warning restore RS1036
}
