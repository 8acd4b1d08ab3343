using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Vmap.Analyzers.Baseline;
using Vmap.Analyzers.Pairing;
using Vmap.Analyzers.Rules;

namespace Vmap.Analyzers;

/// <summary>
/// VMAP008: looks at Dispose methods only, with the pair table the pairing engine uses (attributes,
/// built-in .NET pairs, .editorconfig pairs) to know which calls release. The rule's logic is
/// <see cref="VMAP008_ReleasedInDisposeNotCleared"/>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DisposeReleaseAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(
            Descriptors.VMAP008_ReleasedInDisposeNotCleared,
            Descriptors.VMAP900_BaselineEntryStale,
            Descriptors.VMAP901_BaselineEntry);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            // The pairing analyzer's slot: one pair table and one text scan per compilation, made
            // by the first code block that needs them, never by this start action.
            if (PairingAnalyzer.OpenSlot(start.Compilation, start.Options, start.CancellationToken) is not { } slot)
            {
                return;
            }

            // The pairing analyzer reports the baseline file's bad lines; this one judges VMAP008's entries.
            var ledger = BaselineLedger.Start(start.Options, new[] { RuleIds.VMAP008 }, reportsFileErrors: false, start.CancellationToken);
            if (ledger is not null)
            {
                start.RegisterCompilationEndAction(ledger.End);
            }

            // As in the pairing analyzer: every call into the compiler is inside the guard, and a
            // method the rule cannot follow is skipped and counted, since AD0001 would cost the
            // user every other diagnostic of the compilation.
            start.RegisterCodeBlockAction(block => slot.Failures.Guard(slot.Compilation, block.OwningSymbol, () =>
            {
                if (block.OwningSymbol is not IMethodSymbol method ||
                    block.CodeBlock is not BaseMethodDeclarationSyntax declaration ||
                    !VMAP008_ReleasedInDisposeNotCleared.IsDisposeMethod(method) ||
                    slot.Get(block.CancellationToken) is not { } pairing ||
                    !pairing.Scan.Mentions(declaration.SyntaxTree, declaration.Span) ||
                    EngineFailureLog.Operation(block.SemanticModel, declaration, block.CancellationToken) is not IMethodBodyOperation body)
                {
                    return;
                }

                var name = declaration is MethodDeclarationSyntax m ? m.Identifier : declaration.GetFirstToken();
                VMAP008_ReleasedInDisposeNotCleared.Analyze(
                    body,
                    EngineFailureLog.Graph(body, block.CancellationToken),
                    method,
                    name,
                    pairing.Pairs,
                    ledger is null ? block.ReportDiagnostic : ledger.Recording(block.ReportDiagnostic),
                    block.CancellationToken);
            }, PairingAnalyzer.ThrowOnEngineFailure));
        });
    }
}
