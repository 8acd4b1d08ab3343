using System.Composition;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Formatting;

namespace Vmap.CodeFixes;

/// <summary>
/// VMAP001, local: keeps the mapped address in its own local. Either a copy just before the one
/// reassignment, released instead of the variable (which keeps its new meaning for every other
/// use), or, when the variable is walked through the mapping (<c>block += IntPtr.Size</c> in a
/// loop), a cursor that does the walking while the variable keeps the start.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(VMAP001_KeepMappedAddressInLocalFix)), Shared]
public sealed class VMAP001_KeepMappedAddressInLocalFix : VmapCodeFixProvider
{
    private protected override string DiagnosticId => RuleIds.VMAP001;

    private protected override PlannedEdit? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (!FixProperties.IsLocalShape(diagnostic) || diagnostic.AdditionalLocations.Count == 0
            || diagnostic.AdditionalLocations[0].SourceTree != root.SyntaxTree)
        {
            return null;
        }

        var release = ReleaseSite.Find(model, root, diagnostic.Location.SourceSpan, cancellationToken);
        if (release?.AddressVariable is not { } variable || release.AddressSyntax is not IdentifierNameSyntax address)
        {
            return null;
        }

        // AdditionalLocations[0] is the reassignment (p = q, p += 64).
        var reassigned = root.FindNode(diagnostic.AdditionalLocations[0].SourceSpan, getInnermostNodeForTie: true);
        return CopyBeforeReassignment(model, release, variable, address, reassigned, cancellationToken)
            ?? Cursor(model, release, variable, reassigned, cancellationToken);
    }

    /// <summary>
    /// <c>var mappedP = p; p += 64; ...; Unmap(mappedP)</c>: the reassignment the analyzer named
    /// must be the only write that reaches the release, a statement of its own, and itself be
    /// reached by the mapping alone; then the copy holds the mapped address on every path that
    /// gets to the release.
    /// </summary>
    private static PlannedEdit? CopyBeforeReassignment(SemanticModel model, ReleaseSite release, ISymbol variable, IdentifierNameSyntax address, SyntaxNode reassigned, CancellationToken cancellationToken)
    {
        if (reassigned.FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { Parent: BlockSyntax } statement
            || ReachingWrite.Find(model, variable, release.Statement, cancellationToken)?.Statement != statement
            || MappingSite.FindReaching(model, variable, statement, cancellationToken) is not { } mapping
            || mapping.Annotation.Family != release.Annotation.Family)
        {
            return null;
        }

        var name = UniqueName(model, statement, "mapped" + char.ToUpperInvariant(variable.Name[0]) + variable.Name.Substring(1), cancellationToken);
        var copy = Declare(name, SyntaxFactory.IdentifierName(variable.Name));

        return new PlannedEdit(
            "Keep the mapped address in its own local",
            r =>
            {
                var tracked = r.TrackNodes(statement, address);
                tracked = tracked.ReplaceNode(tracked.GetCurrentNode(address)!, SyntaxFactory.IdentifierName(name).WithTriviaFrom(address));
                return tracked.InsertNodesBefore(tracked.GetCurrentNode(statement)!, new[] { copy });
            });
    }

    /// <summary>
    /// <c>var block = Alloc(n); var cursor = block; while (..) { cursor += IntPtr.Size; } Free(block)</c>:
    /// the local keeps the start, every statement between the mapping and the release walks a
    /// cursor instead. Offered when the mapping declares the local and the release is a later
    /// statement of the same block, the statements in between only offset the local (<c>+=</c>,
    /// <c>-=</c>, <c>++</c>, <c>--</c>, <c>p = p + k</c>: never a new value, a release or a
    /// <c>ref</c>), and nothing after the release reads it. Renaming inside those statements keeps
    /// everything they do; only the release changes, and on a path that never offset the local it
    /// releases the same address as before.
    /// </summary>
    private static PlannedEdit? Cursor(SemanticModel model, ReleaseSite release, ISymbol variable, SyntaxNode reassigned, CancellationToken cancellationToken)
    {
        if (variable is not ILocalSymbol local || local.IsRef || local.DeclaringSyntaxReferences.Length != 1
            || local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Parent.Parent: LocalDeclarationStatementSyntax { Parent: BlockSyntax block } declaration }
            || release.Statement is not ExpressionStatementSyntax { Expression: var expression } || expression != release.Syntax || release.Statement.Parent != block)
        {
            return null;
        }

        var from = block.Statements.IndexOf(declaration);
        var to = block.Statements.IndexOf(release.Statement);
        var between = block.Statements.Skip(from + 1).Take(to - from - 1).ToList();
        if (from < 0 || to <= from + 1 || !between.Any(s => s.Span.Contains(reassigned.Span))
            || MappingSite.At(model, declaration, variable, between.ToImmutableArray(), cancellationToken) is not { } mapping
            || mapping.Annotation.Family != release.Annotation.Family)
        {
            return null;
        }

        var uses = References(model, between, variable, cancellationToken);
        if (uses.Any(u => !OnlyOffsets(u) || u.Ancestors().Any(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            || between.SelectMany(s => s.DescendantNodesAndSelf()).Any(n => n is LabeledStatementSyntax)
            || Releases(model, between, variable, cancellationToken)
            || References(model, block.Statements.Skip(to + 1), variable, cancellationToken).Count > 0
            || References(model, new[] { release.Statement }, variable, cancellationToken).Count != 1)
        {
            return null;
        }

        var name = UniqueName(model, declaration, "cursor", cancellationToken);
        var cursor = Declare(name, SyntaxFactory.IdentifierName(variable.Name));
        return new PlannedEdit(
            "Keep the mapped start in its own local and advance a cursor",
            r =>
            {
                var tracked = r.TrackNodes(uses.Cast<SyntaxNode>().Append(declaration));
                foreach (var use in uses)
                {
                    var current = tracked.GetCurrentNode(use)!;
                    tracked = tracked.ReplaceNode(current, SyntaxFactory.IdentifierName(name).WithTriviaFrom(current));
                }

                return tracked.InsertNodesAfter(tracked.GetCurrentNode(declaration)!, new[] { cursor });
            });
    }

    private static List<IdentifierNameSyntax> References(SemanticModel model, IEnumerable<StatementSyntax> statements, ISymbol variable, CancellationToken cancellationToken)
        => statements.SelectMany(s => s.DescendantNodesAndSelf()).OfType<IdentifierNameSyntax>()
            .Where(i => i.Identifier.ValueText == variable.Name && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(i, cancellationToken).Symbol, variable))
            .ToList();

    private static bool Releases(SemanticModel model, IEnumerable<StatementSyntax> statements, ISymbol variable, CancellationToken cancellationToken)
        => statements.SelectMany(s => s.DescendantNodesAndSelf()).OfType<InvocationExpressionSyntax>()
            .Any(i => ReleaseSite.Find(model, i, i.Span, cancellationToken) is { } site && site.Syntax == i);

    /// <summary>A read, or a write that moves the pointer by an offset of its own value.</summary>
    private static bool OnlyOffsets(IdentifierNameSyntax use)
    {
        SyntaxNode node = use;
        while (node.Parent is ParenthesizedExpressionSyntax)
        {
            node = node.Parent;
        }

        return node.Parent switch
        {
            AssignmentExpressionSyntax assignment when assignment.Left == node
                => assignment.IsKind(SyntaxKind.AddAssignmentExpression) || assignment.IsKind(SyntaxKind.SubtractAssignmentExpression)
                    || assignment.IsKind(SyntaxKind.SimpleAssignmentExpression) && assignment.Right is BinaryExpressionSyntax offset
                        && (offset.IsKind(SyntaxKind.AddExpression) || offset.IsKind(SyntaxKind.SubtractExpression))
                        && offset.Left is IdentifierNameSyntax self && self.Identifier.ValueText == use.Identifier.ValueText,
            PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } => true,
            PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.AddressOfExpression } => false,
            ArgumentSyntax argument => argument.RefKindKeyword.IsKind(SyntaxKind.None) || argument.RefKindKeyword.IsKind(SyntaxKind.InKeyword),
            _ => true,
        };
    }

    private static LocalDeclarationStatementSyntax Declare(string name, ExpressionSyntax value)
        => SyntaxFactory.LocalDeclarationStatement(
                SyntaxFactory.VariableDeclaration(
                    SyntaxFactory.IdentifierName("var"),
                    SyntaxFactory.SingletonSeparatedList(
                        SyntaxFactory.VariableDeclarator(name).WithInitializer(SyntaxFactory.EqualsValueClause(value)))))
            .WithTrailingTrivia(SyntaxFactory.ElasticLineFeed)
            .WithAdditionalAnnotations(Formatter.Annotation);

    /// <summary>A name no local, parameter or member in scope anywhere in the enclosing member uses.</summary>
    private static string UniqueName(SemanticModel model, SyntaxNode at, string preferred, CancellationToken cancellationToken)
    {
        var member = at.FirstAncestorOrSelf<MemberDeclarationSyntax>() ?? at;
        var taken = new HashSet<string>(member.DescendantNodes().Select(n => n switch
        {
            VariableDeclaratorSyntax v => v.Identifier.ValueText,
            SingleVariableDesignationSyntax d => d.Identifier.ValueText,
            ParameterSyntax p => p.Identifier.ValueText,
            ForEachStatementSyntax f => f.Identifier.ValueText,
            CatchDeclarationSyntax c => c.Identifier.ValueText,
            _ => string.Empty,
        }));
        foreach (var symbol in model.LookupSymbols(at.SpanStart))
            taken.Add(symbol.Name);
        cancellationToken.ThrowIfCancellationRequested();

        var name = preferred;
        for (var suffix = 2; taken.Contains(name); suffix++)
            name = preferred + suffix;
        return name;
    }
}
