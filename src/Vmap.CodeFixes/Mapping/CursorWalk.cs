using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Vmap.CodeFixes.Mapping;

/// <summary>
/// The cursor edit shared by VMAP001 (the release of a walked local) and VMAP002 (the same walk
/// reported as the overwrite that loses the start): the local keeps the start, a cursor walks.
/// </summary>
internal static class CursorWalk
{
    /// <summary>
    /// <c>var block = Alloc(n); var cursor = block; while (..) { cursor += IntPtr.Size; } Free(block)</c>:
    /// the local keeps the start, every statement between the mapping and the release walks a
    /// cursor instead. Offered when the mapping declares the local and the release is a later
    /// statement of the same block, the statements in between only offset the local (<c>+=</c>,
    /// <c>-=</c>, <c>++</c>, <c>--</c>, <c>p = p + k</c>: never a new value, a release or a
    /// <c>ref</c>), and nothing after the release reads it. Renaming inside those statements keeps
    /// everything they do; only the release changes, and on a path that never offset the local it
    /// releases the same address as before.
    /// </summary>
    public static PlannedEdit? Plan(SemanticModel model, ISymbol variable, SyntaxNode reassigned, ReleaseSite? release, CancellationToken cancellationToken)
    {
        if (variable is not ILocalSymbol local || local.IsRef || local.DeclaringSyntaxReferences.Length != 1
            || local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Parent.Parent: LocalDeclarationStatementSyntax { Parent: BlockSyntax block } declaration })
        {
            return null;
        }

        // VMAP002 names no release: the walk must end in the block's one release of the local.
        release ??= OnlyRelease(model, block, declaration, variable, cancellationToken);
        if (release is null
            || release.Statement is not ExpressionStatementSyntax { Expression: var expression } || expression != release.Syntax || release.Statement.Parent != block)
        {
            return null;
        }

        var from = block.Statements.IndexOf(declaration);
        var to = block.Statements.IndexOf(release.Statement);
        var between = block.Statements.Skip(from + 1).Take(to - from - 1).ToList();
        if (from < 0 || to <= from + 1 || !between.Any(s => s.Span.Contains(reassigned.Span))
            || MappingSite.At(model, declaration, variable, between.ToImmutableArray(), cancellationToken) is not { } mapping
            || mapping.Annotation.Family != release.Annotation.Family)
        {
            return null;
        }

        var uses = References(model, between, variable, cancellationToken);
        if (uses.Any(u => !OnlyOffsets(u) || u.Ancestors().Any(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            || between.SelectMany(s => s.DescendantNodesAndSelf()).Any(n => n is LabeledStatementSyntax)
            || Releases(model, between, variable, cancellationToken)
            || References(model, block.Statements.Skip(to + 1), variable, cancellationToken).Count > 0
            || References(model, new[] { release.Statement }, variable, cancellationToken).Count != 1)
        {
            return null;
        }

        var name = VMAP001_UnmapOfReassignedPointerFix.UniqueName(model, declaration, "cursor", cancellationToken);
        var cursor = VMAP001_UnmapOfReassignedPointerFix.Declare(name, SyntaxFactory.IdentifierName(variable.Name));
        return new PlannedEdit(
            "Keep the mapped start in its own local and advance a cursor",
            r =>
            {
                var tracked = r.TrackNodes(uses.Cast<SyntaxNode>().Append(declaration));
                foreach (var use in uses)
                {
                    var current = tracked.GetCurrentNode(use)!;
                    tracked = tracked.ReplaceNode(current, SyntaxFactory.IdentifierName(name).WithTriviaFrom(current));
                }

                return tracked.InsertNodesAfter(tracked.GetCurrentNode(declaration)!, new[] { cursor });
            });
    }

    private static List<IdentifierNameSyntax> References(SemanticModel model, IEnumerable<StatementSyntax> statements, ISymbol variable, CancellationToken cancellationToken)
        => statements.SelectMany(s => s.DescendantNodesAndSelf()).OfType<IdentifierNameSyntax>()
            .Where(i => i.Identifier.ValueText == variable.Name && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(i, cancellationToken).Symbol, variable))
            .ToList();

    private static bool Releases(SemanticModel model, IEnumerable<StatementSyntax> statements, ISymbol variable, CancellationToken cancellationToken)
        => statements.SelectMany(s => s.DescendantNodesAndSelf()).OfType<InvocationExpressionSyntax>()
            .Any(i => ReleaseSite.Find(model, i, i.Span, cancellationToken) is { } site && site.Syntax == i);

    /// <summary>A read, or a write that moves the pointer by an offset of its own value.</summary>
    private static bool OnlyOffsets(IdentifierNameSyntax use)
    {
        SyntaxNode node = use;
        while (node.Parent is ParenthesizedExpressionSyntax)
        {
            node = node.Parent;
        }

        return node.Parent switch
        {
            AssignmentExpressionSyntax assignment when assignment.Left == node
                => assignment.IsKind(SyntaxKind.AddAssignmentExpression) || assignment.IsKind(SyntaxKind.SubtractAssignmentExpression)
                    || assignment.IsKind(SyntaxKind.SimpleAssignmentExpression) && assignment.Right is BinaryExpressionSyntax offset
                        && (offset.IsKind(SyntaxKind.AddExpression) || offset.IsKind(SyntaxKind.SubtractExpression))
                        && offset.Left is IdentifierNameSyntax self && self.Identifier.ValueText == use.Identifier.ValueText,
            PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } => true,
            PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.AddressOfExpression } => false,
            ArgumentSyntax argument => argument.RefKindKeyword.IsKind(SyntaxKind.None) || argument.RefKindKeyword.IsKind(SyntaxKind.InKeyword),
            _ => true,
        };
    }

    /// <summary>True when <paramref name="expression"/> moves <paramref name="variable"/> by an offset of its own value (<c>p += k</c>, <c>p++</c>, <c>p = p + k</c>).</summary>
    public static bool IsOffset(SemanticModel model, ExpressionSyntax expression, ISymbol variable, CancellationToken cancellationToken)
    {
        var target = expression switch
        {
            AssignmentExpressionSyntax assignment => assignment.Left,
            PostfixUnaryExpressionSyntax postfix => postfix.Operand,
            PrefixUnaryExpressionSyntax prefix => prefix.Operand,
            _ => null,
        };
        return target is IdentifierNameSyntax identifier && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, variable)
            && OnlyOffsets(identifier);
    }

    private static ReleaseSite? OnlyRelease(SemanticModel model, BlockSyntax block, StatementSyntax declaration, ISymbol variable, CancellationToken cancellationToken)
    {
        ReleaseSite? only = null;
        foreach (var statement in block.Statements.Skip(block.Statements.IndexOf(declaration) + 1))
        {
            foreach (var invocation in statement.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>())
            {
                if (ReleaseSite.Find(model, invocation, invocation.Span, cancellationToken) is not { } site || site.Syntax != invocation
                    || !SymbolEqualityComparer.Default.Equals(site.AddressVariable, variable))
                {
                    continue;
                }

                if (only is not null)
                {
                    return null;
                }

                only = site;
            }
        }

        return only;
    }
}
