using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Vmap.CodeFixes.Mapping;

internal static class DataFlow
{
    /// <summary>
    /// True when <paramref name="node"/> may write <paramref name="variable"/>; also true when the
    /// analysis fails, because every caller treats "may write" as "offer no fix".
    /// </summary>
    public static bool Writes(SemanticModel model, SyntaxNode node, ISymbol variable)
    {
        var flow = node switch
        {
            StatementSyntax statement => model.AnalyzeDataFlow(statement),
            ExpressionSyntax expression => model.AnalyzeDataFlow(expression),
            _ => null,
        };
        if (flow is null || !flow.Succeeded)
        {
            return true;
        }

        foreach (var written in flow.WrittenInside)
        {
            if (SymbolEqualityComparer.Default.Equals(written, variable))
            {
                // Data flow counts a call on a struct local (handle.AddrOfPinnedObject()) as a
                // write of it; only an assignment, a ref or an address taken changes the value.
                return !IsStruct(variable) || WritesSyntactically(model, node, variable);
            }
        }

        return false;
    }

    public static bool WritesAny(SemanticModel model, IEnumerable<SyntaxNode?> nodes, ISymbol variable)
    {
        foreach (var node in nodes)
        {
            if (node is not null && Writes(model, node, variable))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsStruct(ISymbol variable)
        => ((variable as ILocalSymbol)?.Type ?? (variable as IParameterSymbol)?.Type) is { IsValueType: true, SpecialType: SpecialType.None, TypeKind: TypeKind.Struct };

    private static bool WritesSyntactically(SemanticModel model, SyntaxNode node, ISymbol variable)
    {
        foreach (var declared in node.DescendantNodesAndSelf())
        {
            if (declared is VariableDeclaratorSyntax or SingleVariableDesignationSyntax or ForEachStatementSyntax
                && SymbolEqualityComparer.Default.Equals(model.GetDeclaredSymbol(declared), variable))
            {
                return true;
            }
        }

        foreach (var identifier in node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
        {
            if (identifier.Identifier.ValueText != variable.Name || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier).Symbol, variable))
            {
                continue;
            }

            SyntaxNode target = identifier;
            while (target.Parent is ParenthesizedExpressionSyntax or TupleExpressionSyntax || target.Parent is ArgumentSyntax { Parent: TupleExpressionSyntax })
            {
                target = target.Parent;
            }

            var written = target.Parent switch
            {
                AssignmentExpressionSyntax assignment => assignment.Left == target,
                PrefixUnaryExpressionSyntax unary => !unary.IsKind(SyntaxKind.LogicalNotExpression) && !unary.IsKind(SyntaxKind.UnaryMinusExpression)
                    && !unary.IsKind(SyntaxKind.UnaryPlusExpression) && !unary.IsKind(SyntaxKind.BitwiseNotExpression),
                PostfixUnaryExpressionSyntax => true,
                ArgumentSyntax argument => !argument.RefKindKeyword.IsKind(SyntaxKind.None) && !argument.RefKindKeyword.IsKind(SyntaxKind.InKeyword),
                RefExpressionSyntax => true,
                _ => false,
            };
            if (written)
            {
                return true;
            }
        }

        return false;
    }
}
