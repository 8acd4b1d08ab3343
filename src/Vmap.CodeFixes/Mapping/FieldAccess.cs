using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Vmap.CodeFixes.Mapping;

internal static class FieldAccess
{
    /// <summary>
    /// True when <paramref name="access"/> (<c>_view</c>, <c>bp.Addr</c>) reads the same field of
    /// the same object after <paramref name="between"/> as before: nothing there assigns the field,
    /// creates objects, runs lambdas or calls anything but the allocator or a span (any other call
    /// could re-point or release it), and the object it belongs to is not re-pointed.
    /// </summary>
    public static bool Unchanged(SemanticModel model, ExpressionSyntax access, IFieldSymbol field, IReadOnlyList<StatementSyntax> between, ITypeSymbol allocator, int position, CancellationToken cancellationToken)
    {
        foreach (var inner in between.SelectMany(b => b.DescendantNodesAndSelf()))
        {
            var touches = inner switch
            {
                AssignmentExpressionSyntax a => SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(a.Left, cancellationToken).Symbol, field),
                InvocationExpressionSyntax call => model.GetSymbolInfo(call, cancellationToken).Symbol is not IMethodSymbol { ContainingType: var type }
                    || !(SymbolEqualityComparer.Default.Equals(type, allocator) || Reevaluation.IsSpan(type)),
                ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax or AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax => true,
                _ => false,
            };
            if (touches)
            {
                return false;
            }
        }

        var owner = access is MemberAccessExpressionSyntax member ? member.Expression : null;
        return owner is null or ThisExpressionSyntax || Reevaluation.IsStable(model, owner, between, position, cancellationToken);
    }
}
