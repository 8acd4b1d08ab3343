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
using Vmap.CodeFixes.Mapping;
using Keys = Vmap.Analyzers.DiagnosticProperties;

namespace Vmap.CodeFixes;

/// <summary>
/// VMAP008: clears the member right after the release in Dispose (<c>_p = IntPtr.Zero;</c>,
/// <c>= null;</c>, <c>= default;</c> by the member's type), so a second Dispose no longer hands
/// the same block to the release.
/// </summary>
/// <remarks>
/// No edit is offered where the clear cannot be placed as a statement right after the release, or
/// could change what correct code does today: the release is part of a larger expression (its
/// result is used, or it sits in a condition, a <c>return</c>, a loop header); the member cannot be
/// assigned there (a <c>readonly</c> field, a get-only or init-only property); or the method reads
/// the member after the release (that code would now see the cleared value).
/// </remarks>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(VMAP008_ClearAfterReleaseFix)), Shared]
public sealed class VMAP008_ClearAfterReleaseFix : VmapCodeFixProvider
{
    private const string Title = "Clear the member after the release";

    private protected override string DiagnosticId => RuleIds.VMAP008;

    private protected override PlannedEdit? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (!diagnostic.Properties.TryGetValue(Keys.Target, out var name) || name is null)
        {
            return null;
        }

        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax operand)
        {
            return null;
        }

        operand = StripParentheses(operand);
        if (model.GetSymbolInfo(operand, cancellationToken).Symbol is not { } member || member.Name != name || !IsAssignable(model, member, operand.SpanStart))
        {
            return null;
        }

        if (ReleaseExpression(operand) is not { } release || ClearValue(model, member, operand.SpanStart) is not { } value)
        {
            return null;
        }

        var clear = SyntaxFactory.ExpressionStatement(
                SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, operand.WithoutTrivia(), value))
            .WithAdditionalAnnotations(Formatter.Annotation);

        switch (release.Parent)
        {
            case ExpressionStatementSyntax statement when !ReadAfter(model, member, statement, cancellationToken):
                return statement.Parent switch
                {
                    BlockSyntax or SwitchSectionSyntax => new PlannedEdit(
                        Title,
                        r => r.InsertNodesAfter(statement, new[] { clear.WithTrailingTrivia(SyntaxFactory.ElasticLineFeed) })),
                    IfStatementSyntax or ElseClauseSyntax => new PlannedEdit(
                        Title,
                        r => r.ReplaceNode(statement, SyntaxFactory.Block(statement.WithoutTrivia().WithTrailingTrivia(SyntaxFactory.ElasticLineFeed), clear)
                            .WithTriviaFrom(statement)
                            .WithAdditionalAnnotations(Formatter.Annotation))),
                    _ => null,
                };

            case ArrowExpressionClauseSyntax { Parent: MethodDeclarationSyntax { ReturnType: PredefinedTypeSyntax { Keyword.RawKind: (int)SyntaxKind.VoidKeyword } } method } arrow:
                // public void Dispose() => Marshal.FreeHGlobal(_p);  becomes a block body.
                var body = SyntaxFactory.Block(SyntaxFactory.ExpressionStatement(arrow.Expression.WithoutTrivia()), clear)
                    .WithAdditionalAnnotations(Formatter.Annotation);
                var rewritten = method
                    .WithExpressionBody(null)
                    .WithSemicolonToken(default)
                    .WithParameterList(method.ParameterList.WithTrailingTrivia(SyntaxFactory.ElasticLineFeed))
                    .WithBody(body.WithTrailingTrivia(method.SemicolonToken.TrailingTrivia))
                    .WithAdditionalAnnotations(Formatter.Annotation);
                return new PlannedEdit(Title, r => r.ReplaceNode(method, rewritten));

            default:
                return null;
        }
    }

    /// <summary>
    /// The expression that releases <paramref name="operand"/>, when that expression is all its
    /// parent evaluates: <c>Release(..operand..)</c>, <c>operand.Free()</c>,
    /// <c>operand.Value.Free()</c>, <c>operand?.Free()</c>. Null when the release is nested in
    /// another expression.
    /// </summary>
    private static ExpressionSyntax? ReleaseExpression(ExpressionSyntax operand)
    {
        SyntaxNode node = operand;
        if (operand.Parent is ConditionalAccessExpressionSyntax { WhenNotNull: InvocationExpressionSyntax { Expression: MemberBindingExpressionSyntax } } conditional && conditional.Expression == operand)
        {
            return conditional;
        }

        // Up through casts and argument lists, or the receiver's member access (_h.Free, _h.Value.Free).
        while (node.Parent is CastExpressionSyntax or ParenthesizedExpressionSyntax or ArgumentSyntax or ArgumentListSyntax or MemberAccessExpressionSyntax)
        {
            if (node.Parent is MemberAccessExpressionSyntax access && access.Expression != node)
            {
                return null;
            }

            if (node.Parent is ArgumentListSyntax && node.Parent.Parent is InvocationExpressionSyntax)
            {
                return (InvocationExpressionSyntax)node.Parent.Parent;
            }

            node = node.Parent;
            if (node is MemberAccessExpressionSyntax member && member.Parent is InvocationExpressionSyntax invocation && invocation.Expression == member)
            {
                return invocation;
            }
        }

        return null;
    }

    private static ExpressionSyntax StripParentheses(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax { Expression: var inner })
        {
            expression = inner;
        }

        return expression;
    }

    internal static bool IsAssignable(SemanticModel model, ISymbol member, int position) => member switch
    {
        IFieldSymbol field => !field.IsReadOnly && !field.IsConst && !field.IsStatic,
        IPropertySymbol { SetMethod: { IsInitOnly: false } setter } => model.IsAccessible(position, setter),
        _ => false,
    };

    /// <summary>
    /// <c>IntPtr.Zero</c> / <c>UIntPtr.Zero</c> for an address declared as <c>IntPtr</c>, <c>0</c>
    /// for one declared as <c>nint</c>, <c>null</c> for pointers, references and nullable values,
    /// <c>default</c> for any other value type (a <c>GCHandle</c>).
    /// </summary>
    internal static ExpressionSyntax? ClearValue(SemanticModel model, ISymbol member, int position)
    {
        var type = member switch
        {
            IFieldSymbol field => field.Type,
            IPropertySymbol property => property.Type,
            _ => null,
        };
        if (type is null)
        {
            return null;
        }

        if (type.SpecialType is SpecialType.System_IntPtr or SpecialType.System_UIntPtr)
        {
            if (DeclaredAsNativeInteger(member))
            {
                return SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(0));
            }

            var typeName = type.SpecialType == SpecialType.System_IntPtr ? "IntPtr" : "UIntPtr";
            var visible = model.LookupNamespacesAndTypes(position, name: typeName).Any(t => SymbolEqualityComparer.Default.Equals(t, type));
            return SyntaxFactory.ParseExpression(visible ? typeName + ".Zero" : "default");
        }

        if (type is IPointerTypeSymbol || type.IsReferenceType || type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
        {
            return SyntaxFactory.LiteralExpression(SyntaxKind.NullLiteralExpression);
        }

        return type.IsValueType ? SyntaxFactory.LiteralExpression(SyntaxKind.DefaultLiteralExpression, SyntaxFactory.Token(SyntaxKind.DefaultKeyword)) : null;
    }

    private static bool DeclaredAsNativeInteger(ISymbol member)
    {
        foreach (var reference in member.DeclaringSyntaxReferences)
        {
            var typeSyntax = reference.GetSyntax() switch
            {
                VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax declaration } => declaration.Type,
                PropertyDeclarationSyntax property => property.Type,
                _ => null,
            };
            if (typeSyntax is IdentifierNameSyntax { Identifier.ValueText: "nint" or "nuint" })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the enclosing member reads <paramref name="member"/> after <paramref name="statement"/>: the clear would change what it reads.</summary>
    private static bool ReadAfter(SemanticModel model, ISymbol member, StatementSyntax statement, CancellationToken cancellationToken)
    {
        var body = statement.FirstAncestorOrSelf<MemberDeclarationSyntax>();
        if (body is null)
        {
            return true;
        }

        foreach (var identifier in body.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (identifier.SpanStart >= statement.Span.End && identifier.Identifier.ValueText == member.Name &&
                SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol?.OriginalDefinition, member.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }
}
