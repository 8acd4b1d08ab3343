using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Vmap.CodeFixes.Mapping;

namespace Vmap.CodeFixes;

/// <summary>An edit of one document planned for one diagnostic.</summary>
/// <param name="Rewrite">Rewrites the root the plan was made on; it must only reference nodes of that root.</param>
internal sealed record PlannedEdit(string Title, Func<SyntaxNode, SyntaxNode> Rewrite);

/// <summary>A planned edit with the root it was planned on, the only root its rewrite may be applied to.</summary>
internal sealed record RootedEdit(string Title, SyntaxNode Root, Func<SyntaxNode, SyntaxNode> Rewrite)
{
    public Document ApplyTo(Document document) => document.WithSyntaxRoot(Rewrite(Root));
}

/// <summary>
/// The boilerplate of every Vmap fix: one provider per rule, one equivalence key per rule (each
/// diagnostic has at most one edit, so "fix all" of the rule means each diagnostic's own edit),
/// and a plan that is null whenever the edit could change behaviour the user did not ask to change.
/// </summary>
public abstract class VmapCodeFixProvider : CodeFixProvider
{
    private protected abstract string DiagnosticId { get; }

    /// <summary>The equivalence key of every edit of this rule; Fix All applies the edits that carry it.</summary>
    internal string EquivalenceKey => "Vmap." + DiagnosticId;

    public sealed override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticId);

    public sealed override FixAllProvider GetFixAllProvider() => VmapFixAllProvider.Instance;

    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var document = context.Document;
        foreach (var diagnostic in context.Diagnostics)
        {
            var edit = await PlanEditAsync(document, diagnostic, context.CancellationToken).ConfigureAwait(false);
            if (edit is null)
            {
                continue;
            }

            context.RegisterCodeFix(CodeAction.Create(edit.Title, _ => Task.FromResult(edit.ApplyTo(document)), EquivalenceKey), diagnostic);
        }
    }

    /// <summary>
    /// The edit for <paramref name="diagnostic"/> on <paramref name="document"/> as it is now, or null.
    /// A host may hand any diagnostic to any provider (dotnet format passes the first diagnostic
    /// of the analyzer's whole run), so one of another rule gets no edit.
    /// </summary>
    internal async Task<RootedEdit?> PlanEditAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (diagnostic.Id != DiagnosticId)
        {
            return null;
        }

        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return null;
        }

        // The pairs the analyzer reported with: attributes, this project's .editorconfig pairs, built-ins.
        PairFacts.Use(model.Compilation, document.Project.AnalyzerOptions, cancellationToken);

        var edit = await PlanAsync(document, root, model, diagnostic, cancellationToken).ConfigureAwait(false);
        return edit is null ? null : new RootedEdit(edit.Title, root, edit.Rewrite);
    }

    /// <summary>Plans the edit; fixes that read other documents override this, the rest <see cref="Plan"/>.</summary>
    private protected virtual Task<PlannedEdit?> PlanAsync(Document document, SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        => Task.FromResult(Plan(root, model, diagnostic, cancellationToken));

    private protected virtual PlannedEdit? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) => null;
}
