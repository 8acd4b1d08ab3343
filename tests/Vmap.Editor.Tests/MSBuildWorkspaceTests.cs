using System.Collections.Immutable;
using System.Reflection;
using Microsoft.Build.Locator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.MSBuild;

namespace Vmap.Editor.Tests;

/// <summary>
/// The sample opened the way an IDE host opens it (Microsoft.CodeAnalysis.Workspaces.MSBuild over
/// the SDK's MSBuild): the analyzers and the code fixes come from the project's own analyzer
/// references, not from this test's dependencies, and the fixes they offer turn the hazardous
/// cache into samples/BufferCache/Fixed.
/// </summary>
[Collection(SampleProjectCollection.Name)]
public sealed class MSBuildWorkspaceTests(SampleProject sample)
{
    static MSBuildWorkspaceTests()
    {
        if (!MSBuildLocator.IsRegistered)
        {
            MSBuildLocator.RegisterDefaults();
        }
    }

    [Fact]
    public async Task The_project_s_fix_providers_turn_the_hazardous_cache_into_the_fixed_one()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var workspace = MSBuildWorkspace.Create(new Dictionary<string, string> { ["Configuration"] = "Debug" });
        var project = await workspace.OpenProjectAsync(sample.ProjectFile, cancellationToken: timeout.Token);
        Assert.Empty(workspace.Diagnostics.Where(d => d.Kind == WorkspaceDiagnosticKind.Failure).Select(d => d.Message));

        // The SDK adds its own analyzers (and their fixes); ours are the two the sample references.
        var references = project.AnalyzerReferences.OfType<AnalyzerFileReference>()
            .Where(r => Path.GetFileName(r.FullPath).StartsWith("Vmap.", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(["Vmap.Analyzers.dll", "Vmap.CodeFixes.dll"], references.Select(r => Path.GetFileName(r.FullPath)).Order(StringComparer.Ordinal));
        var analyzers = references.SelectMany(r => r.GetAnalyzers(LanguageNames.CSharp)).ToImmutableArray();
        var providers = references
            .SelectMany(r => r.GetAssembly().GetTypes())
            .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t) && t.GetCustomAttribute<ExportCodeFixProviderAttribute>() is { } export && export.Languages.Contains(LanguageNames.CSharp))
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
            .ToList();
        // One provider per fixable rule: VMAP001-006, VMAP008, VMAP009, VMAP010.
        Assert.Equal(9, providers.Count);

        var hazardous = project.Documents.Single(d => d.FilePath == sample.PathOf(SampleProject.HazardousFile));
        var solution = project.Solution;
        var applied = new List<string>();
        for (var round = 0; round < 4; round++)
        {
            var diagnostics = await AnalyzeAsync(solution.GetProject(project.Id)!, analyzers, timeout.Token);
            if (round == 0)
            {
                Assert.Equal([RuleIds.VMAP001, RuleIds.VMAP002, RuleIds.VMAP005], diagnostics.Select(d => d.Id));
            }

            if (diagnostics.IsEmpty)
            {
                break;
            }

            var diagnostic = diagnostics[0];
            var document = solution.GetDocument(diagnostic.Location.SourceTree)!;
            var actions = new List<CodeAction>();
            foreach (var provider in providers.Where(p => p.FixableDiagnosticIds.Contains(diagnostic.Id)))
            {
                await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), timeout.Token));
            }

            var fix = Assert.Single(actions);
            applied.Add($"{diagnostic.Id}: {fix.Title}");
            var change = Assert.Single((await fix.GetOperationsAsync(timeout.Token)).OfType<ApplyChangesOperation>());
            solution = change.ChangedSolution;
        }

        // VMAP001's fix also cures the VMAP002 at the same re-pointing.
        Assert.Equal(["VMAP001: Unmap before re-pointing", "VMAP005: Use the mapped count 'pages.Length'"], applied);
        Assert.Empty(await AnalyzeAsync(solution.GetProject(project.Id)!, analyzers, timeout.Token));

        var byFixes = (await solution.GetDocument(hazardous.Id)!.GetSyntaxRootAsync(timeout.Token))!;
        var byHand = (await project.Documents.Single(d => d.FilePath == sample.PathOf("Fixed/FixedBufCache.cs")).GetSyntaxRootAsync(timeout.Token))!;
        Assert.Equal(Bodies(byHand), Bodies(byFixes));
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Project project, ImmutableArray<DiagnosticAnalyzer> analyzers, CancellationToken cancellationToken)
    {
        var compilation = (await project.GetCompilationAsync(cancellationToken))!;
        Assert.Empty(compilation.GetDiagnostics(cancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error));
        var diagnostics = await compilation.WithAnalyzers(analyzers, project.AnalyzerOptions).GetAnalyzerDiagnosticsAsync(cancellationToken);
        return diagnostics.Where(d => d.Id.StartsWith("VMAP", StringComparison.Ordinal))
            .OrderBy(d => d.Id, StringComparer.Ordinal)
            .ToImmutableArray();
    }

    /// <summary>Every method of the cache class, name and body: the variants differ only in names and comments otherwise.</summary>
    private static string[] Bodies(SyntaxNode root) =>
        root.DescendantNodes().OfType<MethodDeclarationSyntax>()
            .Select(m => m.Identifier.Text + " " + (m.Body?.ToString() ?? m.ExpressionBody!.ToString()))
            .ToArray();
}
