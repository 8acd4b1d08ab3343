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
using Vmap.CodeFixes.Mapping;

namespace Vmap.CodeFixes;

/// <summary>VMAP006: replaces a release of the wrong family by the release method of the mapping's family.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(VMAP006_ReleaseWithOwnFamilyFix)), Shared]
public sealed class VMAP006_ReleaseWithOwnFamilyFix : VmapCodeFixProvider
{
    private protected override string DiagnosticId => RuleIds.VMAP006;

    private protected override PlannedEdit? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var wrong = ReleaseSite.Find(model, root, diagnostic.Location.SourceSpan, cancellationToken);
        if (wrong is null || wrong.AddressVariable is not { } variable || wrong.AddressSyntax is not { } address)
        {
            return null;
        }
        // AdditionalLocations[0] is the map call; nothing may write the variable between it and the release.
        var mapping = diagnostic.AdditionalLocations.Count == 0 ? null
            : MappingSite.FromLocation(model, root, diagnostic.AdditionalLocations[0], variable, wrong.Statement, cancellationToken);
        if (mapping is null || mapping.Annotation.Family == wrong.Annotation.Family)
        {
            return null;
        }

        var receiver = PickReceiver(model, wrong, mapping, cancellationToken);
        if (receiver.Type is null)
        {
            return null;
        }

        var release = ReleaseCall.FindRelease(model.Compilation, receiver.Type, mapping.Annotation.Family, FixProperties.ReleaseMethodName(diagnostic));
        if (release is null)
        {
            return null;
        }

        MappedCount? count = null;
        if (PairFacts.GetUnmaps(model.Compilation, release)?.CountParameter is not null)
        {
            count = ReleaseCall.GetMappedCount(mapping);
            if (count is null || !Reevaluation.IsStable(model, count.Argument, mapping.Between, wrong.Syntax.SpanStart, cancellationToken))
            {
                return null;
            }
        }

        var replacement = ReleaseCall.Build(model.Compilation, release, receiver.Syntax, address, count);
        if (replacement is null || !ReleaseCall.BindsTo(model, wrong.Syntax.SpanStart, replacement, release))
        {
            return null;
        }

        return new PlannedEdit($"Release with {release.Name}", r => r.ReplaceNode(wrong.Syntax, replacement.WithTriviaFrom(wrong.Syntax)));
    }

    /// <summary>
    /// The wrong release's own receiver when its type offers the right family (it is evaluated at
    /// that very place anyway); otherwise the mapping's receiver, if it still means the same object.
    /// </summary>
    private static (ExpressionSyntax? Syntax, ITypeSymbol? Type) PickReceiver(SemanticModel model, ReleaseSite wrong, MappingSite mapping, CancellationToken cancellationToken)
    {
        var family = mapping.Annotation.Family;
        var wrongReceiver = ReleaseCall.Receiver(wrong.Call);
        var wrongType = wrong.Call.Instance?.Type ?? wrong.Call.TargetMethod.ContainingType;
        if (ReleaseCall.FindRelease(model.Compilation, wrongType, family, null) is not null)
        {
            return (wrongReceiver, wrongType);
        }

        var mappingReceiver = ReleaseCall.Receiver(mapping.Call);
        var mappingType = mapping.Call.Instance?.Type ?? mapping.Call.TargetMethod.ContainingType;
        if (mappingReceiver is not null && !Reevaluation.IsStable(model, mappingReceiver, mapping.Between, wrong.Syntax.SpanStart, cancellationToken))
        {
            return (null, null);
        }

        return (mappingReceiver, mappingType);
    }
}
