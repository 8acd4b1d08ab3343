using Microsoft.CodeAnalysis;
using Vmap;

namespace Vmap.Analyzers.Tests;

/// <summary>
/// The ValidCode corpora: realistic, correct code that must compile and produce no diagnostic;
/// every false positive found later becomes a file there. <c>ValidCode/</c> uses the real runtime;
/// <c>ValidCode/BuiltIn/</c> uses only .NET's own acquire/release APIs and is compiled without
/// Vmap.dll, so the annotation attributes are absent as in an ordinary project.
/// </summary>
public class ValidCodeTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "ValidCode");

    private static readonly string BuiltInFolder = Path.Combine(Folder, "BuiltIn");

    [Fact]
    public void Corpus_has_at_least_thirty_files()
    {
        Assert.True(Directory.GetFiles(Folder, "*.cs").Length >= 30);
    }

    [Fact]
    public async Task Corpus_produces_no_diagnostics()
    {
        var references = PlatformReferences().Append(MetadataReference.CreateFromFile(typeof(VmapSpace).Assembly.Location)).ToList();

        var diagnostics = await Verify.Diagnostics(references, Sources(Folder));

        Assert.Equal(string.Empty, string.Join(Environment.NewLine, diagnostics));
    }

    [Fact]
    public void Built_in_corpus_has_at_least_forty_files()
    {
        Assert.True(Directory.GetFiles(BuiltInFolder, "*.cs").Length >= 40);
    }

    [Fact]
    public async Task Built_in_corpus_produces_no_diagnostics()
    {
        var diagnostics = await Verify.Diagnostics(PlatformReferences().ToList(), Sources(BuiltInFolder));

        Assert.Equal(string.Empty, string.Join(Environment.NewLine, diagnostics));
    }

    private static string[] Sources(string folder)
        => Directory.GetFiles(folder, "*.cs").OrderBy(f => f, StringComparer.Ordinal).Select(File.ReadAllText).ToArray();

    private static IEnumerable<MetadataReference> PlatformReferences() => Robustness.Analysis.PlatformReferences;
}
