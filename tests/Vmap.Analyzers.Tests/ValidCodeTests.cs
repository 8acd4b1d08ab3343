using Microsoft.CodeAnalysis;
using Vmap;

namespace Vmap.Analyzers.Tests;

/// <summary>
/// The ValidCode corpus: realistic, correct use of the real runtime. It must compile against
/// Vmap.dll and produce no diagnostic; every false positive found later becomes a file there.
/// </summary>
public class ValidCodeTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "ValidCode");

    [Fact]
    public void Corpus_has_at_least_thirty_files()
    {
        Assert.True(Directory.GetFiles(Folder, "*.cs").Length >= 30);
    }

    [Fact]
    public async Task Corpus_produces_no_diagnostics()
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "netstandard.dll" or "mscorlib.dll")
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(VmapSpace).Assembly.Location))
            .ToList();
        var sources = Directory.GetFiles(Folder, "*.cs").OrderBy(f => f, StringComparer.Ordinal).Select(File.ReadAllText).ToArray();

        var diagnostics = await Verify.Diagnostics(references, sources);

        Assert.Empty(diagnostics.Select(d => d.ToString()));
    }
}
