using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Vmap.CodeFixes.Mapping;

/// <summary>The one statement whose write to a variable reaches a later statement, and what runs in between.</summary>
/// <param name="Between">Whole statements that may execute after the write and before the later statement.</param>
internal sealed record ReachingWrite(StatementSyntax Statement, ImmutableArray<StatementSyntax> Between)
{
    /// <summary>
    /// Walks back from <paramref name="use"/> through its enclosing blocks to the first statement
    /// that writes <paramref name="variable"/>; null when the write that reaches the use is not a
    /// single statement before it (a catch or finally clause, a loop that writes it, a lambda).
    /// Loops around <paramref name="use"/> count as "in between" as a whole, because a later
    /// iteration runs after the use too.
    /// </summary>
    public static ReachingWrite? Find(SemanticModel model, ISymbol variable, StatementSyntax use, CancellationToken cancellationToken)
    {
        var between = ImmutableArray.CreateBuilder<StatementSyntax>();
        SyntaxNode node = use;
        while (node.Parent is { } parent)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (parent)
            {
                case BlockSyntax block:
                    for (var i = block.Statements.IndexOf((StatementSyntax)node) - 1; i >= 0; i--)
                    {
                        var statement = block.Statements[i];
                        if (DataFlow.Writes(model, statement, variable))
                        {
                            return new ReachingWrite(statement, between.ToImmutable());
                        }

                        between.Add(statement);
                    }

                    break;
                case IfStatementSyntax ifStatement when ifStatement.Statement == node:
                    if (DataFlow.Writes(model, ifStatement.Condition, variable))
                    {
                        return new ReachingWrite(ifStatement, between.ToImmutable());
                    }

                    break;
                case IfStatementSyntax ifStatement:
                    if (DataFlow.Writes(model, ifStatement.Condition, variable))
                    {
                        return null;
                    }

                    break;
                case UsingStatementSyntax usingStatement:
                    if (usingStatement.Declaration is { } resource ? DataFlow.WritesAny(model, resource.Variables.Select(v => v.Initializer?.Value), variable)
                        : usingStatement.Expression is { } expression && DataFlow.Writes(model, expression, variable))
                    {
                        return null;
                    }

                    break;
                case LockStatementSyntax lockStatement:
                    if (DataFlow.Writes(model, lockStatement.Expression, variable))
                    {
                        return null;
                    }

                    break;
                case ElseClauseSyntax or CheckedStatementSyntax or UnsafeStatementSyntax or LabeledStatementSyntax:
                    break;
                case TryStatementSyntax tryStatement when tryStatement.Block == node:
                    break;
                case FinallyClauseSyntax { Parent: TryStatementSyntax guarded }:
                    // A finally runs after some prefix of its try (and of a catch): the write before
                    // the try reaches it when neither of them writes the variable, and both count as
                    // running in between (the release in a finally after "p = Map(...)" is the
                    // canonical form, issue 24 §3).
                    if (DataFlow.Writes(model, guarded.Block, variable) || guarded.Catches.Any(c => DataFlow.Writes(model, c, variable)))
                    {
                        return null;
                    }

                    between.Add(guarded.Block);
                    foreach (var handler in guarded.Catches)
                    {
                        between.Add(handler.Block);
                    }

                    node = guarded;
                    continue;
                case WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or CommonForEachStatementSyntax:
                    if (DataFlow.Writes(model, parent, variable))
                    {
                        return null;
                    }

                    between.Add((StatementSyntax)parent);
                    break;
                default:
                    // A catch or finally clause, a switch section, a lambda or the member itself: the
                    // reaching definition is not a single statement before us.
                    return null;
            }

            node = parent;
        }

        return null;
    }
}
