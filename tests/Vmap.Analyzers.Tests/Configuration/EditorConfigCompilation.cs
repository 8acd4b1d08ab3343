using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Vmap.Analyzers.Tests.BuildMode;
using Vmap.Analyzers.Tests.Fixes;

namespace Vmap.Analyzers.Tests.Configuration;

/// <summary>
/// Compiles sources the way csc does with an .editorconfig next to them: the config set is parsed,
/// each tree gets the severities for its path, and the analyzers run through the compiler's driver.
/// </summary>
internal static class EditorConfigCompilation
{
    public const string SourcePath = "/project/Test0.cs";

    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string source, string? editorConfig)
    {
        var configs = editorConfig is null
            ? ImmutableArray<AnalyzerConfig>.Empty
            : ImmutableArray.Create(AnalyzerConfig.Parse(editorConfig, "/project/.editorconfig"));
        var configSet = AnalyzerConfigSet.Create(configs);

        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = new[]
        {
            CSharpSyntaxTree.ParseText(source, parse, SourcePath),
            CSharpSyntaxTree.ParseText(Verify.FakeApi, parse, "/project/VmapApi.cs"),
        };
        var references = await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None);
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
            .WithSyntaxTreeOptionsProvider(new ConfigSetOptions(configSet, trees));
        var compilation = CSharpCompilation.Create("EditorConfigTest", trees, references, options);

        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count != 0)
        {
            throw new InvalidOperationException("test source does not compile: " + string.Join("; ", errors));
        }

        var analyzers = VmapAnalyzers.All().ToImmutableArray();
        var diagnostics = await BuildModes.Both(build => compilation
            .WithAnalyzers(analyzers, new AnalyzerOptions(BuildModes.Files(ImmutableArray<AdditionalText>.Empty, build)))
            .GetAnalyzerDiagnosticsAsync(CancellationToken.None));
        return diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToImmutableArray();
    }

    /// <summary>The per-tree severities csc derives from the config set.</summary>
    private sealed class ConfigSetOptions : SyntaxTreeOptionsProvider
    {
        private readonly Dictionary<SyntaxTree, ImmutableDictionary<string, ReportDiagnostic>> _byTree;
        private readonly AnalyzerConfigSet _set;

        public ConfigSetOptions(AnalyzerConfigSet set, IEnumerable<SyntaxTree> trees)
        {
            _set = set;
            _byTree = trees.ToDictionary(t => t, t => set.GetOptionsForSourcePath(t.FilePath).TreeOptions);
        }

        public override GeneratedKind IsGenerated(SyntaxTree tree, CancellationToken cancellationToken) => GeneratedKind.NotGenerated;

        public override bool TryGetDiagnosticValue(SyntaxTree tree, string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity)
            => _byTree[tree].TryGetValue(diagnosticId, out severity);

        public override bool TryGetGlobalDiagnosticValue(string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity)
            => _set.GlobalConfigOptions.TreeOptions.TryGetValue(diagnosticId, out severity);
    }
}
