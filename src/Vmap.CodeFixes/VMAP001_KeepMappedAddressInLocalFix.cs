using System.Composition;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Formatting;

namespace Vmap.CodeFixes;

/// <summary>
/// VMAP001, local: copies the mapped address into its own local just before the reassignment and
/// releases that local, so the reassigned variable keeps its new meaning for every other use.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(VMAP001_KeepMappedAddressInLocalFix)), Shared]
public sealed class VMAP001_KeepMappedAddressInLocalFix : VmapCodeFixProvider
{
    private protected override string DiagnosticId => RuleIds.VMAP001;

    private protected override PlannedEdit? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (!FixProperties.IsLocalShape(diagnostic))
            return null;
        var release = ReleaseSite.Find(model, root, diagnostic.Location.SourceSpan, cancellationToken);
        if (release?.AddressVariable is not { } variable || release.AddressSyntax is not IdentifierNameSyntax address)
            return null;

        // The reassignment must be the only write that reaches the release, a statement of its own,
        // and it must itself be reached by the mapping alone: then the copy holds the mapped address
        // on every path that gets to the release.
        var reassignment = ReachingWrite.Find(model, variable, release.Statement, cancellationToken);
        if (reassignment?.Statement is not ExpressionStatementSyntax { Parent: BlockSyntax } statement
            || MappingSite.FindReaching(model, variable, statement, cancellationToken) is not { } mapping
            || mapping.Annotation.Family != release.Annotation.Family)
            return null;

        var name = UniqueName(model, statement, "mapped" + char.ToUpperInvariant(variable.Name[0]) + variable.Name.Substring(1), cancellationToken);
        var copy = SyntaxFactory.LocalDeclarationStatement(
                SyntaxFactory.VariableDeclaration(
                    SyntaxFactory.IdentifierName("var"),
                    SyntaxFactory.SingletonSeparatedList(
                        SyntaxFactory.VariableDeclarator(name).WithInitializer(SyntaxFactory.EqualsValueClause(SyntaxFactory.IdentifierName(variable.Name))))))
            .WithTrailingTrivia(SyntaxFactory.ElasticLineFeed)
            .WithAdditionalAnnotations(Formatter.Annotation);

        return new PlannedEdit(
            "Keep the mapped address in its own local",
            r =>
            {
                var tracked = r.TrackNodes(statement, address);
                tracked = tracked.ReplaceNode(tracked.GetCurrentNode(address)!, SyntaxFactory.IdentifierName(name).WithTriviaFrom(address));
                return tracked.InsertNodesBefore(tracked.GetCurrentNode(statement)!, new[] { copy });
            });
    }

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
