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

/// <summary>
/// The boilerplate of every Vmap fix: one rule, one equivalence key (so Fix All applies every
/// instance), and a plan that is null whenever the edit could change behaviour the user did not
/// ask to change. Edits are independent statements, so the batch fixer merges them.
/// </summary>
public abstract class VmapCodeFixProvider : CodeFixProvider
{
    private protected abstract string DiagnosticId { get; }

    public sealed override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticId);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var document = context.Document;
        var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        // The pairs the analyzer reported with: attributes, this project's .editorconfig pairs, built-ins.
        PairFacts.Use(model.Compilation, document.Project.AnalyzerOptions, context.CancellationToken);

        foreach (var diagnostic in context.Diagnostics)
        {
            var edit = await PlanAsync(document, root, model, diagnostic, context.CancellationToken).ConfigureAwait(false);
            if (edit is null)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(edit.Title, _ => Task.FromResult(document.WithSyntaxRoot(edit.Rewrite(root))), equivalenceKey: GetType().Name),
                diagnostic);
        }
    }

    /// <summary>Plans the edit; fixes that read other documents override this, the rest <see cref="Plan"/>.</summary>
    private protected virtual Task<PlannedEdit?> PlanAsync(Document document, SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        => Task.FromResult(Plan(root, model, diagnostic, cancellationToken));

    private protected virtual PlannedEdit? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) => null;
}
