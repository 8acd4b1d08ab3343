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
using Vmap.CodeFixes.Mapping;

namespace Vmap.CodeFixes;

// One of the rule's edits (the provider is in the file without a suffix).
// VMAP002, overwrite: releases the old mapping of a local or field just before the assignment
// that loses it; when the overwrite only offsets the local (`block += IntPtr.Size`, a walk
// through the block) it keeps the start in the local and walks a cursor instead (see VMAP001).
public sealed partial class VMAP002_UnmapBeforeMappingIsLostFix
{
    private static PlannedEdit? UnmapBeforeOverwrite(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (!FixProperties.IsOverwrite(diagnostic))
        {
            return null;
        }

        var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);

        // A local walked through its own block (block += IntPtr.Size) loses the start: keep it and walk a cursor.
        if (node.FirstAncestorOrSelf<ExpressionStatementSyntax>() is { Expression: var overwrite }
            && overwrite is AssignmentExpressionSyntax or PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax
            && (overwrite as AssignmentExpressionSyntax)?.Left is var left
            && model.GetSymbolInfo(left ?? ((overwrite as PostfixUnaryExpressionSyntax)?.Operand ?? ((PrefixUnaryExpressionSyntax)overwrite).Operand), cancellationToken).Symbol is ILocalSymbol walked
            && CursorWalk.IsOffset(model, overwrite, walked, cancellationToken))
        {
            return CursorWalk.Plan(model, walked, overwrite, release: null, cancellationToken);
        }

        if (node.FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { Expression: AssignmentExpressionSyntax assignment, Parent: BlockSyntax } statement
            || !assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)
            || model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol is not { } variable)
        {
            return null;
        }

        // Releasing first is only the same program if the new value does not read the old one.
        if (assignment.Right.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>()
            .Any(i => SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(i, cancellationToken).Symbol, variable)))
        {
            return null;
        }

        var mapping = variable switch
        {
            ILocalSymbol or IParameterSymbol when diagnostic.AdditionalLocations.Count > 0
                => MappingSite.FromLocation(model, root, diagnostic.AdditionalLocations[0], variable, statement, cancellationToken),
            IFieldSymbol field => FieldMapping(root, model, diagnostic, field, assignment, statement, cancellationToken),
            _ => null,
        };
        if (mapping is null)
        {
            return null;
        }

        var release = ReleaseStatements.Build(model, mapping, assignment.Left.WithoutTrivia(), statement.SpanStart, cancellationToken);
        if (release is null)
        {
            return null;
        }

        return new PlannedEdit(FixProperties.ReleaseWord(diagnostic) + " before overwriting", r => r.InsertNodesBefore(statement, new[] { release }));
    }

    /// <summary>
    /// For a field the analyzer names the lost mapping's call (the additional location). It must be
    /// an earlier statement of the same block assigning the same field of the same object, and
    /// nothing in between may touch the field: no assignment to it and no call except into the
    /// allocator or on a span (any other call could re-point or release it).
    /// </summary>
    private static MappingSite? FieldMapping(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, IFieldSymbol field, AssignmentExpressionSyntax overwrite, StatementSyntax statement, CancellationToken cancellationToken)
    {
        if (diagnostic.AdditionalLocations.Count == 0 || diagnostic.AdditionalLocations[0].SourceTree != root.SyntaxTree)
        {
            return null;
        }

        var mapStatement = root.FindNode(diagnostic.AdditionalLocations[0].SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<StatementSyntax>();
        var block = (BlockSyntax)statement.Parent!;
        if (mapStatement is not ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax mapped } || mapStatement.Parent != block
            || !mapped.Left.IsEquivalentTo(overwrite.Left, topLevel: false))
        {
            return null;
        }

        var from = block.Statements.IndexOf(mapStatement);
        var to = block.Statements.IndexOf(statement);
        if (from >= to)
        {
            return null;
        }

        var between = block.Statements.Skip(from + 1).Take(to - from - 1).ToImmutableArray();
        var site = MappingSite.At(model, mapStatement, field, between, cancellationToken);
        if (site is null)
        {
            return null;
        }

        return FieldAccess.Unchanged(model, mapped.Left, field, between, site.Call.TargetMethod.ContainingType, statement.SpanStart, cancellationToken)
            ? site
            : null;
    }
}
