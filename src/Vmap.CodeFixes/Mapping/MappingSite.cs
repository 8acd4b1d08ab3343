using Microsoft.CodeAnalysis.Operations;

namespace Vmap.CodeFixes.Mapping;

/// <summary>
/// The statement that put a mapping into a local or parameter, found only when it is the one
/// definition that can reach a later statement, and the statements that may run in between.
/// </summary>
internal sealed class MappingSite
{
    private MappingSite(StatementSyntax statement, IInvocationOperation call, MapsAnnotation annotation, ImmutableArray<StatementSyntax> between)
    {
        Statement = statement;
        Call = call;
        Annotation = annotation;
        Between = between;
    }

    public StatementSyntax Statement { get; }

    public IInvocationOperation Call { get; }

    public MapsAnnotation Annotation { get; }

    /// <summary>Whole statements that may execute after the mapping and before the later statement.</summary>
    public ImmutableArray<StatementSyntax> Between { get; }

    /// <summary>The mapping that reaches <paramref name="use"/> in <paramref name="variable"/>; see <see cref="ReachingWrite"/>.</summary>
    public static MappingSite? FindReaching(SemanticModel model, ISymbol variable, StatementSyntax use, CancellationToken cancellationToken)
    {
        var write = ReachingWrite.Find(model, variable, use, cancellationToken);
        return write is null ? null : Create(model, write.Statement, variable, write.Between, cancellationToken);
    }

    /// <summary>The same mapping, with <paramref name="between"/> running before the place where it is used.</summary>
    public MappingSite WithBetween(ImmutableArray<StatementSyntax> between) => new(Statement, Call, Annotation, Between.AddRange(between));

    /// <summary>The mapping <paramref name="statement"/> stores in <paramref name="variable"/>, with <paramref name="between"/> running after it.</summary>
    public static MappingSite? At(SemanticModel model, StatementSyntax statement, ISymbol variable, ImmutableArray<StatementSyntax> between, CancellationToken cancellationToken)
        => Create(model, statement, variable, between, cancellationToken);

    private static MappingSite? Create(SemanticModel model, StatementSyntax statement, ISymbol variable, ImmutableArray<StatementSyntax> between, CancellationToken cancellationToken)
    {
        foreach (var invocation in MappingCalls(statement))
        {
            if (model.GetOperation(invocation, cancellationToken) is not IInvocationOperation call)
                continue;
            var annotation = VmapAnnotations.GetMaps(call.TargetMethod);
            if (annotation is null || !Receives(model, invocation, call, annotation, variable, cancellationToken))
                continue;
            return new MappingSite(statement, call, annotation, between);
        }

        return null;
    }

    /// <summary>Invocations whose result or out argument the statement stores, not any call in it.</summary>
    private static IEnumerable<InvocationExpressionSyntax> MappingCalls(StatementSyntax statement)
    {
        switch (statement)
        {
            case LocalDeclarationStatementSyntax declaration:
                foreach (var variable in declaration.Declaration.Variables)
                {
                    if (variable.Initializer?.Value is InvocationExpressionSyntax initializer)
                        yield return initializer;
                }

                break;
            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression, Right: InvocationExpressionSyntax right } }:
                yield return right;
                break;
            case ExpressionStatementSyntax { Expression: InvocationExpressionSyntax call }:
                yield return call;
                break;
            case IfStatementSyntax ifStatement:
                var condition = ifStatement.Condition;
                while (condition is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalNotExpression } not)
                    condition = not.Operand;
                if (condition is InvocationExpressionSyntax tryCall)
                    yield return tryCall;
                break;
        }
    }

    private static bool Receives(SemanticModel model, InvocationExpressionSyntax invocation, IInvocationOperation call, MapsAnnotation annotation, ISymbol variable, CancellationToken cancellationToken)
    {
        if (annotation.OutParameter is null)
        {
            return invocation.Parent switch
            {
                EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator }
                    => SymbolEqualityComparer.Default.Equals(model.GetDeclaredSymbol(declarator, cancellationToken), variable),
                AssignmentExpressionSyntax assignment
                    => SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol, variable),
                _ => false,
            };
        }

        var outArgument = call.Arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.OriginalDefinition, annotation.OutParameter));
        var received = outArgument?.Value is IDeclarationExpressionOperation declaration ? declaration.Expression : outArgument?.Value;
        return received switch
        {
            ILocalReferenceOperation local => SymbolEqualityComparer.Default.Equals(local.Local, variable),
            IParameterReferenceOperation parameter => SymbolEqualityComparer.Default.Equals(parameter.Parameter, variable),
            _ => false,
        };
    }
}
