using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using Vmap.Analyzers;

namespace Vmap.CodeFixes;

/// <summary>
/// Fix All for every Vmap rule, in a document, a project or the solution: each document gets
/// every edit its findings of the rule have, one edit at a time.
/// </summary>
/// <remarks>
/// <para>
/// Not the batch fixer. That one keeps only the edits whose equivalence key is the one the host
/// passes, and dotnet format passes the key of whatever the provider registered for the first
/// diagnostic of the analyzer's whole run, which may be another rule's, or one with no edit: the
/// key is then null, no edit matches, and the rule is reported as "didn't return a Fix All
/// action". Here any key of the rule, or none, means every edit of the rule.
/// </para>
/// <para>
/// Edits of one rule in one method interact (a try/finally around statements another edit
/// moves, two copies named alike), so no edit is planned on code another edit has changed: after
/// each edit the document is analysed again and the next edit planned on the new code. An edit
/// that leaves as many findings of the rule as before is undone and ends the document's run, so
/// a fix that does not fix cannot repeat itself. Documents are fixed independently (a Vmap edit
/// only changes the document of its finding) and in file order, so every run gives the same text.
/// </para>
/// </remarks>
internal sealed class VmapFixAllProvider : FixAllProvider
{
    public static readonly VmapFixAllProvider Instance = new();

    private static readonly Lazy<ImmutableArray<DiagnosticAnalyzer>> s_analyzers = new(LoadAnalyzers);

    private VmapFixAllProvider()
    {
    }

    public override IEnumerable<FixAllScope> GetSupportedFixAllScopes()
        => new[] { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution };

    public override Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext)
    {
        if (fixAllContext.CodeFixProvider is not VmapCodeFixProvider provider
            || fixAllContext.CodeActionEquivalenceKey is { } key && key != provider.EquivalenceKey)
        {
            return Task.FromResult<CodeAction?>(null);
        }

        var ids = provider.FixableDiagnosticIds.Intersect(fixAllContext.DiagnosticIds).ToImmutableHashSet();
        if (ids.IsEmpty)
        {
            return Task.FromResult<CodeAction?>(null);
        }

        var title = $"Fix all {string.Join(", ", ids.OrderBy(i => i, StringComparer.Ordinal))} in {fixAllContext.Scope.ToString().ToLowerInvariant()}";
        return Task.FromResult<CodeAction?>(CodeAction.Create(
            title,
            cancellationToken => FixAllAsync(fixAllContext, provider, ids, cancellationToken),
            provider.EquivalenceKey));
    }

    private static async Task<Solution> FixAllAsync(FixAllContext context, VmapCodeFixProvider provider, ImmutableHashSet<string> ids, CancellationToken cancellationToken)
    {
        var solution = context.Solution;
        var fixedDocuments = new List<Document>();
        foreach (var (document, reported) in await FindingsByDocumentAsync(context, ids).ConfigureAwait(false))
        {
            var fixedDocument = await FixDocumentAsync(provider, document, reported, ids, cancellationToken).ConfigureAwait(false);
            if (fixedDocument != document)
            {
                fixedDocuments.Add(fixedDocument);
            }
        }

        foreach (var fixedDocument in fixedDocuments)
        {
            var root = await fixedDocument.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            solution = solution.WithDocumentSyntaxRoot(fixedDocument.Id, root!);
        }

        return solution;
    }

    /// <summary>The findings of <paramref name="ids"/> in scope, by document, documents in project and file order.</summary>
    private static async Task<List<(Document Document, ImmutableArray<Diagnostic> Reported)>> FindingsByDocumentAsync(FixAllContext context, ImmutableHashSet<string> ids)
    {
        var result = new List<(Document, ImmutableArray<Diagnostic>)>();
        if (context.Scope == FixAllScope.Document)
        {
            if (context.Document is { } document)
            {
                var found = await context.GetDocumentDiagnosticsAsync(document).ConfigureAwait(false);
                result.Add((document, found.Where(d => ids.Contains(d.Id)).ToImmutableArray()));
            }

            return result;
        }

        var projects = context.Scope == FixAllScope.Project ? new[] { context.Project } : context.Solution.Projects;
        foreach (var project in projects.OrderBy(p => p.FilePath ?? p.Name, StringComparer.Ordinal))
        {
            var found = await context.GetAllDiagnosticsAsync(project).ConfigureAwait(false);
            var byPath = found
                .Where(d => ids.Contains(d.Id) && d.Location.IsInSource)
                .ToLookup(d => d.Location.SourceTree!.FilePath, StringComparer.Ordinal);
            foreach (var document in project.Documents.OrderBy(d => d.FilePath ?? d.Name, StringComparer.Ordinal))
            {
                var reported = byPath[document.FilePath ?? string.Empty].ToImmutableArray();
                if (!reported.IsEmpty)
                {
                    result.Add((document, reported));
                }
            }
        }

        return result;
    }

    private static async Task<Document> FixDocumentAsync(VmapCodeFixProvider provider, Document document, ImmutableArray<Diagnostic> reported, ImmutableHashSet<string> ids, CancellationToken cancellationToken)
    {
        if (reported.IsEmpty)
        {
            return document;
        }

        // Findings below the severity the host asked for stay as they are after re-analysis too.
        var minimum = reported.Min(d => d.Severity);
        var current = document;
        var findings = InOrder(reported);

        // Every edit removes at least one finding, so there are at most as many rounds as findings.
        for (var rounds = findings.Count; rounds > 0 && findings.Count > 0; rounds--)
        {
            Document? edited = null;
            foreach (var finding in findings)
            {
                var edit = await provider.PlanEditAsync(current, finding, cancellationToken).ConfigureAwait(false);
                if (edit is not null)
                {
                    edited = await CleanUpAsync(edit.ApplyTo(current), cancellationToken).ConfigureAwait(false);
                    break;
                }
            }

            if (edited is null)
            {
                break;
            }

            var remaining = InOrder(await AnalyzeAsync(edited, ids, minimum, cancellationToken).ConfigureAwait(false));
            if (remaining.Count >= findings.Count)
            {
                break;
            }

            current = edited;
            findings = remaining;
        }

        return current;
    }

    /// <summary>What a code action does to its document before it is shown or saved: reduce, then format, what the edit marked.</summary>
    private static async Task<Document> CleanUpAsync(Document document, CancellationToken cancellationToken)
    {
        document = await Simplifier.ReduceAsync(document, Simplifier.Annotation, optionSet: null, cancellationToken).ConfigureAwait(false);
        return await Formatter.FormatAsync(document, Formatter.Annotation, options: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The rule's findings in <paramref name="document"/> as the Vmap analyzers report them on its current text.</summary>
    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Document document, ImmutableHashSet<string> ids, DiagnosticSeverity minimum, CancellationToken cancellationToken)
    {
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var analyzers = s_analyzers.Value.Where(a => a.SupportedDiagnostics.Any(d => ids.Contains(d.Id))).ToImmutableArray();
        if (model is null || analyzers.IsEmpty)
        {
            return ImmutableArray<Diagnostic>.Empty;
        }

        var options = new CompilationWithAnalyzersOptions(
            document.Project.AnalyzerOptions,
            onAnalyzerException: null,
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false,
            reportSuppressedDiagnostics: false);
        var found = await model.Compilation.WithAnalyzers(analyzers, options)
            .GetAnalyzerSemanticDiagnosticsAsync(model, filterSpan: null, cancellationToken).ConfigureAwait(false);
        return found.Where(d => ids.Contains(d.Id) && !d.IsSuppressed && d.Severity >= minimum).ToImmutableArray();
    }

    private static List<Diagnostic> InOrder(IEnumerable<Diagnostic> diagnostics)
        => diagnostics
            .OrderBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Location.SourceSpan.End)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ThenBy(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal)
            .ToList();

    /// <summary>Every analyzer the Vmap.Analyzers assembly ships, as the compiler loads them.</summary>
    private static ImmutableArray<DiagnosticAnalyzer> LoadAnalyzers()
        => typeof(Descriptors).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t))
            .ToImmutableArray();
}
