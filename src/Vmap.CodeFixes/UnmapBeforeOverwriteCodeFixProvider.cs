using System.Composition;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Vmap.CodeFixes;

/// <summary>VMAP002, overwrite: releases the old mapping of a local just before the assignment that loses it.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnmapBeforeOverwriteCodeFixProvider)), Shared]
public sealed class UnmapBeforeOverwriteCodeFixProvider : VmapCodeFixProvider
{
    private protected override string DiagnosticId => "VMAP002";

    private protected override PlannedEdit? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (!FixProperties.IsOverwrite(diagnostic))
            return null;
        var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        if (node.FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { Expression: AssignmentExpressionSyntax assignment, Parent: BlockSyntax } statement
            || !assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)
            || model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol is not { } variable || variable is not (ILocalSymbol or IParameterSymbol))
            return null;

        // Releasing first is only the same program if the new value does not read the old one.
        var reads = model.AnalyzeDataFlow(assignment.Right);
        if (reads is null || !reads.Succeeded || reads.ReadInside.Contains(variable, SymbolEqualityComparer.Default))
            return null;

        var mapping = MappingSite.FindReaching(model, variable, statement, cancellationToken);
        if (mapping is null)
            return null;
        var release = ReleaseStatements.Build(model, mapping, SyntaxFactory.IdentifierName(variable.Name), statement.SpanStart, cancellationToken);
        if (release is null)
            return null;

        return new PlannedEdit("Unmap before overwriting", r => r.InsertNodesBefore(statement, new[] { release }));
    }
}
