using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Vmap.CodeFixes.Mapping;

namespace Vmap.CodeFixes;

/// <summary>VMAP005: replaces the release's count with the count the mapping was created with.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(VMAP005_UseMappedCountFix)), Shared]
public sealed class VMAP005_UseMappedCountFix : VmapCodeFixProvider
{
    private protected override string DiagnosticId => RuleIds.VMAP005;

    private protected override PlannedEdit? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (FixProperties.MustBeZero(diagnostic))
        {
            return ReleaseWithSizeZero(root, model, diagnostic);
        }

        var release = ReleaseSite.Find(model, root, diagnostic.Location.SourceSpan, cancellationToken);
        if (release?.Count?.Syntax is not ArgumentSyntax { Expression: var current } || release.AddressVariable is not { } variable
            || release.Annotation.CountParameter is not { } countParameter)
        {
            return null;
        }

        var replacement = MappedCountAtRelease(root, model, diagnostic, release, variable, countParameter, cancellationToken)
            ?? ConstantFromAnalyzer(diagnostic, countParameter);
        if (replacement is null)
        {
            return null;
        }

        if (replacement.IsEquivalentTo(current, topLevel: false))
        {
            return null;
        }

        return new PlannedEdit(
            $"Use the mapped count '{replacement.WithoutTrivia()}'",
            r => r.ReplaceNode(current, replacement.WithTriviaFrom(current)));
    }

    /// <summary>
    /// <c>VirtualFree(p, size, MEM_RELEASE)</c>: a release must pass size 0 (the diagnostic's span is
    /// the size argument's expression), written as a literal the size parameter's type accepts.
    /// </summary>
    private static PlannedEdit? ReleaseWithSizeZero(SyntaxNode root, SemanticModel model, Diagnostic diagnostic)
    {
        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax size ||
            size.Span != diagnostic.Location.SourceSpan || size.Parent is not ArgumentSyntax)
        {
            return null;
        }

        // A UIntPtr parameter takes the literal 0 from C# 11 (UIntPtr is nuint there); before, UIntPtr.Zero.
        ExpressionSyntax zero = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(0));
        if (model.GetTypeInfo(size).ConvertedType?.SpecialType is SpecialType.System_UIntPtr &&
            root.SyntaxTree.Options is CSharpParseOptions { LanguageVersion: < LanguageVersion.CSharp11 })
        {
            zero = SyntaxFactory.ParseExpression("UIntPtr.Zero");
        }

        return new PlannedEdit("Release with size 0", r => r.ReplaceNode(size, zero.WithTriviaFrom(size)));
    }

    /// <summary>
    /// The count argument of the mapping the analyzer named (<c>AdditionalLocations[0]</c>, the
    /// mapping's count argument), when that mapping is what the release releases and the count
    /// still means the same there.
    /// </summary>
    private static ExpressionSyntax? MappedCountAtRelease(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, ReleaseSite release, ISymbol variable, IParameterSymbol countParameter, CancellationToken cancellationToken)
    {
        var mapping = diagnostic.AdditionalLocations.Count == 0 ? null
            : MappingSite.FromLocation(model, root, diagnostic.AdditionalLocations[0], variable, release.Statement, cancellationToken);
        if (mapping is null || mapping.Annotation.Family != release.Annotation.Family || ReleaseCall.GetMappedCount(mapping) is not { } mapped
            || !Reevaluation.IsStable(model, mapped.Argument, mapping.Between, release.Syntax.SpanStart, cancellationToken))
        {
            return null;
        }

        return Reevaluation.HasFixedLength(countParameter.Type) ? mapped.Argument : mapped.Pages;
    }

    /// <summary>
    /// A constant count the analyzer worked out (the length of <c>new Page[4]</c>, say): a literal
    /// means the same everywhere, unlike any other text the analyzer could hand over.
    /// </summary>
    private static ExpressionSyntax? ConstantFromAnalyzer(Diagnostic diagnostic, IParameterSymbol countParameter)
    {
        if (countParameter.Type.SpecialType != SpecialType.System_Int32
            || !int.TryParse(FixProperties.MappedCount(diagnostic), NumberStyles.None, CultureInfo.InvariantCulture, out var pages))
        {
            return null;
        }

        return SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(pages));
    }
}
