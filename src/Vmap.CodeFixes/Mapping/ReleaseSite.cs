using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace Vmap.CodeFixes.Mapping;

/// <summary>A call to an <c>[UnmapsMemory]</c> method at a diagnostic, with its address and count arguments.</summary>
internal sealed class ReleaseSite
{
    private ReleaseSite(InvocationExpressionSyntax syntax, IInvocationOperation call, UnmapsAnnotation annotation, IArgumentOperation address, IArgumentOperation? count, StatementSyntax statement)
    {
        Syntax = syntax;
        Call = call;
        Annotation = annotation;
        Address = address;
        Count = count;
        Statement = statement;
    }

    public InvocationExpressionSyntax Syntax { get; }

    public IInvocationOperation Call { get; }

    public UnmapsAnnotation Annotation { get; }

    public IArgumentOperation Address { get; }

    public IArgumentOperation? Count { get; }

    public StatementSyntax Statement { get; }

    /// <summary>The local or parameter passed as the address, or null for any other expression.</summary>
    public ISymbol? AddressVariable => Variable(Address.Value);

    public ExpressionSyntax? AddressSyntax => (Address.Syntax as ArgumentSyntax)?.Expression;

    /// <summary>The innermost release call around <paramref name="span"/>.</summary>
    public static ReleaseSite? Find(SemanticModel model, SyntaxNode root, TextSpan span, CancellationToken cancellationToken)
    {
        foreach (var invocation in root.FindNode(span, getInnermostNodeForTie: true).AncestorsAndSelf().OfType<InvocationExpressionSyntax>())
        {
            if (model.GetOperation(invocation, cancellationToken) is not IInvocationOperation call)
                continue;
            var annotation = VmapAnnotations.GetUnmaps(call.TargetMethod);
            if (annotation is null)
                continue;
            var address = Argument(call, annotation.AddressParameter);
            var statement = invocation.FirstAncestorOrSelf<StatementSyntax>();
            if (address is null || statement is null)
                return null;
            var count = annotation.CountParameter is null ? null : Argument(call, annotation.CountParameter);
            return new ReleaseSite(invocation, call, annotation, address, count, statement);
        }

        return null;
    }

    public static IArgumentOperation? Argument(IInvocationOperation call, IParameterSymbol parameter)
        => call.Arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.OriginalDefinition, parameter.OriginalDefinition));

    /// <summary>The local or parameter an operand reads, looking through conversions.</summary>
    public static ISymbol? Variable(IOperation operation)
    {
        while (operation is IConversionOperation conversion)
            operation = conversion.Operand;
        return operation switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            _ => null,
        };
    }
}
