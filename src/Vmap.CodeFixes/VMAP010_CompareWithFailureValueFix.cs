using System.Composition;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Vmap.CodeFixes;

/// <summary>
/// VMAP010: compares with the value the call really returns on failure — MAP_FAILED for mmap, NULL
/// for VirtualAlloc and MapViewOfFile — written in the tested value's type by the analyzer.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(VMAP010_CompareWithFailureValueFix)), Shared]
public sealed class VMAP010_CompareWithFailureValueFix : VmapCodeFixProvider
{
    private protected override string DiagnosticId => RuleIds.VMAP010;

    private protected override PlannedEdit? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (FixProperties.FailureValue(diagnostic) is not { } text ||
            root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax wrong ||
            wrong.Span != diagnostic.Location.SourceSpan ||
            wrong.FirstAncestorOrSelf<BinaryExpressionSyntax>() is not { } comparison ||
            !comparison.IsKind(SyntaxKind.EqualsExpression) && !comparison.IsKind(SyntaxKind.NotEqualsExpression))
        {
            return null;
        }

        // Only the operand itself (inside its parentheses), never a larger expression around it.
        var operand = wrong;
        while (operand.Parent is ParenthesizedExpressionSyntax parenthesized)
        {
            operand = parenthesized;
        }

        if (operand != comparison.Left && operand != comparison.Right)
        {
            return null;
        }

        var replacement = SyntaxFactory.ParseExpression(Qualified(model, operand.SpanStart, text));
        if (replacement.ContainsDiagnostics)
        {
            return null;
        }

        return new PlannedEdit(
            $"Compare with the failure value '{text}'",
            r => r.ReplaceNode(operand, replacement.WithTriviaFrom(operand)));
    }

    /// <summary><c>IntPtr.Zero</c> where <c>IntPtr</c> names the type at <paramref name="position"/>, else <c>System.IntPtr.Zero</c>.</summary>
    private static string Qualified(SemanticModel model, int position, string text)
    {
        foreach (var type in new[] { "IntPtr", "UIntPtr" })
        {
            var at = text.StartsWith(type, System.StringComparison.Ordinal) ? 0
                : text.StartsWith("new " + type, System.StringComparison.Ordinal) ? 4 : -1;
            if (at >= 0 && model.GetSpeculativeSymbolInfo(position, SyntaxFactory.ParseTypeName(type), SpeculativeBindingOption.BindAsTypeOrNamespace).Symbol is null)
            {
                return text.Insert(at, "System.");
            }
        }

        return text;
    }
}
