using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Vmap.Samples.Tests;

/// <summary>
/// Compiles the sample's sources (copied next to the tests by the project file) with the Vmap
/// analyzers, as the sample's build does: references from the running runtime and Vmap.dll.
/// </summary>
internal static class SampleCompilation
{
    private static readonly string s_root = Path.Combine(AppContext.BaseDirectory, "SampleSources");

    /// <summary>The framework's assemblies and Vmap.dll, as the sample's build references them.</summary>
    public static ImmutableArray<MetadataReference> References => s_references.Value;

    /// <summary>The options the sample builds with (nullable, unsafe code allowed).</summary>
    public static CSharpCompilationOptions Options(OutputKind kind) =>
        new(kind, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true);

    /// <summary>C# 12: the newest the analyzers' Roslyn (4.8) parses, so the sample keeps to it.</summary>
    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.CSharp12);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
    {
        // The framework's own assemblies only: the test's NuGet dependencies are no part of the sample's build.
        string runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string tpa = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        return tpa.Split(Path.PathSeparator)
            .Where(p => Path.GetDirectoryName(p) == runtimeDirectory)
            .Append(typeof(VmapSpace).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    });

    /// <summary>The sample's source files, relative to the sample folder, '/'-separated.</summary>
    public static IReadOnlyList<string> AllFiles { get; } =
        Directory.EnumerateFiles(s_root, "*.cs", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(s_root, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>The files of one variant: the shared cache and log, plus that variant's folder (no Program, which picks between them).</summary>
    public static IReadOnlyList<string> VariantFiles(string folder) =>
        AllFiles.Where(f => f.StartsWith(folder + "/", StringComparison.Ordinal) || f.StartsWith("Cache/", StringComparison.Ordinal) || f.StartsWith("Log/", StringComparison.Ordinal) || f == "Workload.cs")
            .ToArray();

    /// <summary>The 1-based line of the only occurrence of <paramref name="text"/> in <paramref name="file"/>.</summary>
    public static int LineOf(string file, string text)
    {
        string[] lines = File.ReadAllLines(Path.Combine(s_root, file));
        int[] hits = Enumerable.Range(0, lines.Length).Where(i => lines[i].Contains(text, StringComparison.Ordinal)).ToArray();
        Assert.True(hits.Length == 1, $"'{text}' occurs {hits.Length} times in {file}");
        return hits[0] + 1;
    }

    /// <summary>Compiles <paramref name="files"/>, asserts it compiles cleanly, and returns the analyzers' diagnostics as "ID file:line 'flagged text'".</summary>
    public static async Task<string[]> AnalyzeAsync(IReadOnlyList<string> files, OutputKind kind)
    {
        SyntaxTree[] trees = files
            .Select(f => CSharpSyntaxTree.ParseText(Read(f), ParseOptions, path: f))
            .ToArray();
        var compilation = CSharpCompilation.Create("BufferCache", trees, References, Options(kind));
        return Format(await AnalyzeAsync(compilation));
    }

    /// <summary>The analyzers' diagnostics for <paramref name="compilation"/>, which must compile cleanly; no analyzer may throw.</summary>
    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Compilation compilation)
    {
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()));
        var exceptions = new List<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]),
            onAnalyzerException: (e, analyzer, _) => exceptions.Add($"{analyzer}: {e}"),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        ImmutableArray<Diagnostic> diagnostics = await compilation
            .WithAnalyzers(Analyzers(), options)
            .GetAnalyzerDiagnosticsAsync();
        Assert.Empty(exceptions);
        return diagnostics;
    }

    /// <summary>The text of sample file <paramref name="file"/>.</summary>
    public static string Read(string file) => File.ReadAllText(Path.Combine(s_root, file));

    private static string[] Format(ImmutableArray<Diagnostic> diagnostics) =>
        diagnostics
            .Select(d => $"{d.Id} {d.Location.GetLineSpan().Path}:{d.Location.GetLineSpan().StartLinePosition.Line + 1} '{d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan)}'")
            .Order(StringComparer.Ordinal)
            .ToArray();

    private static ImmutableArray<DiagnosticAnalyzer> Analyzers()
    {
        Assembly assembly = Assembly.Load("Vmap.Analyzers");
        ImmutableArray<DiagnosticAnalyzer> analyzers = assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();
        Assert.NotEmpty(analyzers);
        return analyzers;
    }
}
