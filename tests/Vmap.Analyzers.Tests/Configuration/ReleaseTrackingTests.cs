using Microsoft.CodeAnalysis;

namespace Vmap.Analyzers.Tests.Configuration;

/// <summary>
/// RS2000-RS2008 check the release files against the descriptors at build time; this pins the
/// state the issue asks for: no release shipped yet, all ten rules and the baseline's two in the
/// unshipped release with the category and default severity the analyzers report.
/// </summary>
public class ReleaseTrackingTests
{
    [Fact]
    public void Nothing_has_shipped_yet()
    {
        var shipped = File.ReadAllLines(ReleaseFile("AnalyzerReleases.Shipped.md"));
        Assert.All(shipped, line => Assert.True(line.Length == 0 || line.StartsWith(';'), line));
    }

    [Fact]
    public void The_unshipped_release_lists_every_rule_as_the_descriptors_declare_it()
    {
        var rows = File.ReadAllLines(ReleaseFile("AnalyzerReleases.Unshipped.md"))
            .Where(l => l.StartsWith("VMAP", StringComparison.Ordinal))
            .Select(l => l.Split('|').Select(c => c.Trim()).ToArray())
            .Select(c => $"{c[0]} {c[1]} {c[2]}");
        var descriptors = VmapAnalyzers.All().SelectMany(a => a.SupportedDiagnostics).DistinctBy(d => d.Id).OrderBy(d => d.Id, StringComparer.Ordinal)
            .Select(d => $"{d.Id} {d.Category} {d.DefaultSeverity}");
        Assert.Equal(descriptors, rows);
        Assert.Equal(12, rows.Count());
        Assert.All(VmapAnalyzers.All().SelectMany(a => a.SupportedDiagnostics), d => Assert.True(d.IsEnabledByDefault, d.Id));

        // VMAP901 only carries a finding to the baseline update and is suppressed there at once.
        Assert.All(
            VmapAnalyzers.All().SelectMany(a => a.SupportedDiagnostics),
            d => Assert.Equal(d.Id == RuleIds.VMAP901 ? DiagnosticSeverity.Info : DiagnosticSeverity.Warning, d.DefaultSeverity));
    }

    private static string ReleaseFile(string name) => Path.Combine(RuleDocsTests.RepositoryRoot(), "src", "Vmap.Analyzers", name);
}
