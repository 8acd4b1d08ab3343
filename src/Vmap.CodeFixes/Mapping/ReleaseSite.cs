using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace Vmap.CodeFixes.Mapping;

/// <summary>
/// A release call at a diagnostic: the value it releases (an argument, or the receiver of
/// <c>handle.Free()</c>) and its count argument.
/// </summary>
internal sealed record ReleaseSite(
    InvocationExpressionSyntax Syntax,
    IInvocationOperation Call,
    UnmapsAnnotation Annotation,
    IOperation Address,
    ExpressionSyntax? AddressSyntax,
    IArgumentOperation? Count,
    StatementSyntax Statement)
{
    /// <summary>The local or parameter released, or null for any other expression.</summary>
    public ISymbol? AddressVariable => Variable(Address);

    /// <summary>The innermost release call around <paramref name="span"/>.</summary>
    public static ReleaseSite? Find(SemanticModel model, SyntaxNode root, TextSpan span, CancellationToken cancellationToken)
    {
        foreach (var invocation in root.FindNode(span, getInnermostNodeForTie: true).AncestorsAndSelf().OfType<InvocationExpressionSyntax>())
        {
            if (model.GetOperation(invocation, cancellationToken) is not IInvocationOperation call)
            {
                continue;
            }

            var annotation = PairFacts.GetUnmaps(model.Compilation, call.TargetMethod);
            if (annotation is null)
            {
                continue;
            }

            var statement = invocation.FirstAncestorOrSelf<StatementSyntax>();
            if (statement is null)
            {
                return null;
            }

            IOperation? address;
            ExpressionSyntax? addressSyntax;
            if (annotation.AddressParameter is { } parameter)
            {
                var argument = Argument(call, parameter);
                addressSyntax = (argument?.Syntax as ArgumentSyntax)?.Expression;
                address = argument?.Value;
            }
            else
            {
                address = call.Instance;
                addressSyntax = invocation.Expression is MemberAccessExpressionSyntax access ? access.Expression : null;
            }

            if (address is null)
            {
                return null;
            }

            var count = annotation.CountParameter is null ? null : Argument(call, annotation.CountParameter);
            return new ReleaseSite(invocation, call, annotation, address, addressSyntax, count, statement);
        }

        return null;
    }

    public static IArgumentOperation? Argument(IInvocationOperation call, IParameterSymbol parameter)
        => call.Arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.OriginalDefinition, parameter.OriginalDefinition));

    /// <summary>The local or parameter an operand reads, looking through conversions.</summary>
    public static ISymbol? Variable(IOperation operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            _ => null,
        };
    }
}
