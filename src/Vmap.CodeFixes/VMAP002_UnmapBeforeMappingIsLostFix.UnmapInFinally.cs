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
using Microsoft.CodeAnalysis.Operations;
using Vmap.CodeFixes.Mapping;

namespace Vmap.CodeFixes;

// One of the rule's edits (the provider is in the file without a suffix).
// VMAP002, out of scope: wraps everything after the mapping's declaration, to the end of its block,
// in try/finally and releases the mapping in the finally, so no path (early return, throw) loses it.
public sealed partial class VMAP002_UnmapBeforeMappingIsLostFix
{
    private static PlannedEdit? UnmapInFinally(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (!FixProperties.IsOutOfScope(diagnostic) || !TryFindDeclaration(root, model, diagnostic, cancellationToken, out var declaration, out var variable))
        {
            return null;
        }

        if (declaration.Parent is not BlockSyntax block)
        {
            return null;
        }

        var index = block.Statements.IndexOf(declaration);
        var body = block.Statements.Skip(index + 1).ToList();
        if (body.Count == 0)
        {
            return null;
        }
        // The primary location is the map call; it must be the declaration's and reach the body.
        var mapping = MappingSite.FromLocation(model, root, diagnostic.Location, variable, body[0], cancellationToken);
        if (mapping is null || mapping.Statement != declaration)
        {
            return null;
        }

        // A release that already ends the block moves into the finally; a release anywhere else
        // would run twice once the finally releases too.
        var releases = Releases(model, body, variable, cancellationToken).ToList();
        StatementSyntax release;
        var closing = releases.Count == 1 ? ClosingIndex(model, body, releases[0].Statement, variable, cancellationToken) : -1;
        if (closing >= 0 && releases[0].Statement is ExpressionStatementSyntax && releases[0].Annotation.Family == mapping.Annotation.Family)
        {
            release = releases[0].Statement;
            body.RemoveAt(closing);
            if (body.Count == 0 || !MeansTheSameInFinally(model, release, body, cancellationToken))
            {
                return null;
            }
        }
        else if (releases.Count == 0)
        {
            var built = ReleaseStatements.Build(model, mapping.WithBetween(body.ToImmutableArray()), SyntaxFactory.IdentifierName(variable.Name), declaration.Span.End, cancellationToken);
            if (built is null)
            {
                return null;
            }

            release = built;
        }
        else
        {
            return null;
        }

        if (!OnlyBorrowed(model, body, variable, mapping, cancellationToken))
        {
            return null;
        }

        var tryStatement = SyntaxFactory.TryStatement(
                SyntaxFactory.Block(body.Select(s => s.WithoutLeadingTrivia().WithLeadingTrivia(s.GetLeadingTrivia().Where(t => !t.IsKind(SyntaxKind.WhitespaceTrivia))))),
                default,
                SyntaxFactory.FinallyClause(SyntaxFactory.Block(release.WithoutLeadingTrivia().WithTrailingTrivia(SyntaxFactory.ElasticLineFeed))))
            .WithTrailingTrivia(body[body.Count - 1].GetTrailingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);
        return new PlannedEdit(FixProperties.ReleaseWord(diagnostic) + " in finally", r =>
        {
            var newBlock = block.WithStatements(SyntaxFactory.List(
                block.Statements.Take(index + 1).Append(tryStatement)));
            return r.ReplaceNode(block, newBlock);
        });
    }

    /// <summary>
    /// Where the release that ends the block stands: last, or just before a closing
    /// <c>return value;</c> whose value is a side-effect free expression that does not read the
    /// mapping (the return then stays in the try and is evaluated before the finally releases,
    /// as before). -1 when the release does not close the block.
    /// </summary>
    private static int ClosingIndex(SemanticModel model, List<StatementSyntax> body, StatementSyntax release, ISymbol variable, CancellationToken cancellationToken)
    {
        if (body[body.Count - 1] == release)
        {
            return body.Count - 1;
        }

        if (body.Count >= 2 && body[body.Count - 2] == release && body[body.Count - 1] is ReturnStatementSyntax { Expression: var value }
            && (value is null || value.DescendantNodesAndSelf().All(Reevaluation.IsAllowedShape)
                && !value.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(i => SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(i, cancellationToken).Symbol, variable))))
        {
            return body.Count - 2;
        }

        return -1;
    }

    private static bool TryFindDeclaration(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken, out LocalDeclarationStatementSyntax declaration, out ILocalSymbol variable)
    {
        foreach (var location in new[] { diagnostic.Location }.Concat(diagnostic.AdditionalLocations))
        {
            if (location.SourceTree != root.SyntaxTree)
            {
                continue;
            }

            var node = root.FindNode(location.SourceSpan, getInnermostNodeForTie: true);
            if (node.FirstAncestorOrSelf<LocalDeclarationStatementSyntax>() is { Declaration.Variables: { Count: 1 } variables } found
                && model.GetDeclaredSymbol(variables[0], cancellationToken) is ILocalSymbol local)
            {
                declaration = found;
                variable = local;
                return true;
            }
        }

        declaration = null!;
        variable = null!;
        return false;
    }

    private static IEnumerable<ReleaseSite> Releases(SemanticModel model, IEnumerable<StatementSyntax> statements, ISymbol variable, CancellationToken cancellationToken)
    {
        foreach (var invocation in statements.SelectMany(s => s.DescendantNodesAndSelf()).OfType<InvocationExpressionSyntax>())
        {
            var site = ReleaseSite.Find(model, invocation, invocation.Span, cancellationToken);
            if (site?.Syntax == invocation && SymbolEqualityComparer.Default.Equals(site.AddressVariable, variable))
            {
                yield return site;
            }
        }
    }

    /// <summary>
    /// Inside the wrapped statements the mapping may only be read: compared, offset, or passed by
    /// value to the allocator that mapped it (to get a span, say). Returning it, storing it, writing
    /// it, capturing it in a lambda or passing it to any other code could hand ownership away, and
    /// the finally would then release memory someone else owns.
    /// </summary>
    private static bool OnlyBorrowed(SemanticModel model, IReadOnlyList<StatementSyntax> body, ILocalSymbol variable, MappingSite mapping, CancellationToken cancellationToken)
    {
        if (DataFlow.WritesAny(model, body, variable))
        {
            return false;
        }

        var allocator = mapping.Call.TargetMethod.ContainingType;
        foreach (var identifier in body.SelectMany(s => s.DescendantNodes()).OfType<IdentifierNameSyntax>())
        {
            if (identifier.Identifier.ValueText != variable.Name
                || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, variable))
            {
                continue;
            }

            if (identifier.Ancestors().Any(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            {
                return false;
            }

            SyntaxNode use = identifier;
            while (use.Parent is BinaryExpressionSyntax or ParenthesizedExpressionSyntax or CastExpressionSyntax)
            {
                use = use.Parent;
            }

            if (use != identifier && IsComparisonOrArithmeticCondition(use))
            {
                continue;
            }

            if (IsDereference(model, use, allocator, cancellationToken))
            {
                continue;
            }

            if (use.Parent is ArgumentSyntax { RefKindKeyword.RawKind: (int)SyntaxKind.None } argument
                && argument.Parent?.Parent is InvocationExpressionSyntax invocation
                && model.GetOperation(invocation, cancellationToken) is IInvocationOperation call
                && (SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, allocator) || PairFacts.IsApiOwner(model.Compilation, call.TargetMethod.ContainingType))
                && PairFacts.GetUnmaps(model.Compilation, call.TargetMethod) is null)
            {
                continue;
            }

            return false;
        }

        return true;
    }

    /// <summary>
    /// The release read its arguments at the end of the block; in the finally it reads them on
    /// every exit. That is the same only if nothing it reads is declared or written in the wrapped
    /// statements (else it would not compile, or would release with another count).
    /// </summary>
    private static bool MeansTheSameInFinally(SemanticModel model, StatementSyntax release, IReadOnlyList<StatementSyntax> body, CancellationToken cancellationToken)
    {
        foreach (var identifier in release.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            var symbol = model.GetSymbolInfo(identifier, cancellationToken).Symbol;
            if (symbol is ILocalSymbol or IParameterSymbol && DataFlow.WritesAny(model, body, symbol))
            {
                return false;
            }

            if (symbol is ILocalSymbol local && local.DeclaringSyntaxReferences.Any(r => body.Any(b => b.Span.Contains(r.Span))))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Reading or writing through the block (<c>*p</c>, <c>p[i]</c>, <c>p-&gt;x</c>) or asking the
    /// handle about itself (<c>handle.AddrOfPinnedObject()</c>, <c>handle.Target</c>): the block is
    /// used, not handed on.
    /// </summary>
    private static bool IsDereference(SemanticModel model, SyntaxNode use, ITypeSymbol allocator, CancellationToken cancellationToken)
    {
        switch (use.Parent)
        {
            case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PointerIndirectionExpression }:
                return true;
            case ElementAccessExpressionSyntax element when element.Expression == use:
                return model.GetTypeInfo(use, cancellationToken).Type is IPointerTypeSymbol;
            case MemberAccessExpressionSyntax access when access.Expression == use:
                if (access.IsKind(SyntaxKind.PointerMemberAccessExpression))
                {
                    return true;
                }

                var member = model.GetSymbolInfo(access, cancellationToken).Symbol;
                return member is IPropertySymbol or IMethodSymbol && !member.IsStatic
                    && SymbolEqualityComparer.Default.Equals(member.ContainingType, allocator)
                    && !(member is IMethodSymbol method && PairFacts.GetUnmaps(model.Compilation, method) is not null)
                    && member.Name != "ToIntPtr";
            default:
                return false;
        }
    }

    private static bool IsComparisonOrArithmeticCondition(SyntaxNode use)
        => use is BinaryExpressionSyntax binary && (binary.IsKind(SyntaxKind.EqualsExpression) || binary.IsKind(SyntaxKind.NotEqualsExpression)
            || binary.IsKind(SyntaxKind.LessThanExpression) || binary.IsKind(SyntaxKind.GreaterThanExpression)
            || binary.IsKind(SyntaxKind.LessThanOrEqualExpression) || binary.IsKind(SyntaxKind.GreaterThanOrEqualExpression));
}
