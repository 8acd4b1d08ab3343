using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Diagnostics.Telemetry;
using Microsoft.CodeAnalysis.Testing;
using Vmap.Analyzers.Pairing;

namespace Vmap.Analyzers.Tests.Pairing;

public class EngineBoundsTests
{
    private const string Bug = "var p = space.MapRam(pages); space.UnmapRam(p, pages.Length + 1);";

    [Fact]
    public async Task A_method_within_the_budget_is_analyzed()
    {
        var diagnostics = await Verify.Diagnostics(null, Verify.FakeApi, Method(statements: 100));

        Assert.Equal(RuleIds.VMAP005, Assert.Single(diagnostics).Id);
    }

    [Fact]
    public async Task A_long_method_is_not_given_up_for_its_length()
    {
        // The step budget grows with the method (issue 25 §3): 8,000 statements are walked.
        var diagnostics = await Verify.Diagnostics(null, Verify.FakeApi, Method(statements: 8_000));

        Assert.Equal(RuleIds.VMAP005, Assert.Single(diagnostics).Id);
    }

    [Fact]
    public async Task A_walk_that_needs_more_than_its_budget_is_given_up_quietly_and_counted()
    {
        // Sixteen nested loops, each testing four flags: every loop walks the loops inside it again,
        // in up to eight states, until its counter settles: far more steps than its size allows.
        var body = new StringBuilder("using Vmap; class NestedPastTheBudget { int M(VmapSpace space, Page[] pages, int x, int n, bool b0, bool b1, bool b2, bool b3) {\n");
        body.AppendLine(Bug);
        for (var depth = 0; depth < 16; depth++)
        {
            body.AppendLine($"for (int i{depth} = 0; i{depth} < n; i{depth}++) {{");
            for (var flag = 0; flag < 4; flag++)
            {
                body.AppendLine($"if (b{flag}) x = x * 3 + {depth}; else x = i{depth};");
            }
        }

        body.Append('}', 16).AppendLine();
        body.AppendLine("return x; } }");
        var givenUp = new System.Collections.Concurrent.ConcurrentQueue<GivenUpMethod>();
        void Note(GivenUpMethod method)
        {
            if (method.Method.ContainingType.Name == "NestedPastTheBudget")
            {
                givenUp.Enqueue(method);
            }
        }

        EngineFailureLog.MethodGivenUp += Note;
        try
        {
            var diagnostics = await Verify.Diagnostics(null, Verify.FakeApi, body.ToString());

            Assert.Empty(diagnostics);
        }
        finally
        {
            EngineFailureLog.MethodGivenUp -= Note;
        }

        // Verify.Diagnostics runs both registrations (the IDE's and a build's): given up once in each.
        Assert.Equal(2, givenUp.Count);
        Assert.All(givenUp, method =>
        {
            Assert.Equal("M", method.Method.Name);
            Assert.Equal(40_000, method.Budget);
        });
    }

    [Fact]
    public async Task A_double_free_at_the_end_of_a_2000_line_method_of_loops_is_reported()
    {
        // issue 25 §3: 334 sequential loops that each allocate, continue on one iteration and free
        // (bench/Vmap.CostHarness, shape "loops"); the step budget once gave such a method up
        // past 800 loops, and with it the double free at its end.
        var body = new StringBuilder("using System; using System.Runtime.InteropServices;\npublic static class Shape\n{\n    public static void Run(int n)\n    {\n");
        for (var k = 0; k < 334; k++)
        {
            body.AppendLine($"        for (int i{k} = 0; i{k} < n; i{k}++)");
            body.AppendLine("        {");
            body.AppendLine($"            IntPtr p{k} = Marshal.AllocHGlobal(16);");
            body.AppendLine($"            if (i{k} == 3) {{ Marshal.FreeHGlobal(p{k}); continue; }}");
            body.AppendLine($"            Marshal.FreeHGlobal(p{k});");
            body.AppendLine("        }");
        }

        body.AppendLine("        IntPtr seeded = Marshal.AllocHGlobal(8);");
        body.AppendLine("        Marshal.FreeHGlobal({|#1:seeded|});");
        body.AppendLine("        Marshal.FreeHGlobal({|#0:seeded|});");
        body.AppendLine("    }");
        body.AppendLine("}");
        var source = body.ToString();
        Assert.True(source.Split('\n').Length > 2_000);

        await Verify.BuiltIn(
            source,
            Verify.Diagnostic(RuleIds.VMAP003).WithLocation(0).WithLocation(1)
                .WithMessage("'seeded' is freed again here; it was already freed at line 2011"));
    }

    [Fact]
    public async Task Without_configuration_the_start_action_registers_one_code_block_action_and_no_end_action()
    {
        var telemetry = await Telemetry(references: [], "class C { void M() { } }");

        Assert.Equal(1, telemetry.CompilationStartActionsCount);
        Assert.Equal(1, telemetry.CodeBlockActionsCount);
        Assert.Equal(0, telemetry.CompilationEndActionsCount);
        Assert.Equal(0, telemetry.OperationBlockActionsCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_context_is_made_by_the_first_code_block_not_by_the_start_action(bool dispose)
    {
        var references = await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None);
        var tree = CSharpSyntaxTree.ParseText("class C : System.IDisposable { public void Dispose() { } }");
        var compilation = CSharpCompilation.Create("Lazy", new[] { tree }, references);
        var options = new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty);
        var context = new RecordingContext();
        (dispose ? new DisposeReleaseAnalyzer() : (DiagnosticAnalyzer)new PairingAnalyzer()).Initialize(context);

        var start = new RecordingStartContext(compilation, options);
        Assert.Single(context.StartActions)(start);
        var slot = PairingContext.For(compilation, options, CancellationToken.None);
        Assert.False(slot.IsCreated);

        var method = (await tree.GetRootAsync()).DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>().Single();
        var model = compilation.GetSemanticModel(tree);
        // The driver cannot be stopped between the start action and the first code block, so the
        // test plays the driver: the context's constructor is obsolete for analyzers, not for this.
#pragma warning disable CS0618
        Assert.Single(start.CodeBlockActions)(new CodeBlockAnalysisContext(
            method, model.GetDeclaredSymbol(method)!, model, options, _ => { }, _ => true, CancellationToken.None));
#pragma warning restore CS0618
        Assert.True(slot.IsCreated);
    }

    [Fact]
    public void Both_analyzers_of_a_compilation_share_one_slot_unless_their_options_differ()
    {
        var compilation = CSharpCompilation.Create("Shared", new[] { CSharpSyntaxTree.ParseText("class C { }") });
        var options = new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty);
        var other = new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty);

        var first = PairingContext.For(compilation, options, CancellationToken.None);

        Assert.Same(first, PairingContext.For(compilation, options, CancellationToken.None));
        Assert.NotSame(first, PairingContext.For(compilation, other, CancellationToken.None));
    }

    [Fact]
    public void A_cancelled_first_caller_leaves_the_slot_to_the_next_one()
    {
        var compilation = CSharpCompilation.Create("BuiltIn", new[] { CSharpSyntaxTree.ParseText("namespace System.Buffers { abstract class ArrayPool<T> { } }") });
        var slot = PairingContext.For(compilation, new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), CancellationToken.None);

        Assert.Throws<OperationCanceledException>(() => slot.Get(new CancellationToken(canceled: true)));
        Assert.False(slot.IsCreated);
        Assert.NotNull(slot.Get(CancellationToken.None));
        Assert.True(slot.IsCreated);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_code_block_action_admits_methods_by_their_text_with_or_without_the_attributes(bool withAttributes)
    {
        var telemetry = withAttributes
            ? await Telemetry("class C { void M() { } }", Verify.FakeApi)
            : await Telemetry("class C { void M() { } }");

        Assert.Equal(0, telemetry.OperationBlockActionsCount);
        Assert.Equal(1, telemetry.CodeBlockActionsCount);
    }

    [Fact]
    public void Context_is_created_only_when_an_attribute_or_a_built_in_pair_type_exists()
    {
        var options = new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty);
        var without = CSharpCompilation.Create("Without", new[] { CSharpSyntaxTree.ParseText("class C { }") });
        var with = CSharpCompilation.Create("With", new[] { CSharpSyntaxTree.ParseText("namespace Vmap.Annotations { class UnmapsMemoryAttribute : System.Attribute { } }") });
        var builtIn = CSharpCompilation.Create("BuiltIn", new[] { CSharpSyntaxTree.ParseText("namespace System.Buffers { abstract class ArrayPool<T> { } }") });

        Assert.Null(PairingContext.TryCreate(without, options, CancellationToken.None));
        Assert.NotNull(PairingContext.TryCreate(with, options, CancellationToken.None));
        Assert.NotNull(PairingContext.TryCreate(builtIn, options, CancellationToken.None));
    }

    [Fact]
    public async Task Summaries_give_the_same_diagnostics_with_concurrent_execution()
    {
        var source = new StringBuilder();
        source.AppendLine("using Vmap; unsafe class H {");
        source.AppendLine("  public static void Touch(nint p) => *(byte*)p = 1;");
        source.AppendLine("  public static void Release(VmapSpace s, nint p) => s.Vfree(p);");
        source.AppendLine("  public static void Even(VmapSpace s, nint p, int n) { if (n == 0) s.Vfree(p); else Odd(s, p, n - 1); }");
        source.AppendLine("  public static void Odd(VmapSpace s, nint p, int n) { if (n == 0) return; Even(s, p, n - 1); }");
        source.AppendLine("}");
        for (var i = 0; i < 40; i++)
        {
            source.AppendLine($"class C{i} {{");
            source.AppendLine("  void Leak(VmapSpace s) { var p = s.Vmalloc(64); H.Touch(p); }");
            source.AppendLine("  void Twice(VmapSpace s) { var p = s.Vmalloc(64); H.Release(s, p); s.Vfree(p); }");
            source.AppendLine("  void Cycle(VmapSpace s) { var p = s.Vmalloc(64); H.Even(s, p, 3); }");
            source.AppendLine("}");
        }

        var sequential = await Run(concurrent: false);
        var concurrent = await Run(concurrent: true);

        Assert.Equal(80, sequential.Length);
        Assert.Equal(sequential, concurrent);

        async Task<string[]> Run(bool concurrent)
        {
            var references = await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None);
            var compilation = CSharpCompilation.Create(
                "Concurrent",
                new[] { CSharpSyntaxTree.ParseText(Verify.FakeApi), CSharpSyntaxTree.ParseText(source.ToString()) },
                references,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
            var failures = new List<Exception>();
            var diagnostics = await compilation.WithAnalyzers(
                ImmutableArray.Create<DiagnosticAnalyzer>(new PairingAnalyzer()),
                new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), (e, _, _) => failures.Add(e), concurrent, logAnalyzerExecutionTime: false))
                .GetAnalyzerDiagnosticsAsync();
            Assert.Empty(failures);
            return diagnostics.Select(d => d.Id + " " + d.Location.GetLineSpan().StartLinePosition + " " + d.GetMessage()).OrderBy(t => t, StringComparer.Ordinal).ToArray();
        }
    }

    [Fact]
    public async Task A_chain_of_helpers_deeper_than_the_bound_is_treated_as_unknown()
    {
        var source = new StringBuilder("using Vmap; unsafe class C {\n");
        for (var i = 0; i < 10; i++)
        {
            source.AppendLine($"  static void Step{i}(nint p) {{ {(i == 9 ? "*(byte*)p = 1;" : $"Step{i + 1}(p);")} }}");
        }

        source.AppendLine("  void Mid(VmapSpace s) { var p = s.Vmalloc(64); Step4(p); }");
        source.AppendLine("  void Deep(VmapSpace s) { var p = s.Vmalloc(64); Step0(p); }");
        source.AppendLine("  void Shallow(VmapSpace s) { var p = s.Vmalloc(64); Step7(p); }");
        source.AppendLine("}");

        var diagnostics = await Verify.Diagnostics(null, Verify.FakeApi, source.ToString());

        // Step4 .. Step9 (six summaries) and Step7 .. Step9 are within the bound: the caller still
        // owns the block and leaks it. Step0 needs ten: beyond the bound the callee is unknown,
        // which may adopt it, even though Step4's summary is already cached when Deep is walked.
        Assert.Equal(
            new[] { (RuleIds.VMAP002, 11), (RuleIds.VMAP002, 13) },
            diagnostics.Select(d => (d.Id, d.Location.GetLineSpan().StartLinePosition.Line)).OrderBy(d => d.Line).ToArray());
    }

    private static string Method(int statements)
    {
        var body = new StringBuilder();
        body.AppendLine("using Vmap; class C { int M(VmapSpace space, Page[] pages, int x) {");
        body.AppendLine(Bug);
        for (var i = 0; i < statements; i++)
        {
            body.AppendLine("x = x * 3 + 1;");
        }

        body.AppendLine("return x; } }");
        return body.ToString();
    }

    private static async Task<PairingContext.Slot> SlotAfterAnalysis(Compilation compilation)
    {
        var options = new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty);
        var withAnalyzers = compilation.WithAnalyzers(
            ImmutableArray.Create<DiagnosticAnalyzer>(new PairingAnalyzer()),
            new CompilationWithAnalyzersOptions(options, null, concurrentAnalysis: false, logAnalyzerExecutionTime: false));
        await withAnalyzers.GetAnalyzerDiagnosticsAsync();

        // The driver runs the analyzers over its own copy of the compilation, with the same trees.
        return PairingContext.For(withAnalyzers.Compilation, options, CancellationToken.None);
    }

    private static async Task<AnalyzerTelemetryInfo> Telemetry(params string[] sources)
        => await Telemetry(await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None), sources);

    private static async Task<AnalyzerTelemetryInfo> Telemetry(IEnumerable<MetadataReference> references, params string[] sources)
    {
        var compilation = CSharpCompilation.Create("Telemetry", sources.Select(s => CSharpSyntaxTree.ParseText(s)), references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var analyzer = new PairingAnalyzer();
        var withAnalyzers = compilation.WithAnalyzers(
            ImmutableArray.Create<DiagnosticAnalyzer>(analyzer),
            new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: false, logAnalyzerExecutionTime: true));
        await withAnalyzers.GetAnalyzerDiagnosticsAsync();
        return await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None);
    }

    private sealed class RecordingContext : AnalysisContext
    {
        public List<Action<CompilationStartAnalysisContext>> StartActions { get; } = new();

        public override void RegisterCompilationStartAction(Action<CompilationStartAnalysisContext> action) => StartActions.Add(action);

        public override void ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags analysisMode)
        {
        }

        public override void EnableConcurrentExecution()
        {
        }

        public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) => throw new NotSupportedException();

        public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) => throw new NotSupportedException();

        public override void RegisterCompilationAction(Action<CompilationAnalysisContext> action) => throw new NotSupportedException();

        public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) => throw new NotSupportedException();

        public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) => throw new NotSupportedException();

        public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) => throw new NotSupportedException();

        public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) => throw new NotSupportedException();
    }

    private sealed class RecordingStartContext(Compilation compilation, AnalyzerOptions options)
        : CompilationStartAnalysisContext(compilation, options, CancellationToken.None)
    {
        public List<Action<CodeBlockAnalysisContext>> CodeBlockActions { get; } = new();

        public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) => CodeBlockActions.Add(action);

        public override void RegisterCompilationEndAction(Action<CompilationAnalysisContext> action) => throw new NotSupportedException();

        public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) => throw new NotSupportedException();

        public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) => throw new NotSupportedException();

        /// <summary>VMAP009's per-class action: registered, like the code block actions, without making the context.</summary>
        public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) => SymbolActions.Add(action);

        public List<Action<SymbolAnalysisContext>> SymbolActions { get; } = new();

        public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) => throw new NotSupportedException();

        public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) => throw new NotSupportedException();
    }
}
