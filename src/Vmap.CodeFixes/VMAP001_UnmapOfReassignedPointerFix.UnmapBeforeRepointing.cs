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
using Microsoft.CodeAnalysis.Simplification;
using Vmap.CodeFixes.Mapping;

namespace Vmap.CodeFixes;

// One of the rule's edits (the provider is in the file without a suffix).
// VMAP001, field: before a field that holds a mapping is re-pointed, runs the type's own release
// path (the guarded release of the field found in the method that unmaps it), rewritten for the
// object being re-pointed, and clears the flag that path tests — what XFS's fix did for
// XFS_BUF_SET_PTR: unmap, drop XBF_MAPPED, then point b_addr elsewhere.
public sealed partial class VMAP001_UnmapOfReassignedPointerFix
{
    private static async Task<PlannedEdit?> UnmapBeforeRepointingAsync(Document document, SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (!FixProperties.IsFieldShape(diagnostic))
        {
            return null;
        }

        var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        if (node.FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { Expression: AssignmentExpressionSyntax assignment, Parent: BlockSyntax } statement
            || !assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)
            || model.GetOperation(assignment.Left, cancellationToken) is not IFieldReferenceOperation { Field.IsStatic: false } target)
        {
            return null;
        }

        // Releasing first is the same program only if the new value does not read the old one.
        if (assignment.Right.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>()
            .Any(i => SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(i, cancellationToken).Symbol, target.Field)))
        {
            return null;
        }

        var path = await FindReleasePathAsync(document, model, diagnostic, target.Field, cancellationToken).ConfigureAwait(false);
        if (path is null)
        {
            return null;
        }

        // Null stands for the implicit 'this' of a re-pointing written as '_addr = ...'.
        var receiver = target.Instance is IInstanceReferenceOperation { IsImplicit: true } || target.Instance is null
            ? null
            : ((MemberAccessExpressionSyntax)assignment.Left).Expression.WithoutTrivia();
        var guarded = path.Rebase(receiver, FixProperties.FlagMember(diagnostic));
        if (guarded is null || !ReleasePath.BindsAlike(model, statement.SpanStart, guarded, cancellationToken))
        {
            return null;
        }

        var inserted = guarded.WithTrailingTrivia(SyntaxFactory.ElasticLineFeed).WithAdditionalAnnotations(Formatter.Annotation);
        return new PlannedEdit(FixProperties.ReleaseWord(diagnostic) + " before re-pointing", r => r.InsertNodesBefore(statement, new[] { inserted }));
    }

    /// <summary>The release named by the diagnostic's additional locations, else the only release of the field in the project.</summary>
    private static async Task<ReleasePath?> FindReleasePathAsync(Document document, SemanticModel model, Diagnostic diagnostic, IFieldSymbol field, CancellationToken cancellationToken)
    {
        foreach (var location in diagnostic.AdditionalLocations)
        {
            var other = location.SourceTree is null ? null : document.Project.GetDocument(location.SourceTree);
            if (other is null)
            {
                continue;
            }

            var path = await ReleasePath.FindAsync(other, location.SourceSpan, field, cancellationToken).ConfigureAwait(false);
            if (path is not null)
            {
                return path;
            }
        }

        ReleasePath? only = null;
        foreach (var candidate in document.Project.Documents)
        {
            var text = await candidate.GetTextAsync(cancellationToken).ConfigureAwait(false);
            if (!text.ToString().Contains(field.Name))
            {
                continue;
            }

            var root = await candidate.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            foreach (var invocation in root?.DescendantNodes().OfType<InvocationExpressionSyntax>() ?? Enumerable.Empty<InvocationExpressionSyntax>())
            {
                var path = await ReleasePath.FindAsync(candidate, invocation.Span, field, cancellationToken).ConfigureAwait(false);
                if (path is null || path.Release.Syntax != invocation)
                {
                    continue;
                }

                if (only is not null)
                {
                    return null;
                }

                only = path;
            }
        }

        return only;
    }

    /// <summary>
    /// A release of <c>owner.Field</c> reached from its method's start through nothing but if
    /// conditions (no loop, no early exit, no write to what the conditions read), so that copying
    /// the conditions and the call runs exactly that release.
    /// </summary>
    private sealed class ReleasePath
    {
        private readonly SemanticModel _model;
        private readonly ISymbol? _owner;
        private readonly IFieldSymbol _field;
        private readonly ImmutableArray<ExpressionSyntax> _guards;

        private ReleasePath(SemanticModel model, ReleaseSite release, ISymbol? owner, IFieldSymbol field, ImmutableArray<ExpressionSyntax> guards)
        {
            _model = model;
            Release = release;
            _owner = owner;
            _field = field;
            _guards = guards;
        }

        public ReleaseSite Release { get; }

        public static async Task<ReleasePath?> FindAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan span, IFieldSymbol field, CancellationToken cancellationToken)
        {
            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            if (root is null || model is null)
            {
                return null;
            }

            var release = ReleaseSite.Find(model, root, span, cancellationToken);
            if (release is null || release.Statement is not ExpressionStatementSyntax { Expression: var expression } || expression != release.Syntax)
            {
                return null;
            }

            var address = release.Address;
            while (address is IConversionOperation conversion)
            {
                address = conversion.Operand;
            }

            if (address is not IFieldReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Field.OriginalDefinition, field.OriginalDefinition))
            {
                return null;
            }

            ISymbol? owner = reference.Instance switch
            {
                IInstanceReferenceOperation => null,
                ILocalReferenceOperation local => local.Local,
                IParameterReferenceOperation parameter => parameter.Parameter,
                _ => field,
            };
            if (SymbolEqualityComparer.Default.Equals(owner, field))
            {
                return null;
            }

            var guards = Guards(model, release.Statement, cancellationToken);
            if (guards is null || guards.Value.Any(g => g.DescendantNodesAndSelf().Any(n => !Reevaluation.IsAllowedShape(n))))
            {
                return null;
            }

            return new ReleasePath(model, release, owner, field, guards.Value);
        }

        private static ImmutableArray<ExpressionSyntax>? Guards(SemanticModel model, StatementSyntax release, CancellationToken cancellationToken)
        {
            var guards = new List<ExpressionSyntax>();
            var before = new List<StatementSyntax>();
            SyntaxNode node = release;
            while (node.Parent is { } parent)
            {
                switch (parent)
                {
                    case BlockSyntax block:
                        before.AddRange(block.Statements.TakeWhile(s => s != node));
                        break;
                    case IfStatementSyntax ifStatement when ifStatement.Statement == node:
                        guards.Insert(0, ifStatement.Condition);
                        break;
                    case BaseMethodDeclarationSyntax or AccessorDeclarationSyntax:
                        return Unaffected(model, guards, before, release, cancellationToken) ? guards.ToImmutableArray() : null;
                    default:
                        return null;
                }

                node = parent;
            }

            return null;
        }

        /// <summary>Nothing before the release jumps away or writes a variable or member the guards or the call read.</summary>
        private static bool Unaffected(SemanticModel model, List<ExpressionSyntax> guards, List<StatementSyntax> before, StatementSyntax release, CancellationToken cancellationToken)
        {
            if (before.SelectMany(s => s.DescendantNodesAndSelf()).Any(n => n is ReturnStatementSyntax or ThrowStatementSyntax or GotoStatementSyntax
                or BreakStatementSyntax or ContinueStatementSyntax or YieldStatementSyntax or ThrowExpressionSyntax or LabeledStatementSyntax))
            {
                return false;
            }

            var read = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            foreach (var identifier in guards.Cast<SyntaxNode>().Append(release).SelectMany(n => n.DescendantNodesAndSelf()).OfType<IdentifierNameSyntax>())
            {
                if (model.GetSymbolInfo(identifier, cancellationToken).Symbol is { } symbol)
                {
                    read.Add(symbol);
                }
            }

            foreach (var write in before.SelectMany(s => s.DescendantNodesAndSelf()))
            {
                var written = write switch
                {
                    AssignmentExpressionSyntax a => a.Left,
                    PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } u => u.Operand,
                    PostfixUnaryExpressionSyntax u => u.Operand,
                    ArgumentSyntax { RefKindKeyword.RawKind: not (int)SyntaxKind.None } arg => arg.Expression,
                    _ => null,
                };
                if (written is not null && model.GetSymbolInfo(written, cancellationToken).Symbol is { } symbol && read.Contains(symbol))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// The guarded release rewritten for <paramref name="receiver"/>: <c>if (guards) { release;
        /// receiver.Flag = false; }</c>. Null unless the guards test exactly one <c>bool</c> flag of
        /// the object besides what the release itself reads: that flag is what the fix clears.
        /// </summary>
        public StatementSyntax? Rebase(ExpressionSyntax? receiver, string? flagName)
        {
            var conjuncts = _guards.SelectMany(Conjuncts).ToList();
            var releaseReads = new HashSet<ISymbol>(Members(Release.Syntax), SymbolEqualityComparer.Default);
            var flags = new List<ISymbol>();
            foreach (var conjunct in conjuncts)
            {
                var flag = AsFlag(conjunct);
                if (flag is not null)
                {
                    flags.Add(flag);
                    continue;
                }

                if (Members(conjunct).Any(m => !releaseReads.Contains(m)))
                {
                    return null;
                }
            }

            // Without a flag to clear, the release path would still run on the re-pointed value
            // and release memory never mapped: unmapping first fixes the leak but not the bug.
            if (flagName is not null)
            {
                flags = flags.Where(f => f.Name == flagName).ToList();
            }

            if (flags.Count != 1)
            {
                return null;
            }

            var statements = new List<StatementSyntax> { SyntaxFactory.ExpressionStatement(RebaseExpression(Release.Syntax, receiver)) };
            foreach (var flag in flags)
            {
                statements.Add(SyntaxFactory.ExpressionStatement(SyntaxFactory.AssignmentExpression(
                    SyntaxKind.SimpleAssignmentExpression,
                    Member(receiver, Expect(SyntaxFactory.IdentifierName(flag.Name), flag)),
                    SyntaxFactory.LiteralExpression(SyntaxKind.FalseLiteralExpression))));
            }

            var condition = conjuncts.Select(c => Parenthesize(RebaseExpression(c, receiver)))
                .Aggregate((left, right) => SyntaxFactory.BinaryExpression(SyntaxKind.LogicalAndExpression, left, right));
            return SyntaxFactory.IfStatement(condition, SyntaxFactory.Block(statements));
        }

        /// <summary>
        /// True when every name copied from the release path means at <paramref name="position"/>
        /// what it meant there (the same allocator, release method, count members and flag).
        /// </summary>
        public static bool BindsAlike(SemanticModel model, int position, StatementSyntax rebased, CancellationToken cancellationToken)
        {
            if (!model.TryGetSpeculativeSemanticModel(position, rebased, out var speculative))
            {
                return false;
            }

            foreach (var node in rebased.GetAnnotatedNodes(ExpectedSymbol))
            {
                var expected = node.GetAnnotations(ExpectedSymbol).First().Data;
                var bound = speculative.GetSymbolInfo(node, cancellationToken).Symbol;
                if (bound is null || SymbolKey(bound.OriginalDefinition) != expected)
                {
                    return false;
                }
            }

            return true;
        }

        private const string ExpectedSymbol = "Vmap.ExpectedSymbol";

        private static T Expect<T>(T node, ISymbol symbol)
            where T : SyntaxNode
            => node.WithAdditionalAnnotations(new SyntaxAnnotation(ExpectedSymbol, SymbolKey(symbol.OriginalDefinition)));

        private static string SymbolKey(ISymbol symbol)
            => symbol.Kind + ":" + symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + ":" + symbol.ContainingSymbol?.ToDisplayString()
                + ":" + string.Join(",", symbol.Locations.Select(l => l.SourceTree?.FilePath + "@" + l.SourceSpan.Start));

        private ExpressionSyntax RebaseExpression(ExpressionSyntax expression, ExpressionSyntax? receiver)
        {
            return expression.ReplaceNodes(
                expression.DescendantNodesAndSelf().Where(n => n is IdentifierNameSyntax or ThisExpressionSyntax),
                (original, rewritten) =>
                {
                    if (original is ThisExpressionSyntax)
                    {
                        return _owner is null ? (receiver ?? SyntaxFactory.ThisExpression()).WithTriviaFrom(original) : rewritten;
                    }

                    var identifier = (IdentifierNameSyntax)original;
                    var symbol = _model.GetSymbolInfo(identifier).Symbol;
                    if (symbol is null)
                    {
                        return rewritten;
                    }

                    if (_owner is not null && SymbolEqualityComparer.Default.Equals(symbol, _owner))
                    {
                        return (receiver ?? SyntaxFactory.ThisExpression()).WithTriviaFrom(original);
                    }

                    if (_owner is null && receiver is not null && !symbol.IsStatic && symbol is IFieldSymbol or IPropertySymbol
                        && SymbolEqualityComparer.Default.Equals(symbol.ContainingType, _field.ContainingType)
                        && !(identifier.Parent is MemberAccessExpressionSyntax access && access.Name == identifier))
                    {
                        return Member(receiver, Expect(identifier.WithoutTrivia(), symbol)).WithTriviaFrom(original);
                    }

                    if (symbol.IsStatic && symbol is IFieldSymbol or IPropertySymbol or IMethodSymbol && symbol.ContainingType is { } type
                        && !(identifier.Parent is MemberAccessExpressionSyntax qualified && qualified.Name == identifier))
                    {
                        // Qualified in full so it binds from another type; the cleanup shortens it again.
                        return SyntaxFactory.MemberAccessExpression(
                                SyntaxKind.SimpleMemberAccessExpression,
                                SyntaxFactory.ParseExpression(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)),
                                Expect(identifier.WithoutTrivia(), symbol))
                            .WithTriviaFrom(original)
                            .WithAdditionalAnnotations(Simplifier.Annotation);
                    }

                    return Expect(rewritten, symbol);
                });
        }

        private static ExpressionSyntax Member(ExpressionSyntax? receiver, SimpleNameSyntax name)
            => receiver is null ? name : SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, receiver, name);

        private static ExpressionSyntax Parenthesize(ExpressionSyntax condition)
            => condition is BinaryExpressionSyntax binary && !binary.IsKind(SyntaxKind.LogicalAndExpression)
                && (binary.IsKind(SyntaxKind.LogicalOrExpression) || binary.IsKind(SyntaxKind.CoalesceExpression))
                || condition is ConditionalExpressionSyntax or AssignmentExpressionSyntax
                ? SyntaxFactory.ParenthesizedExpression(condition)
                : condition;

        private static IEnumerable<ExpressionSyntax> Conjuncts(ExpressionSyntax condition)
        {
            while (condition is ParenthesizedExpressionSyntax parenthesized)
            {
                condition = parenthesized.Expression;
            }

            if (condition is BinaryExpressionSyntax binary && binary.IsKind(SyntaxKind.LogicalAndExpression))
            {
                return Conjuncts(binary.Left).Concat(Conjuncts(binary.Right));
            }

            return new[] { condition };
        }

        /// <summary>A conjunct that is just a settable <c>bool</c> member of the field's type, read on the owner.</summary>
        private ISymbol? AsFlag(ExpressionSyntax conjunct)
        {
            var symbol = _model.GetSymbolInfo(conjunct).Symbol;
            var type = symbol switch
            {
                IFieldSymbol { IsReadOnly: false, IsConst: false, IsStatic: false } f => f.Type,
                IPropertySymbol { SetMethod: not null, IsStatic: false } p => p.Type,
                _ => null,
            };
            if (type?.SpecialType != SpecialType.System_Boolean || !SymbolEqualityComparer.Default.Equals(symbol!.ContainingType, _field.ContainingType))
            {
                return null;
            }

            return conjunct is IdentifierNameSyntax || conjunct is MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax }
                || conjunct is MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax owner } && SymbolEqualityComparer.Default.Equals(_model.GetSymbolInfo(owner).Symbol, _owner)
                ? symbol
                : null;
        }

        /// <summary>Members of the field's type that <paramref name="node"/> reads.</summary>
        private IEnumerable<ISymbol> Members(SyntaxNode node)
            => node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>()
                .Select(i => _model.GetSymbolInfo(i).Symbol)
                .Where(s => s is IFieldSymbol or IPropertySymbol && SymbolEqualityComparer.Default.Equals(s.ContainingType, _field.ContainingType))
                .Cast<ISymbol>();
    }
}
