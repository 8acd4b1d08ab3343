using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Vmap.Analyzers.Baseline;
using Vmap.Analyzers.Pairing;
using Vmap.Analyzers.Rules;

namespace Vmap.Analyzers;

/// <summary>
/// Runs the pairing engine once per method that calls an acquire or release of the pair table
/// (annotated, built-in or configured) or re-points a member that holds mappings, and hands its
/// findings to the rules VMAP001–VMAP006; VMAP007 reports pairs configured wrongly.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PairingAnalyzer : DiagnosticAnalyzer
{
    /// <summary>
    /// Tests set this so a failure of the analyzers' own code surfaces as AD0001 instead of a
    /// skipped method (which is counted either way, <see cref="EngineFailureLog"/>). The
    /// compiler's own failures on user code are never rethrown: they are not ours to report.
    /// </summary>
    internal static bool ThrowOnEngineFailure { get; set; }

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.VMAP001_UnmapOfReassignedPointer,
        Descriptors.VMAP001_MemberRepointed,
        Descriptors.VMAP001_NewArrayReleased,
        Descriptors.VMAP001_GrownMemberReleased,
        Descriptors.VMAP002_MappingLost,
        Descriptors.VMAP002_MappingOverwritten,
        Descriptors.VMAP002_MappingLostOnThrow,
        Descriptors.VMAP002_MappingLostByConstructor,
        Descriptors.VMAP002_MappingLostInLocalContainer,
        Descriptors.VMAP002_MemberRepointed,
        Descriptors.VMAP003_UnmappedTwice,
        Descriptors.VMAP003_ReleasedAfterHandOff,
        Descriptors.VMAP003_HandedOffTwice,
        Descriptors.VMAP004_UsedAfterUnmap,
        Descriptors.VMAP005_UnmapCountMismatch,
        Descriptors.VMAP005_UnmapLengthMismatch,
        Descriptors.VMAP005_ReleaseSizeNotZero,
        Descriptors.VMAP006_WrongFamilyRelease,
        Descriptors.VMAP007_InvalidPairConfiguration,
        Descriptors.VMAP010_WrongFailureValue,
        Descriptors.VMAP900_BaselineEntryStale,
        Descriptors.VMAP900_BaselineLineMalformed,
        Descriptors.VMAP901_BaselineEntry);

    /// <summary>The rules whose baseline entries this analyzer judges: every rule it reports at a line of source.</summary>
    private static readonly string[] s_baselinedRules =
        { RuleIds.VMAP001, RuleIds.VMAP002, RuleIds.VMAP003, RuleIds.VMAP004, RuleIds.VMAP005, RuleIds.VMAP006, RuleIds.VMAP010 };

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            // Nothing here may look up a symbol (PairingContext.Slot says why): the context is
            // made by the first code block that passes the text gate's cheapest test.
            if (OpenSlot(start.Compilation, start.Options, start.CancellationToken) is not { } slot)
            {
                return;
            }

            var ledger = BaselineLedger.Start(start.Options, s_baselinedRules, reportsFileErrors: true, start.CancellationToken);
            if (ledger is not null)
            {
                start.RegisterCompilationEndAction(ledger.End);
            }

            if (!slot.Entries.IsEmpty)
            {
                start.RegisterCompilationEndAction(end => slot.Failures.Guard(slot.Compilation, null, () =>
                {
                    if (slot.Get(end.CancellationToken) is not { } pairing)
                    {
                        return;
                    }

                    foreach (var error in pairing.ConfigurationErrors)
                    {
                        end.ReportDiagnostic(Diagnostic.Create(Descriptors.VMAP007_InvalidPairConfiguration, Location.None, error.Entry, error.Reason));
                    }
                }, ThrowOnEngineFailure));
            }

            // Only code blocks whose text names a pair method, a possible acquirer or a member
            // that holds mappings pay for an operation tree (PairNameScan). An operation block
            // action would make the driver build one for every method of every project, and even
            // a walk over each method's syntax nodes cost more than the engine (bench/README.md).
            // Every call into the compiler is inside the guard: Roslyn 4.8 throws from
            // GetOperation on some code mid-typing, and that must skip the method, not raise AD0001.
            if (BuildRegistration.IsOn(start.Options))
            {
                // A build: the same blocks, found from each tree's syntax (BuildRegistration says why).
                start.RegisterSyntaxTreeAction(tree => slot.Failures.Guard(slot.Compilation, null, () =>
                {
                    if (slot.Get(tree.CancellationToken) is not { } pairing)
                    {
                        return;
                    }

                    var scan = pairing.Scan;
                    if (!scan.Trees.Any())
                    {
                        // No tree names a pair method or an acquirer: no block can pass the gate.
                        return;
                    }

                    var report = ledger is null ? tree.ReportDiagnostic : ledger.Recording(tree.ReportDiagnostic);
                    SemanticModel? model = null;
#pragma warning disable RS1030 // Build mode registers no semantic action, so there is no model of the driver's to take; this one comes from the compilation's own provider and is made for the trees that hold an admitted block only.
                    SemanticModel Model() => model ??= slot.Compilation.GetSemanticModel(tree.Tree);
#pragma warning restore RS1030
                    foreach (var (block, owner) in BuildRegistration.MethodBlocks(tree.Tree, Model, node => MayPairByText(pairing, node, tree.CancellationToken), tree.CancellationToken))
                    {
                        slot.Failures.Guard(slot.Compilation, owner, () => AnalyzeBlock(Model(), block, owner, pairing, report, tree.CancellationToken), ThrowOnEngineFailure);
                    }
                }, ThrowOnEngineFailure));
                return;
            }

            start.RegisterCodeBlockAction(block => slot.Failures.Guard(slot.Compilation, block.OwningSymbol, () =>
            {
                // Only a method's code block is analysed (Analyze): a field initializer is not bound.
                if (block.OwningSymbol is IMethodSymbol method && slot.Get(block.CancellationToken) is { } pairing)
                {
                    var report = ledger is null ? block.ReportDiagnostic : ledger.Recording(block.ReportDiagnostic);
                    AnalyzeBlock(block.SemanticModel, block.CodeBlock, method, pairing, report, block.CancellationToken);
                }
            }, ThrowOnEngineFailure));
        });
    }

    /// <summary>
    /// The compilation's slot, or null when even reading the configuration failed (counted in a
    /// log of its own, since there is no slot to keep it).
    /// </summary>
    internal static PairingContext.Slot? OpenSlot(Compilation compilation, AnalyzerOptions options, CancellationToken cancellationToken)
    {
        PairingContext.Slot? slot = null;
        new EngineFailureLog().Guard(compilation, null, () => slot = PairingContext.For(compilation, options, cancellationToken), ThrowOnEngineFailure);
        return slot;
    }

    /// <summary>One method's code block, as the gate admits it: bound, walked and its findings reported.</summary>
    private static void AnalyzeBlock(SemanticModel model, SyntaxNode codeBlock, IMethodSymbol owner, PairingContext pairing, Action<Diagnostic> report, CancellationToken cancellationToken)
    {
        if (pairing.MayPair(codeBlock, owner, cancellationToken) &&
            EngineFailureLog.Operation(model, codeBlock, cancellationToken) is { } operation)
        {
            Analyze(operation, owner, pairing, report, cancellationToken);
        }
    }

    /// <summary>
    /// What <see cref="PairingContext.MayPair"/> asks of the text alone: a block that fails this
    /// fails the gate, so build mode need not look up its symbol.
    /// </summary>
    private static bool MayPairByText(PairingContext pairing, SyntaxNode codeBlock, CancellationToken cancellationToken) =>
        pairing.Scan.Mentions(codeBlock.SyntaxTree, codeBlock.Span) ||
        pairing.Scan.NamesMember(codeBlock.SyntaxTree, codeBlock.Span, pairing.MemberIndex.HeldNames, cancellationToken);

    private static void Analyze(IOperation block, ISymbol owner, PairingContext pairing, Action<Diagnostic> report, CancellationToken cancellationToken)
    {
        if (owner is not IMethodSymbol method || block is not (IMethodBodyOperation or IConstructorBodyOperation or IBlockOperation) ||
            !MentionsPairing(block, pairing, cancellationToken))
        {
            return;
        }

        var cfg = EngineFailureLog.Graph(block, cancellationToken);
        var body = block is IMethodBodyBaseOperation { BlockBody: { } blockBody } ? blockBody.Syntax
            : block is IMethodBodyBaseOperation { ExpressionBody: { } expressionBody } ? expressionBody.Syntax
            : block.Syntax;

        // All findings are made before the first is reported: a method the engine fails on
        // midway reports nothing rather than half.
        foreach (var finding in PairingWalker.Run(cfg, pairing, method, body, cancellationToken))
        {
            report(Rule.Create(finding));
        }
    }

    /// <summary>
    /// Cheap pre-check: only methods that call an acquire/release (annotated, built-in or
    /// configured), or assign an address-typed member that holds mappings, are walked. Without the
    /// attributes in the compilation the call check is a name lookup per invocation
    /// (<see cref="PairTable.Get"/>). The member index is consulted only when no pair call is
    /// found, so a method that maps never builds it just to be admitted.
    /// </summary>
    internal static bool MentionsPairing(IOperation block, PairingContext pairing, CancellationToken cancellationToken)
    {
        List<ISymbol>? assignedMembers = null;
        foreach (var operation in block.Descendants())
        {
            switch (operation)
            {
                case IInvocationOperation invocation when pairing.Pairs.Get(invocation.TargetMethod) is not null:
                    return true;
                case IInvocationOperation invocation when CallSummaries.MayReturnMapping(invocation.TargetMethod) &&
                    invocation.TargetMethod.MethodKind == MethodKind.Ordinary && CallSummaries.CanSeeBody(invocation.TargetMethod) &&
                    pairing.Summaries.Acquire(invocation.TargetMethod, new SummaryScope(), cancellationToken) is not null:
                    // A source method inferred to acquire (it returns a mapping it made).
                    return true;
                case IArgumentOperation { Parameter: { RefKind: RefKind.Out, ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.Ordinary } callee } parameter } argument
                    when CallSummaries.MayHoldMapping(parameter.Type) && CallSummaries.CanSeeBody(callee) &&
                    pairing.Summaries.Acquire(callee, new SummaryScope(), cancellationToken, parameter.Ordinal) is not null:
                    // ...or hands one out through an out parameter.
                    return true;
                case ISimpleAssignmentOperation { Target: IMemberReferenceOperation member } when PairingContext.MayHoldAddress(member):
                    (assignedMembers ??= new List<ISymbol>()).Add(member.Member.OriginalDefinition);
                    break;
            }
        }

        if (assignedMembers is not null)
        {
            foreach (var member in assignedMembers)
            {
                if (pairing.MemberIndex.HoldsMappings(member))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
