using System.Composition;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Vmap.CodeFixes;

/// <summary>VMAP003: deletes a release that always follows an identical release of the same address.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(VMAP003_RemoveSecondUnmapFix)), Shared]
public sealed class VMAP003_RemoveSecondUnmapFix : VmapCodeFixProvider
{
    private protected override string DiagnosticId => RuleIds.VMAP003;

    private protected override PlannedEdit? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var second = ReleaseSite.Find(model, root, diagnostic.Location.SourceSpan, cancellationToken);
        if (second is null || !FixProperties.IsRedundant(diagnostic) || !IsUnconditionallyRedundant(model, second, cancellationToken))
            return null;

        var statement = second.Statement;
        return new PlannedEdit("Remove the second unmap", r => r.RemoveNode(statement, SyntaxRemoveOptions.KeepUnbalancedDirectives)!);
    }

    /// <summary>
    /// The second release is a statement on its own, and an earlier statement of the same block
    /// releases the same address with the same family with nothing in between that could change
    /// it: whenever the second runs, the first has run. Anything weaker (the first release on some
    /// paths only) means removing either call leaks on the other paths.
    /// </summary>
    private static bool IsUnconditionallyRedundant(SemanticModel model, ReleaseSite second, CancellationToken cancellationToken)
    {
        if (second.Statement is not ExpressionStatementSyntax { Expression: var expression } statement || expression != second.Syntax
            || statement.Parent is not BlockSyntax block || second.AddressSyntax is not { } address)
            return false;
        var variable = second.AddressVariable;
        var field = variable is null ? model.GetSymbolInfo(address, cancellationToken).Symbol as IFieldSymbol : null;
        if (variable is null && field is null)
            return false;

        var between = new List<StatementSyntax>();
        for (var i = block.Statements.IndexOf(statement) - 1; i >= 0; i--)
        {
            var earlier = block.Statements[i];
            if (earlier is ExpressionStatementSyntax { Expression: InvocationExpressionSyntax invocation }
                && ReleaseSite.Find(model, earlier, invocation.Span, cancellationToken) is { } first
                && first.Syntax == invocation
                && first.Annotation.Family == second.Annotation.Family)
            {
                if (variable is not null && SymbolEqualityComparer.Default.Equals(first.AddressVariable, variable))
                    return true;
                if (field is not null && first.AddressSyntax is { } firstAddress && firstAddress.IsEquivalentTo(address, topLevel: false))
                    return FieldAccess.Unchanged(model, address, field, between, first.Call.TargetMethod.ContainingType, statement.SpanStart, cancellationToken);
            }

            if (variable is not null && DataFlow.Writes(model, earlier, variable) || earlier.DescendantNodesAndSelf().OfType<LabeledStatementSyntax>().Any())
                return false;
            between.Add(earlier);
        }

        return false;
    }
}
