using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;
using Vmap.CodeFixes.Mapping;

namespace Vmap.CodeFixes;

/// <summary>
/// VMAP004: moves the release after the last statement that uses the mapping, when the release
/// and the use are statements of the same block and the statements the release moves past can
/// neither leave the block early (no jump, no throw, no call outside the mapping's own API, which
/// could throw) nor change what the release reads, nor release anything themselves. Then every
/// path that reached the release still reaches it, later, with the same arguments.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(VMAP004_UnmapAfterLastUseFix)), Shared]
public sealed class VMAP004_UnmapAfterLastUseFix : VmapCodeFixProvider
{
    private protected override string DiagnosticId => RuleIds.VMAP004;

    private protected override PlannedEdit? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        // AdditionalLocations[0] is the released argument.
        if (diagnostic.AdditionalLocations.Count == 0 || diagnostic.AdditionalLocations[0].SourceTree != root.SyntaxTree)
        {
            return null;
        }

        var release = ReleaseSite.Find(model, root, diagnostic.AdditionalLocations[0].SourceSpan, cancellationToken);
        if (release?.AddressVariable is not { } variable
            || release.Statement is not ExpressionStatementSyntax { Expression: var expression, Parent: BlockSyntax block } statement
            || expression != release.Syntax)
        {
            return null;
        }

        var use = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        var at = block.Statements.IndexOf(statement);
        var useIndex = IndexIn(block, use);
        if (useIndex <= at)
        {
            return null;
        }

        var last = useIndex;
        for (var i = block.Statements.Count - 1; i > useIndex; i--)
        {
            if (Reads(model, block.Statements[i], variable, cancellationToken))
            {
                last = i;
                break;
            }
        }

        var passed = block.Statements.Skip(at + 1).Take(last - at).ToList();
        if (!CanMovePast(model, release, passed, cancellationToken))
        {
            return null;
        }

        var target = block.Statements[last];
        var moved = statement.WithoutLeadingTrivia().WithTrailingTrivia(SyntaxFactory.ElasticLineFeed).WithAdditionalAnnotations(Formatter.Annotation);
        return new PlannedEdit(
            FixProperties.ReleaseWord(diagnostic) + " after the last use",
            r =>
            {
                var tracked = r.TrackNodes(statement, target);
                tracked = tracked.InsertNodesAfter(tracked.GetCurrentNode(target)!, new[] { moved });
                return tracked.RemoveNode(tracked.GetCurrentNode(statement)!, SyntaxRemoveOptions.KeepNoTrivia)!;
            });
    }

    /// <summary>The index of the statement of <paramref name="block"/> that contains <paramref name="node"/>; -1 when none does.</summary>
    private static int IndexIn(BlockSyntax block, SyntaxNode node)
    {
        for (var current = node; current is not null && current != block; current = current.Parent)
        {
            if (current.Parent == block && current is StatementSyntax statement)
            {
                return block.Statements.IndexOf(statement);
            }
        }

        return -1;
    }

    private static bool Reads(SemanticModel model, SyntaxNode node, ISymbol variable, CancellationToken cancellationToken)
        => node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>()
            .Any(i => i.Identifier.ValueText == variable.Name && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(i, cancellationToken).Symbol, variable));

    private static bool CanMovePast(SemanticModel model, ReleaseSite release, IReadOnlyList<StatementSyntax> passed, CancellationToken cancellationToken)
    {
        var allocator = release.Call.TargetMethod.ContainingType;
        var read = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var identifier in release.Syntax.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
        {
            if (model.GetSymbolInfo(identifier, cancellationToken).Symbol is ILocalSymbol or IParameterSymbol or IFieldSymbol or IPropertySymbol && model.GetSymbolInfo(identifier, cancellationToken).Symbol is { } symbol)
            {
                read.Add(symbol);
            }
        }

        foreach (var node in passed.SelectMany(s => s.DescendantNodesAndSelf()))
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (node)
            {
                case ReturnStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax or GotoStatementSyntax or YieldStatementSyntax
                    or ThrowStatementSyntax or ThrowExpressionSyntax or LabeledStatementSyntax or AwaitExpressionSyntax
                    or AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax:
                    return false;
                case InvocationExpressionSyntax invocation:
                    if (model.GetOperation(invocation, cancellationToken) is not IInvocationOperation call
                        || PairFacts.GetUnmaps(model.Compilation, call.TargetMethod) is not null
                        || PairFacts.GetMaps(model.Compilation, call.TargetMethod) is not null
                        || !(SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, allocator)
                            || PairFacts.IsApiOwner(model.Compilation, call.TargetMethod.ContainingType)
                            || Reevaluation.IsSpan(call.TargetMethod.ContainingType)))
                    {
                        return false;
                    }

                    break;
                case BaseObjectCreationExpressionSyntax creation:
                    if (!Reevaluation.IsSpan(model.GetTypeInfo(creation, cancellationToken).Type))
                    {
                        return false;
                    }

                    break;
                case AssignmentExpressionSyntax or PrefixUnaryExpressionSyntax or PostfixUnaryExpressionSyntax or ArgumentSyntax:
                    var written = node switch
                    {
                        AssignmentExpressionSyntax a => a.Left,
                        PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } u => u.Operand,
                        PostfixUnaryExpressionSyntax u => u.Operand,
                        ArgumentSyntax { RefKindKeyword.RawKind: (int)SyntaxKind.RefKeyword or (int)SyntaxKind.OutKeyword } a => a.Expression,
                        _ => null,
                    };
                    if (written is not null && model.GetSymbolInfo(written, cancellationToken).Symbol is { } target && read.Contains(target))
                    {
                        return false;
                    }

                    break;
            }
        }

        return true;
    }
}
