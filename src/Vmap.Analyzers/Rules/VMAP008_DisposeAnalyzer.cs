using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Vmap.Analyzers.Baseline;
using Vmap.Analyzers.Pairing;
using Vmap.Analyzers.Pairing.Members;
using Vmap.Analyzers.Rules;

namespace Vmap.Analyzers;

/// <summary>
/// VMAP008: looks at Dispose methods only, with the pair table the pairing engine uses (attributes,
/// built-in .NET pairs, .editorconfig pairs) to know which calls release. The facts come from the
/// engine's member analysis (Pairing/Members); <see cref="VMAP008_ReleasedInDisposeNotCleared"/> words them.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DisposeReleaseAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(
            Descriptors.VMAP008_ReleasedInDisposeNotCleared,
            Descriptors.VMAP009_MemberNeverReleased,
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

            // The pairing analyzer reports the baseline file's bad lines; this one judges VMAP008's and VMAP009's entries.
            var ledger = BaselineLedger.Start(start.Options, new[] { RuleIds.VMAP008, RuleIds.VMAP009 }, reportsFileErrors: false, start.CancellationToken);
            if (ledger is not null)
            {
                start.RegisterCompilationEndAction(ledger.End);
            }

            // As in the pairing analyzer: every call into the compiler is inside the guard, and a
            // method the rule cannot follow is skipped and counted, since AD0001 would cost the
            // user every other diagnostic of the compilation.
            if (BuildRegistration.IsOn(start.Options))
            {
                RegisterBuild(start, slot, ledger);
                return;
            }

            // VMAP009 asks one question per class, of the engine's analysis of its members: the
            // type's text must name a pair method or a possible acquirer, or nothing can be acquired.
            start.RegisterSymbolAction(symbol => slot.Failures.Guard(slot.Compilation, symbol.Symbol, () =>
            {
                if (symbol.Symbol is INamedTypeSymbol { TypeKind: TypeKind.Class } type && slot.Get(symbol.CancellationToken) is { } pairing)
                {
                    var report = ledger is null ? symbol.ReportDiagnostic : ledger.Recording(symbol.ReportDiagnostic);
                    foreach (var finding in Unreleased(type, pairing, slot.Compilation, symbol.CancellationToken))
                    {
                        report(finding);
                    }
                }
            }, PairingAnalyzer.ThrowOnEngineFailure), SymbolKind.NamedType);

            start.RegisterCodeBlockAction(block => slot.Failures.Guard(slot.Compilation, block.OwningSymbol, () =>
            {
                if (block.OwningSymbol is IMethodSymbol method && slot.Get(block.CancellationToken) is { } pairing)
                {
                    var report = ledger is null ? block.ReportDiagnostic : ledger.Recording(block.ReportDiagnostic);
                    AnalyzeDispose(block.SemanticModel, block.CodeBlock, method, pairing, report, block.CancellationToken);
                }
            }, PairingAnalyzer.ThrowOnEngineFailure));
        });
    }

    /// <summary>
    /// Build mode (<see cref="BuildRegistration"/>): one syntax tree action finds the Dispose methods
    /// and the classes a code block action and a symbol action would be given. A class declared in
    /// several trees is analysed once, by whichever of its trees comes first; its findings carry
    /// their own locations, in whichever tree they are.
    /// </summary>
    private static void RegisterBuild(CompilationStartAnalysisContext start, PairingContext.Slot slot, BaselineLedger? ledger)
    {
        var analysed = new ConcurrentDictionary<INamedTypeSymbol, bool>(SymbolEqualityComparer.Default);
        start.RegisterSyntaxTreeAction(tree => slot.Failures.Guard(slot.Compilation, null, () =>
        {
            var cancellationToken = tree.CancellationToken;
            if (slot.Get(cancellationToken) is not { } pairing || !pairing.Scan.Trees.Any())
            {
                // No tree names a pair method or an acquirer: no Dispose releases and no class acquires.
                return;
            }

            var scan = pairing.Scan;
            var report = ledger is null ? tree.ReportDiagnostic : ledger.Recording(tree.ReportDiagnostic);
            SemanticModel? model = null;
#pragma warning disable RS1030 // Build mode registers no semantic action, so there is no model of the driver's to take; this one comes from the compilation's own provider and is made for the trees that hold a candidate only.
            SemanticModel Model() => model ??= slot.Compilation.GetSemanticModel(tree.Tree);
#pragma warning restore RS1030

            // VMAP008: the Dispose methods whose text names a release.
            foreach (var (block, owner) in BuildRegistration.MethodBlocks(
                tree.Tree, Model, node => node is BaseMethodDeclarationSyntax && scan.Mentions(tree.Tree, node.Span), cancellationToken))
            {
                slot.Failures.Guard(slot.Compilation, owner, () => AnalyzeDispose(Model(), block, owner, pairing, report, cancellationToken), PairingAnalyzer.ThrowOnEngineFailure);
            }

            // VMAP009: a class part that names nothing is looked at only when the class may have
            // other parts (a name there admits the whole class, MentionsPairing).
            foreach (var (_, type) in BuildRegistration.Classes(
                tree.Tree, Model, declaration => declaration.Modifiers.Any(SyntaxKind.PartialKeyword) || scan.Mentions(tree.Tree, declaration.Span), cancellationToken))
            {
                if (analysed.TryAdd(type, true))
                {
                    slot.Failures.Guard(slot.Compilation, type, () =>
                    {
                        foreach (var finding in Unreleased(type, pairing, slot.Compilation, cancellationToken))
                        {
                            report(finding);
                        }
                    }, PairingAnalyzer.ThrowOnEngineFailure);
                }
            }
        }, PairingAnalyzer.ThrowOnEngineFailure));
    }

    /// <summary>VMAP009's findings for <paramref name="type"/>: the members it acquires into and never releases.</summary>
    private static List<Diagnostic> Unreleased(INamedTypeSymbol type, PairingContext pairing, Compilation compilation, CancellationToken cancellationToken)
    {
        var diagnostics = new List<Diagnostic>();
        if (!MentionsPairing(type, pairing, cancellationToken))
        {
            return diagnostics;
        }

        var members = pairing.Members.Of(type);
        var findings = members.Ownership(pairing, compilation, cancellationToken).Unreleased;
        if (findings.Count == 0)
        {
            return diagnostics;
        }

        var dispose = DisposeLocation(members.OwnDispose(), cancellationToken);
        foreach (var finding in findings)
        {
            diagnostics.Add(VMAP009_MemberNeverReleased.Create(finding, type, dispose));
        }

        return diagnostics;
    }

    /// <summary>VMAP008 for one code block: a Dispose method whose releases leave a member holding freed memory.</summary>
    private static void AnalyzeDispose(SemanticModel model, SyntaxNode codeBlock, IMethodSymbol method, PairingContext pairing, Action<Diagnostic> report, CancellationToken cancellationToken)
    {
        if (codeBlock is not BaseMethodDeclarationSyntax declaration ||
            !TypeMembers.IsDisposeMethod(method) ||
            !pairing.MayCall(declaration, method, cancellationToken) ||
            EngineFailureLog.Operation(model, declaration, cancellationToken) is not IMethodBodyOperation body)
        {
            return;
        }

        var name = (declaration is MethodDeclarationSyntax m ? m.Identifier : declaration.GetFirstToken()).GetLocation();
        var releases = DisposeReleases.Uncleared(
            body,
            EngineFailureLog.Graph(body, cancellationToken),
            method,
            pairing.Pairs,
            pairing.Members.Of(method.ContainingType),
            cancellationToken);
        foreach (var release in releases)
        {
            report(VMAP008_ReleasedInDisposeNotCleared.Create(release, name));
        }
    }

    /// <summary>
    /// Whether the code of <paramref name="type"/> (its members', and its nested types') may call a
    /// pair method or an acquirer: the member analysis counts only those as acquires into a member,
    /// so a class with none has no finding. Each member's code is judged by the gate as its code
    /// block would be (<see cref="PairingContext.MayCall"/>); a name anywhere else in the class's
    /// text (a primary constructor's base arguments) admits it.
    /// </summary>
    private static bool MentionsPairing(INamedTypeSymbol type, PairingContext pairing, System.Threading.CancellationToken cancellationToken)
    {
        List<Microsoft.CodeAnalysis.Text.TextSpan>? judged = null;
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            var syntax = reference.GetSyntax(cancellationToken);
            if (!pairing.Scan.Mentions(syntax.SyntaxTree, syntax.Span))
            {
                continue;
            }

            judged ??= new List<Microsoft.CodeAnalysis.Text.TextSpan>();
            if (MembersMayCall(type, syntax.SyntaxTree, pairing, judged, cancellationToken))
            {
                return true;
            }

            foreach (var position in pairing.Scan.PositionsWithin(syntax.SyntaxTree, syntax.Span))
            {
                if (!judged.Exists(span => span.Contains(position)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the code of a member of <paramref name="type"/> (or of a nested type) declared in
    /// <paramref name="tree"/> may call a pair method or an acquirer; the spans judged are added to <paramref name="judged"/>.
    /// </summary>
    private static bool MembersMayCall(INamedTypeSymbol type, SyntaxTree tree, PairingContext pairing, List<Microsoft.CodeAnalysis.Text.TextSpan> judged, System.Threading.CancellationToken cancellationToken)
    {
        foreach (var member in type.GetMembers())
        {
            if (member is INamedTypeSymbol nested)
            {
                if (MembersMayCall(nested, tree, pairing, judged, cancellationToken))
                {
                    return true;
                }

                continue;
            }

            foreach (var reference in member.DeclaringSyntaxReferences)
            {
                // A primary constructor (or a record's synthesized member) is declared by the type
                // itself: its span is the class's, judged position by position by the caller.
                if (reference.SyntaxTree != tree || reference.GetSyntax(cancellationToken) is not { } syntax || syntax is TypeDeclarationSyntax)
                {
                    continue;
                }

                judged.Add(syntax.Span);
                if (pairing.MayCall(syntax, member, cancellationToken))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The identifier of the Dispose method, as VMAP008 points at it.</summary>
    private static Location? DisposeLocation(IMethodSymbol? dispose, System.Threading.CancellationToken cancellationToken)
    {
        if (dispose is null)
        {
            return null;
        }

        foreach (var reference in dispose.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is MethodDeclarationSyntax method)
            {
                return method.Identifier.GetLocation();
            }
        }

        return null;
    }
}
