using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;
using Vmap.Analyzers.Tests.BuildMode;
namespace Vmap.Analyzers.Tests.Baseline;

/// <summary>
/// Compiles a source at <see cref="SourcePath"/> with every analyzer and the suppressor, the
/// options the package's targets pass (root, update, report-stale) and, when given, a baseline
/// additional file at <see cref="BaselinePath"/> marked the way the targets mark it. Suppressed
/// diagnostics are returned too, with <see cref="Diagnostic.IsSuppressed"/> set, as the compiler
/// logs them to SARIF.
/// </summary>
internal static class BaselineCompilation
{
    public const string Root = "/repo/App";
    public const string SourcePath = Root + "/Cache/Buffers.cs";
    public const string BaselinePath = Root + "/vmap-baseline.txt";

    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string source, string? baseline, bool update = false, bool reportStale = true)
    {
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), SourcePath);
        var references = await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None);
        var compilation = CSharpCompilation.Create("BaselineTest", [tree], references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count != 0)
        {
            throw new InvalidOperationException("test source does not compile: " + string.Join("; ", errors));
        }

        var global = new Dictionary<string, string>
        {
            ["build_property.VmapBaselineRoot"] = Root,
            ["build_property.VmapUpdateBaseline"] = update ? "true" : "false",
            ["build_property.VmapBaselineReportStale"] = reportStale ? "true" : "false",
        };
        var additional = baseline is null ? ImmutableArray<AdditionalText>.Empty : [new Text(BaselinePath, baseline)];
        var analyzers = VmapAnalyzers.All().ToImmutableArray();

        // As the IDE registers the analyzers and as a build does: the ledger and the stale
        // entries must come out the same.
        var diagnostics = await BuildModes.Both(build => compilation
            .WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(BuildModes.Files(additional, build), new OptionsProvider(global, BaselinePath)),
                onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: true))
            .GetAnalyzerDiagnosticsAsync(CancellationToken.None));
        if (diagnostics.FirstOrDefault(d => d.Id == "AD0001") is { } crash)
        {
            throw new InvalidOperationException("an analyzer threw: " + crash.GetMessage());
        }

        return diagnostics
            .OrderBy(d => d.Location.GetLineSpan().Path, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToImmutableArray();
    }

    /// <summary>A diagnostic as the tests compare it: id, file, 1-based line and column, message, suppressed.</summary>
    public static (string Id, string File, int Line, int Column, string Message, bool Suppressed) Shape(Diagnostic d)
    {
        var span = d.Location.GetLineSpan();
        return (d.Id, span.Path, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1, d.GetMessage(), d.IsSuppressed);
    }

    private sealed class Text(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }

    private sealed class OptionsProvider(Dictionary<string, string> global, string baselinePath) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(global);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options([]);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
            new Options(textFile.Path == baselinePath ? new Dictionary<string, string> { ["build_metadata.AdditionalFiles.VmapBaseline"] = "true" } : []);
    }

    private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override IEnumerable<string> Keys => values.Keys;

        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}
