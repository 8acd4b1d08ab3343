using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;
using Vmap.Analyzers;
using Vmap.Analyzers.Pairing;

namespace Vmap.CostHarness;

/// <summary>A code block the text gate admitted: where it is and how long it is.</summary>
internal readonly record struct Block(SyntaxTree Tree, TextSpan Span);

internal static class Probe
{
    /// <summary>
    /// The driver skips an analyzer that supports no diagnostic; the probes report none, but must
    /// be run, so they declare this one (hidden, never reported).
    /// </summary>
    public static readonly ImmutableArray<DiagnosticDescriptor> Supported = ImmutableArray.Create(
        new DiagnosticDescriptor("VMAPCOST", "harness probe", "harness probe", "Cost", DiagnosticSeverity.Hidden, isEnabledByDefault: true));
}

/// <summary>
/// Asks Vmap's own text gate about every code block Vmap's analyzers are shown (same generated-code
/// setting), and whether each admitted block really calls a pair API or an inferred acquirer (the
/// engine's own test on the bound operations). Not timed: it tells which blocks the floor builds
/// and how tight the gate is.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class GateProbe : DiagnosticAnalyzer
{
    public ConcurrentDictionary<Block, bool> Admitted { get; } = new();

    public int Blocks => _blocks;

    /// <summary>For the admitted blocks that pair nothing: how many of them name each of the gate's names.</summary>
    public ConcurrentDictionary<string, int> WastedBy { get; } = new(StringComparer.Ordinal);

    /// <summary>Method code blocks whose text names a pair method or a possible acquirer (the scan's first test).</summary>
    public int Named => _named;

    /// <summary>Of <see cref="Named"/>, those the gate judged to call none (PairGate), so never bound.</summary>
    public int JudgedNone => _judgedNone;

    private int _blocks;
    private int _named;
    private int _judgedNone;

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => Probe.Supported;

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var slot = PairingContext.For(start.Compilation, start.Options, start.CancellationToken);
            start.RegisterCodeBlockAction(block =>
            {
                if (block.OwningSymbol is not IMethodSymbol method)
                {
                    return;
                }

                Interlocked.Increment(ref _blocks);
                if (slot.Get(block.CancellationToken) is not { } pairing)
                {
                    return;
                }

                var named = pairing.Scan.Mentions(block.CodeBlock.SyntaxTree, block.CodeBlock.Span);
                if (named)
                {
                    Interlocked.Increment(ref _named);
                }

                if (!pairing.MayPair(block.CodeBlock, block.OwningSymbol, block.CancellationToken))
                {
                    if (named)
                    {
                        Interlocked.Increment(ref _judgedNone);
                    }

                    return;
                }

                var operation = block.SemanticModel.GetOperation(block.CodeBlock, block.CancellationToken);
                var real = operation is IMethodBodyOperation or IConstructorBodyOperation or IBlockOperation &&
                    PairingAnalyzer.MentionsPairing(operation, pairing, block.CancellationToken);
                Admitted[new Block(block.CodeBlock.SyntaxTree, block.CodeBlock.Span)] = real;
                if (!real)
                {
                    // Which of the gate's names let a block in that then pairs nothing: what to tighten.
                    var text = block.CodeBlock.ToString();
                    foreach (var name in pairing.Scan.Names.Where(n => System.Text.RegularExpressions.Regex.IsMatch(text, @"\b" + n + @"\b")))
                    {
                        WastedBy.AddOrUpdate(name, 1, (_, n) => n + 1);
                    }
                }
            });
        });
    }
}

/// <summary>
/// The floor of any flow analysis of the admitted blocks: their operation tree and control flow
/// graph, and nothing else (no gate, no walk). Timed by the driver's telemetry like Vmap's analyzers.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class FloorAnalyzer(IReadOnlyDictionary<Block, bool> admitted) : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => Probe.Supported;

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCodeBlockAction(block =>
        {
            if (!admitted.ContainsKey(new Block(block.CodeBlock.SyntaxTree, block.CodeBlock.Span)))
            {
                return;
            }

            if (block.SemanticModel.GetOperation(block.CodeBlock, block.CancellationToken) is { } operation &&
                operation is IMethodBodyOperation or IConstructorBodyOperation or IBlockOperation)
            {
                _ = operation switch
                {
                    IMethodBodyOperation body => ControlFlowGraph.Create(body, block.CancellationToken),
                    IConstructorBodyOperation body => ControlFlowGraph.Create(body, block.CancellationToken),
                    IBlockOperation body => ControlFlowGraph.Create(body, block.CancellationToken),
                    _ => null,
                };
            }
        });
    }
}

/// <summary>Time spent in one method's code block actions, summed over Vmap's analyzers.</summary>
internal sealed class MethodTime
{
    public long Ticks;

    /// <summary>CPU time of the thread that ran the actions, in nanoseconds (Linux; 0 elsewhere): on a loaded machine, the figure the load moves least.</summary>
    public long CpuNanoseconds;

    public required string Name { get; init; }

    public required string Where { get; init; }

    public required int Lines { get; init; }
}

/// <summary>
/// Wraps an analyzer so that each of its code block actions is timed per owning method (the
/// harness's --methods switch). Every other registration is passed through unchanged.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class TimedAnalyzer(DiagnosticAnalyzer inner, ConcurrentDictionary<string, MethodTime> times) : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => inner.SupportedDiagnostics;

    public override void Initialize(AnalysisContext context) => inner.Initialize(new Context(context, times));

    private static Action<CodeBlockAnalysisContext> Timed(Action<CodeBlockAnalysisContext> action, ConcurrentDictionary<string, MethodTime> times) => block =>
    {
        var started = Stopwatch.GetTimestamp();
        var cpuStarted = ThreadCpu.Nanoseconds();
        try
        {
            action(block);
        }
        finally
        {
            var elapsed = Stopwatch.GetTimestamp() - started;
            var cpu = ThreadCpu.Nanoseconds() - cpuStarted;
            var lines = block.CodeBlock.GetLocation().GetLineSpan();
            var key = block.OwningSymbol.ToDisplayString() + "@" + lines.Path + ":" + lines.StartLinePosition.Line;
            var entry = times.GetOrAdd(key, _ => new MethodTime
            {
                Name = block.OwningSymbol.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat),
                Where = Path.GetFileName(lines.Path) + ":" + (lines.StartLinePosition.Line + 1),
                Lines = lines.EndLinePosition.Line - lines.StartLinePosition.Line + 1,
            });
            Interlocked.Add(ref entry.Ticks, elapsed);
            Interlocked.Add(ref entry.CpuNanoseconds, cpu);
        }
    };

    private sealed class Context(AnalysisContext inner, ConcurrentDictionary<string, MethodTime> times) : AnalysisContext
    {
        public override void EnableConcurrentExecution() => inner.EnableConcurrentExecution();

        public override void ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags analysisMode) => inner.ConfigureGeneratedCodeAnalysis(analysisMode);

        public override void RegisterCompilationStartAction(Action<CompilationStartAnalysisContext> action) =>
            inner.RegisterCompilationStartAction(start => action(new StartContext(start, times)));

        public override void RegisterCompilationAction(Action<CompilationAnalysisContext> action) => inner.RegisterCompilationAction(action);

        public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) => inner.RegisterSemanticModelAction(action);

        public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) => inner.RegisterSymbolAction(action, symbolKinds);

        public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) => inner.RegisterCodeBlockStartAction(action);

        public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) => inner.RegisterCodeBlockAction(Timed(action, times));

        public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) => inner.RegisterSyntaxTreeAction(action);

        public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) => inner.RegisterSyntaxNodeAction(action, syntaxKinds);

        public override void RegisterOperationAction(Action<OperationAnalysisContext> action, ImmutableArray<OperationKind> operationKinds) => inner.RegisterOperationAction(action, operationKinds);

        public override void RegisterOperationBlockAction(Action<OperationBlockAnalysisContext> action) => inner.RegisterOperationBlockAction(action);

        public override void RegisterOperationBlockStartAction(Action<OperationBlockStartAnalysisContext> action) => inner.RegisterOperationBlockStartAction(action);

        public override void RegisterSymbolStartAction(Action<SymbolStartAnalysisContext> action, SymbolKind symbolKind) => inner.RegisterSymbolStartAction(action, symbolKind);

        public override void RegisterAdditionalFileAction(Action<AdditionalFileAnalysisContext> action) => inner.RegisterAdditionalFileAction(action);
    }

    private sealed class StartContext(CompilationStartAnalysisContext inner, ConcurrentDictionary<string, MethodTime> times)
        : CompilationStartAnalysisContext(inner.Compilation, inner.Options, inner.CancellationToken)
    {
        public override void RegisterCompilationEndAction(Action<CompilationAnalysisContext> action) => inner.RegisterCompilationEndAction(action);

        public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) => inner.RegisterSemanticModelAction(action);

        public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) => inner.RegisterSymbolAction(action, symbolKinds);

        public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) => inner.RegisterCodeBlockStartAction(action);

        public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) => inner.RegisterCodeBlockAction(Timed(action, times));

        public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) => inner.RegisterSyntaxTreeAction(action);

        public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) => inner.RegisterSyntaxNodeAction(action, syntaxKinds);

        public override void RegisterOperationAction(Action<OperationAnalysisContext> action, ImmutableArray<OperationKind> operationKinds) => inner.RegisterOperationAction(action, operationKinds);

        public override void RegisterOperationBlockAction(Action<OperationBlockAnalysisContext> action) => inner.RegisterOperationBlockAction(action);

        public override void RegisterOperationBlockStartAction(Action<OperationBlockStartAnalysisContext> action) => inner.RegisterOperationBlockStartAction(action);

        public override void RegisterSymbolStartAction(Action<SymbolStartAnalysisContext> action, SymbolKind symbolKind) => inner.RegisterSymbolStartAction(action, symbolKind);

        public override void RegisterAdditionalFileAction(Action<AdditionalFileAnalysisContext> action) => inner.RegisterAdditionalFileAction(action);
    }
}

/// <summary>
/// The analyzer driver's fixed price for an analyzer shaped like Vmap's (a code block action on
/// every method, generated code skipped) that does nothing: what any such analyzer costs a project
/// that runs no other, before its own work.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class EmptyCodeBlockAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => Probe.Supported;

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start => start.RegisterCodeBlockAction(_ => { }));
    }
}

/// <summary>
/// The driver's price for an analyzer that looks at syntax trees only (a syntax tree action that
/// does nothing): what an analyzer that chose its methods from the text, and asked for a semantic
/// model only for those, would start from.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class EmptySyntaxTreeAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => Probe.Supported;

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start => start.RegisterSyntaxTreeAction(_ => { }));
    }
}

/// <summary>
/// The driver's price for an analyzer with a semantic model action per tree that does nothing: the
/// other registration an analyzer that picks its methods from the text could use.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class EmptySemanticModelAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => Probe.Supported;

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start => start.RegisterSemanticModelAction(_ => { }));
    }
}

/// <summary>The calling thread's CPU time (clock_gettime(CLOCK_THREAD_CPUTIME_ID)); 0 where that clock is not available.</summary>
internal static class ThreadCpu
{
    private const int ClockThreadCpuTimeId = 3;

    public static long Nanoseconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        return clock_gettime(ClockThreadCpuTimeId, out var time) == 0 ? (time.Seconds * 1_000_000_000L) + time.Nanoseconds : 0;
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = false)]
    private static extern int clock_gettime(int clock, out Timespec time);
}

/// <summary>
/// Issue 25 §2, a prototype measured here only: the shipped analyzers' work on a driver that is
/// asked for syntax trees alone. A compilation start action and a syntax tree action; per tree that
/// names a pair method or a possible acquirer, Vmap's own gate (<see cref="PairingContext.MayPair"/>)
/// judges each method from its syntax and declaration, and only the admitted ones are bound, through
/// a semantic model of the analyzer's own (<c>Compilation.GetSemanticModel</c>, which RS1030 warns
/// about), to their operation tree and control flow graph: the floor's work, no walk. No code block
/// or semantic model action is registered, so the driver makes no compilation events for it.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class SyntaxTreeGateAnalyzer : DiagnosticAnalyzer
{
    private int _bound;

    /// <summary>How many method bodies the last run bound (the gate's admitted blocks).</summary>
    public int Bound => _bound;

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => Probe.Supported;

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var slot = PairingContext.For(start.Compilation, start.Options, start.CancellationToken);
            var compilation = start.Compilation;
            Interlocked.Exchange(ref _bound, 0);
            start.RegisterSyntaxTreeAction(tree =>
            {
                if (slot.Get(tree.CancellationToken) is not { } pairing)
                {
                    return;
                }

                // A tree that names nothing holds no block the gate admits, but one re-pointing a held
                // member (which the member index, built from the trees that name a pair, knows).
                if (pairing.Scan.PositionsIn(tree.Tree).Count == 0 && (!pairing.Scan.Trees.Any() || pairing.MemberIndex.HeldNames.Count == 0))
                {
                    return;
                }

#pragma warning disable RS1030 // the point of the prototype: a model of its own, for the admitted methods only
                SemanticModel? model = null;
                var root = tree.Tree.GetRoot(tree.CancellationToken);
                foreach (var node in root.DescendantNodes(n => n is Microsoft.CodeAnalysis.CSharp.Syntax.CompilationUnitSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.BaseNamespaceDeclarationSyntax
                    or Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.BasePropertyDeclarationSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.AccessorListSyntax))
                {
                    if (node is not (Microsoft.CodeAnalysis.CSharp.Syntax.BaseMethodDeclarationSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.AccessorDeclarationSyntax))
                    {
                        continue;
                    }

                    model ??= compilation.GetSemanticModel(tree.Tree);
                    var owner = model.GetDeclaredSymbol(node, tree.CancellationToken);
                    if (!pairing.MayPair(node, owner, tree.CancellationToken) ||
                        model.GetOperation(node, tree.CancellationToken) is not { } operation)
                    {
                        continue;
                    }

                    Interlocked.Increment(ref _bound);
                    _ = operation switch
                    {
                        IMethodBodyOperation body => ControlFlowGraph.Create(body, tree.CancellationToken),
                        IConstructorBodyOperation body => ControlFlowGraph.Create(body, tree.CancellationToken),
                        IBlockOperation body => ControlFlowGraph.Create(body, tree.CancellationToken),
                        _ => null,
                    };
                }
#pragma warning restore RS1030
            });
        });
    }
}
