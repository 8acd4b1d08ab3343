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
/// Decides whether an expression written at one place (the mapping) can be written again at another
/// (the release) and still mean the same value. Only side-effect free shapes qualify: constants,
/// locals and parameters not written in between, readonly fields, <c>Length</c> of arrays and spans,
/// and arithmetic over those. Anything else (calls, object creation, fields that code in between may
/// change) makes a fix change behaviour, so the answer is no.
/// </summary>
internal static class Reevaluation
{
    public static bool IsStable(SemanticModel model, ExpressionSyntax expression, IReadOnlyList<StatementSyntax> between, int position, CancellationToken cancellationToken)
    {
        foreach (var node in expression.DescendantNodesAndSelf())
        {
            if (!IsAllowedShape(node))
            {
                return false;
            }

            if (node is not IdentifierNameSyntax identifier)
            {
                continue;
            }

            var symbol = model.GetSymbolInfo(identifier, cancellationToken).Symbol;
            if (symbol is null || !IsStableSymbol(model, symbol, between, identifier))
            {
                return false;
            }

            // A name that is not the right side of a member access must bind to the same symbol at
            // the new place (no shadowing, still in scope).
            if (identifier.Parent is MemberAccessExpressionSyntax access && access.Name == identifier)
            {
                continue;
            }

            var rebound = model.GetSpeculativeSymbolInfo(position, identifier, SpeculativeBindingOption.BindAsExpression).Symbol;
            if (!SymbolEqualityComparer.Default.Equals(rebound, symbol))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsAllowedShape(SyntaxNode node) => node switch
    {
        IdentifierNameSyntax or ThisExpressionSyntax or LiteralExpressionSyntax or ParenthesizedExpressionSyntax
            or PredefinedTypeSyntax => true,
        MemberAccessExpressionSyntax access => access.IsKind(SyntaxKind.SimpleMemberAccessExpression),
        BinaryExpressionSyntax binary => !binary.IsKind(SyntaxKind.AsExpression) && !binary.IsKind(SyntaxKind.IsExpression)
            && !binary.IsKind(SyntaxKind.CoalesceExpression),
        PrefixUnaryExpressionSyntax unary => unary.IsKind(SyntaxKind.UnaryMinusExpression) || unary.IsKind(SyntaxKind.UnaryPlusExpression)
            || unary.IsKind(SyntaxKind.LogicalNotExpression) || unary.IsKind(SyntaxKind.BitwiseNotExpression),
        CastExpressionSyntax cast => cast.Type is PredefinedTypeSyntax,
        _ => false,
    };

    private static bool IsStableSymbol(SemanticModel model, ISymbol symbol, IReadOnlyList<StatementSyntax> between, IdentifierNameSyntax identifier) => symbol switch
    {
        ILocalSymbol local => local.RefKind == RefKind.None && !DataFlow.WritesAny(model, between, local),
        IParameterSymbol parameter => parameter.RefKind is RefKind.None or RefKind.In && !DataFlow.WritesAny(model, between, parameter),
        IFieldSymbol field => field.IsConst || field.IsReadOnly,
        IPropertySymbol property => property.Name == "Length" && IsLengthOfFixedSizeValue(model, identifier),
        INamedTypeSymbol or INamespaceSymbol => true,
        _ => false,
    };

    /// <summary>Arrays, strings and spans never change length; other <c>Length</c> properties may.</summary>
    private static bool IsLengthOfFixedSizeValue(SemanticModel model, IdentifierNameSyntax identifier)
    {
        if (identifier.Parent is not MemberAccessExpressionSyntax access)
        {
            return false;
        }

        var type = model.GetTypeInfo(access.Expression).Type;
        return type is IArrayTypeSymbol || type?.SpecialType == SpecialType.System_String || IsSpan(type);
    }

    public static bool IsSpan(ITypeSymbol? type)
        => type is INamedTypeSymbol { IsGenericType: true, Name: "Span" or "ReadOnlySpan", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };

    public static bool HasFixedLength(ITypeSymbol? type)
        => type is IArrayTypeSymbol || IsSpan(type);

}
