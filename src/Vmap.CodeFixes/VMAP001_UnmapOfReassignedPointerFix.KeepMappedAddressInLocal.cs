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
using Vmap.CodeFixes.Mapping;

namespace Vmap.CodeFixes;

// One of the rule's edits (the provider is in the file without a suffix).
// VMAP001, local: keeps the mapped address in its own local. Either a copy just before the one
// reassignment, released instead of the variable (which keeps its new meaning for every other
// use), or, when the variable is walked through the mapping (`block += IntPtr.Size` in a
// loop), a cursor that does the walking while the variable keeps the start.
public sealed partial class VMAP001_UnmapOfReassignedPointerFix
{
    private static PlannedEdit? KeepMappedAddressInLocal(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
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
            ?? CursorWalk.Plan(model, variable, reassigned, release, cancellationToken);
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

    internal static LocalDeclarationStatementSyntax Declare(string name, ExpressionSyntax value)
        => SyntaxFactory.LocalDeclarationStatement(
                SyntaxFactory.VariableDeclaration(
                    SyntaxFactory.IdentifierName("var"),
                    SyntaxFactory.SingletonSeparatedList(
                        SyntaxFactory.VariableDeclarator(name).WithInitializer(SyntaxFactory.EqualsValueClause(value)))))
            .WithTrailingTrivia(SyntaxFactory.ElasticLineFeed)
            .WithAdditionalAnnotations(Formatter.Annotation);

    /// <summary>A name no local, parameter or member in scope anywhere in the enclosing member uses.</summary>
    internal static string UniqueName(SemanticModel model, SyntaxNode at, string preferred, CancellationToken cancellationToken)
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
        {
            taken.Add(symbol.Name);
        }

        cancellationToken.ThrowIfCancellationRequested();

        var name = preferred;
        for (var suffix = 2; taken.Contains(name); suffix++)
        {
            name = preferred + suffix;
        }

        return name;
    }
}
