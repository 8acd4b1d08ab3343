using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
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
            // VMAP009 asks one question per class, of the engine's analysis of its members: the
            // type's text must name a pair method or a possible acquirer, or nothing can be acquired.
            start.RegisterSymbolAction(symbol => slot.Failures.Guard(slot.Compilation, symbol.Symbol, () =>
            {
                if (symbol.Symbol is not INamedTypeSymbol { TypeKind: TypeKind.Class } type ||
                    slot.Get(symbol.CancellationToken) is not { } pairing ||
                    !MentionsPairing(type, pairing, symbol.CancellationToken))
                {
                    return;
                }

                var members = pairing.Members.Of(type);
                var findings = members.Ownership(pairing, slot.Compilation, symbol.CancellationToken).Unreleased;
                if (findings.Count == 0)
                {
                    return;
                }

                var dispose = DisposeLocation(members.OwnDispose(), symbol.CancellationToken);
                var report = ledger is null ? symbol.ReportDiagnostic : ledger.Recording(symbol.ReportDiagnostic);
                foreach (var finding in findings)
                {
                    report(VMAP009_MemberNeverReleased.Create(finding, type, dispose));
                }
            }, PairingAnalyzer.ThrowOnEngineFailure), SymbolKind.NamedType);

            start.RegisterCodeBlockAction(block => slot.Failures.Guard(slot.Compilation, block.OwningSymbol, () =>
            {
                if (block.OwningSymbol is not IMethodSymbol method ||
                    block.CodeBlock is not BaseMethodDeclarationSyntax declaration ||
                    !TypeMembers.IsDisposeMethod(method) ||
                    slot.Get(block.CancellationToken) is not { } pairing ||
                    !pairing.MayCall(declaration, method, block.CancellationToken) ||
                    EngineFailureLog.Operation(block.SemanticModel, declaration, block.CancellationToken) is not IMethodBodyOperation body)
                {
                    return;
                }

                var name = (declaration is MethodDeclarationSyntax m ? m.Identifier : declaration.GetFirstToken()).GetLocation();
                var report = ledger is null ? block.ReportDiagnostic : ledger.Recording(block.ReportDiagnostic);
                var releases = DisposeReleases.Uncleared(
                    body,
                    EngineFailureLog.Graph(body, block.CancellationToken),
                    method,
                    pairing.Pairs,
                    pairing.Members.Of(method.ContainingType),
                    block.CancellationToken);
                foreach (var release in releases)
                {
                    report(VMAP008_ReleasedInDisposeNotCleared.Create(release, name));
                }
            }, PairingAnalyzer.ThrowOnEngineFailure));
        });
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
