using System.Composition;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Vmap.CodeFixes;

/// <summary>
/// VMAP002: releases a live mapping before it is lost. The analyzer says how it is lost, and each
/// way has its own edit: an overwrite gets the release just before it (<c>UnmapBeforeOverwrite</c>);
/// leaving the scope on some path gets the release in a finally (<c>UnmapInFinally</c>). One
/// provider for the rule, so a host that asks one provider per id (dotnet format) gets both.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(VMAP002_UnmapBeforeMappingIsLostFix)), Shared]
public sealed partial class VMAP002_UnmapBeforeMappingIsLostFix : VmapCodeFixProvider
{
    private protected override string DiagnosticId => RuleIds.VMAP002;

    private protected override PlannedEdit? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        => FixProperties.IsOverwrite(diagnostic)
            ? UnmapBeforeOverwrite(root, model, diagnostic, cancellationToken)
            : UnmapInFinally(root, model, diagnostic, cancellationToken);
}
