using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Vmap.CodeFixes;

/// <summary>
/// VMAP001: makes the unmap release the address that was mapped. The analyzer says which of two
/// shapes it saw, and each has its own edit: a re-pointed local keeps the mapped address in a
/// local of its own (<c>KeepMappedAddressInLocal</c>); a re-pointed field is unmapped through the
/// type's own release path first (<c>UnmapBeforeRepointing</c>). One provider for the rule, so a
/// host that asks one provider per id (dotnet format) gets both.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(VMAP001_UnmapOfReassignedPointerFix)), Shared]
public sealed partial class VMAP001_UnmapOfReassignedPointerFix : VmapCodeFixProvider
{
    private protected override string DiagnosticId => RuleIds.VMAP001;

    private protected override Task<PlannedEdit?> PlanAsync(Document document, SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        => FixProperties.IsFieldShape(diagnostic)
            ? UnmapBeforeRepointingAsync(document, root, model, diagnostic, cancellationToken)
            : Task.FromResult(KeepMappedAddressInLocal(root, model, diagnostic, cancellationToken));
}
