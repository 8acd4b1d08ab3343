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

/// <summary>VMAP003: deletes a release that always follows an identical release of the same address.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(VMAP003_RemoveSecondUnmapFix)), Shared]
public sealed class VMAP003_RemoveSecondUnmapFix : VmapCodeFixProvider
{
    private protected override string DiagnosticId => RuleIds.VMAP003;

    private protected override PlannedEdit? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var second = ReleaseSite.Find(model, root, diagnostic.Location.SourceSpan, cancellationToken);
        if (second is null || !FixProperties.IsRedundant(diagnostic) || diagnostic.AdditionalLocations.Count == 0
            || diagnostic.AdditionalLocations[0].SourceTree != root.SyntaxTree)
        {
            return null;
        }

        // AdditionalLocations[0] is the argument of the first release.
        var first = ReleaseSite.Find(model, root, diagnostic.AdditionalLocations[0].SourceSpan, cancellationToken);
        if (first is null || !IsUnconditionallyRedundant(model, first, second, cancellationToken))
        {
            return null;
        }

        var statement = second.Statement;
        return new PlannedEdit("Remove the second " + FixProperties.ReleaseWord(diagnostic).ToLowerInvariant(), r => r.RemoveNode(statement, SyntaxRemoveOptions.KeepUnbalancedDirectives)!);
    }

    /// <summary>
    /// Both releases are statements of their own in the same block, the first (the one the
    /// analyzer named) before the second, of the same family and the same address, with nothing in
    /// between that could change it: whenever the second runs, the first has run. Anything weaker
    /// (the first release on some paths only) means removing either call leaks on the other paths.
    /// </summary>
    private static bool IsUnconditionallyRedundant(SemanticModel model, ReleaseSite first, ReleaseSite second, CancellationToken cancellationToken)
    {
        if (second.Statement is not ExpressionStatementSyntax { Expression: var expression } statement || expression != second.Syntax
            || statement.Parent is not BlockSyntax block || second.AddressSyntax is not { } address
            || first.Statement is not ExpressionStatementSyntax { Expression: var firstExpression } firstStatement || firstExpression != first.Syntax
            || firstStatement.Parent != block || first.Annotation.Family != second.Annotation.Family
            || first.AddressSyntax is not { } firstAddress)
        {
            return false;
        }

        var from = block.Statements.IndexOf(firstStatement);
        var to = block.Statements.IndexOf(statement);
        if (from >= to)
        {
            return false;
        }

        var between = block.Statements.Skip(from + 1).Take(to - from - 1).ToList();
        if (between.Any(s => s.DescendantNodesAndSelf().OfType<LabeledStatementSyntax>().Any()))
        {
            return false;
        }

        if (second.AddressVariable is { } variable)
        {
            return SymbolEqualityComparer.Default.Equals(first.AddressVariable, variable) && !DataFlow.WritesAny(model, between, variable);
        }

        return model.GetSymbolInfo(address, cancellationToken).Symbol is IFieldSymbol field
            && firstAddress.IsEquivalentTo(address, topLevel: false)
            && FieldAccess.Unchanged(model, address, field, between, first.Call.TargetMethod.ContainingType, statement.SpanStart, cancellationToken);
    }
}
