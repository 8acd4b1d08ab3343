using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Vmap.Samples.Tests;

/// <summary>The corrected cache is not hand-made: it is what the Vmap code fixes make of the hazardous one.</summary>
public class SampleCodeFixTests
{
    private const string Hazardous = "Hazardous/HazardousBufCache.cs";

    [Fact]
    public async Task Fixed_cache_is_the_hazardous_cache_after_the_offered_code_fixes()
    {
        var workspace = new AdhocWorkspace();
        ProjectId projectId = ProjectId.CreateNewId();
        Solution solution = workspace.CurrentSolution.AddProject(ProjectInfo.Create(
            projectId,
            VersionStamp.Default,
            "BufferCache",
            "BufferCache",
            LanguageNames.CSharp,
            compilationOptions: SampleCompilation.Options(OutputKind.DynamicallyLinkedLibrary),
            parseOptions: SampleCompilation.ParseOptions,
            metadataReferences: SampleCompilation.References));
        DocumentId? hazardousId = null;
        foreach (string file in SampleCompilation.VariantFiles("Hazardous"))
        {
            DocumentId id = DocumentId.CreateNewId(projectId);
            solution = solution.AddDocument(id, file, SourceText.From(SampleCompilation.Read(file)), filePath: file);
            if (file == Hazardous)
            {
                hazardousId = id;
            }
        }

        // One fix per finding, re-analysing after each edit as a user applying them one by one would.
        var applied = new List<string>();
        for (int round = 0; round < 4; round++)
        {
            Compilation compilation = (await solution.GetProject(projectId)!.GetCompilationAsync())!;
            ImmutableArray<Diagnostic> diagnostics = await SampleCompilation.AnalyzeAsync(compilation);
            if (diagnostics.IsEmpty)
            {
                break;
            }

            Diagnostic diagnostic = diagnostics.OrderBy(d => d.Id, StringComparer.Ordinal).First();
            Document document = solution.GetDocument(diagnostic.Location.SourceTree)!;
            CodeAction action = Assert.Single(await FixesFor(document, diagnostic));
            applied.Add($"{diagnostic.Id}: {action.Title}");
            ApplyChangesOperation change = Assert.Single((await action.GetOperationsAsync(CancellationToken.None)).OfType<ApplyChangesOperation>());
            solution = change.ChangedSolution;
        }

        Assert.Equal(
            ["VMAP001: Unmap before re-pointing", "VMAP005: Use the mapped count 'pages.Length'"],
            applied);
        Assert.Empty(await SampleCompilation.AnalyzeAsync((await solution.GetProject(projectId)!.GetCompilationAsync())!));

        SyntaxNode fixedByCodeFixes = (await solution.GetDocument(hazardousId!)!.GetSyntaxRootAsync())!;
        SyntaxNode fixedByHand = (await solution.GetProject(projectId)!
            .AddDocument("Fixed/FixedBufCache.cs", SampleCompilation.Read("Fixed/FixedBufCache.cs"))
            .GetSyntaxRootAsync())!;
        foreach (string method in new[] { "SetPtr", "ReadLog" })
        {
            Assert.Equal(Body(fixedByHand, method), Body(fixedByCodeFixes, method));
        }
    }

    private static string Body(SyntaxNode root, string method) =>
        root.DescendantNodes().OfType<MethodDeclarationSyntax>().Single(m => m.Identifier.Text == method).Body!.ToFullString();

    private static async Task<List<CodeAction>> FixesFor(Document document, Diagnostic diagnostic)
    {
        var actions = new List<CodeAction>();
        foreach (CodeFixProvider provider in s_providers.Value.Where(p => p.FixableDiagnosticIds.Contains(diagnostic.Id)))
        {
            await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), CancellationToken.None));
        }

        return actions;
    }

    private static readonly Lazy<CodeFixProvider[]> s_providers = new(() =>
        Assembly.Load("Vmap.CodeFixes").GetTypes()
            .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t) && t.GetCustomAttribute<ExportCodeFixProviderAttribute>() is not null)
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
            .ToArray());
}
