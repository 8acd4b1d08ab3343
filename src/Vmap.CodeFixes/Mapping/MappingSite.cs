using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Vmap.CodeFixes.Mapping;

/// <summary>
/// The statement that put a mapping into a local, parameter or field, the acquire call in it, and
/// the statements that may run between it and the place a fix edits.
/// </summary>
/// <param name="Between">Whole statements that may execute after the mapping and before the later statement.</param>
internal sealed record MappingSite(StatementSyntax Statement, IInvocationOperation Call, MapsAnnotation Annotation, ImmutableArray<StatementSyntax> Between)
{
    /// <summary>
    /// The mapping the analyzer named at <paramref name="location"/> (the acquire call, or an
    /// argument of it), provided it is what <paramref name="variable"/> holds at
    /// <paramref name="use"/>: the reaching-write pass only confirms that no other statement
    /// writes the variable in between.
    /// </summary>
    public static MappingSite? FromLocation(SemanticModel model, SyntaxNode root, Location location, ISymbol variable, StatementSyntax use, CancellationToken cancellationToken)
    {
        if (location.SourceTree != root.SyntaxTree || !root.FullSpan.Contains(location.SourceSpan))
        {
            return null;
        }

        var node = root.FindNode(location.SourceSpan, getInnermostNodeForTie: true);
        if (node.AncestorsAndSelf().OfType<InvocationExpressionSyntax>().FirstOrDefault(i => model.GetOperation(i, cancellationToken) is IInvocationOperation call
                && PairFacts.GetMaps(model.Compilation, call.TargetMethod) is not null) is not { } acquire
            || acquire.FirstAncestorOrSelf<StatementSyntax>() is not { } statement)
        {
            return null;
        }

        var write = ReachingWrite.Find(model, variable, use, cancellationToken);
        if (write is null || write.Statement != statement)
        {
            return null;
        }

        var site = Create(model, statement, variable, write.Between, cancellationToken);
        return site?.Call.Syntax == acquire ? site : null;
    }

    /// <summary>The mapping that reaches <paramref name="use"/> in <paramref name="variable"/>; see <see cref="ReachingWrite"/>.</summary>
    public static MappingSite? FindReaching(SemanticModel model, ISymbol variable, StatementSyntax use, CancellationToken cancellationToken)
    {
        var write = ReachingWrite.Find(model, variable, use, cancellationToken);
        return write is null ? null : Create(model, write.Statement, variable, write.Between, cancellationToken);
    }

    /// <summary>The same mapping, with <paramref name="between"/> running before the place where it is used.</summary>
    public MappingSite WithBetween(ImmutableArray<StatementSyntax> between) => this with { Between = Between.AddRange(between) };

    /// <summary>The mapping <paramref name="statement"/> stores in <paramref name="variable"/>, with <paramref name="between"/> running after it.</summary>
    public static MappingSite? At(SemanticModel model, StatementSyntax statement, ISymbol variable, ImmutableArray<StatementSyntax> between, CancellationToken cancellationToken)
        => Create(model, statement, variable, between, cancellationToken);

    private static MappingSite? Create(SemanticModel model, StatementSyntax statement, ISymbol variable, ImmutableArray<StatementSyntax> between, CancellationToken cancellationToken)
    {
        foreach (var invocation in MappingCalls(statement))
        {
            if (model.GetOperation(invocation, cancellationToken) is not IInvocationOperation call)
            {
                continue;
            }

            var annotation = PairFacts.GetMaps(model.Compilation, call.TargetMethod);
            if (annotation is null || !Receives(model, invocation, call, annotation, variable, cancellationToken))
            {
                continue;
            }

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
                    if (Unwrap(variable.Initializer?.Value) is InvocationExpressionSyntax initializer)
                    {
                        yield return initializer;
                    }
                }

                break;
            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } assignment }
                when Unwrap(assignment.Right) is InvocationExpressionSyntax right:
                yield return right;
                break;
            case ExpressionStatementSyntax { Expression: InvocationExpressionSyntax call }:
                yield return call;
                break;
            case IfStatementSyntax ifStatement:
                var condition = ifStatement.Condition;
                while (condition is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalNotExpression } not)
                {
                    condition = not.Operand;
                }

                if (condition is InvocationExpressionSyntax tryCall)
                {
                    yield return tryCall;
                }

                break;
        }
    }

    /// <summary>Looks through a cast (<c>(byte*)NativeMemory.Alloc(n)</c>), which changes the type, not the block.</summary>
    private static ExpressionSyntax? Unwrap(ExpressionSyntax? expression)
    {
        while (expression is CastExpressionSyntax or ParenthesizedExpressionSyntax)
        {
            expression = expression is CastExpressionSyntax cast ? cast.Expression : ((ParenthesizedExpressionSyntax)expression).Expression;
        }

        return expression;
    }

    private static bool Receives(SemanticModel model, InvocationExpressionSyntax invocation, IInvocationOperation call, MapsAnnotation annotation, ISymbol variable, CancellationToken cancellationToken)
    {
        if (annotation.OutParameter is null)
        {
            SyntaxNode stored = invocation;
            while (stored.Parent is CastExpressionSyntax or ParenthesizedExpressionSyntax)
            {
                stored = stored.Parent;
            }

            return stored.Parent switch
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
