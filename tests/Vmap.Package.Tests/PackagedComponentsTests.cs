using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Vmap.Package.Tests.Infrastructure;

namespace Vmap.Package.Tests;

/// <summary>
/// What a host finds in the package's analyzer folder: every rule, each with its documentation
/// page, and a code fix exported to the IDE for every rule that has one.
/// </summary>
[Collection(PackedVmapCollection.Name)]
public sealed class PackagedComponentsTests(PackedVmap package)
{
    [Fact]
    public void Analyzers_report_the_ten_rules_and_the_baselines_two_each_linking_to_its_page_in_docs_rules()
    {
        var components = PackagedComponents.Extract(package, Path.Combine(package.WorkDirectory, "analyzers-for-rules"));

        // The pairing analyzer (VMAP001-VMAP007, VMAP010), the Dispose analyzer (VMAP008, VMAP009), both with the
        // baseline's VMAP900/VMAP901, and the baseline's suppressor.
        var analyzers = components.Instantiate<DiagnosticAnalyzer>("Vmap.Analyzers.dll");
        Assert.Equal(3, analyzers.Count);
        Assert.All(analyzers, analyzer => Assert.Equal([LanguageNames.CSharp], analyzer.GetType().GetCustomAttribute<DiagnosticAnalyzerAttribute>()!.Languages));
        var suppressor = Assert.Single(analyzers.OfType<DiagnosticSuppressor>());
        Assert.Equal(
            ["VMAP001", "VMAP001", "VMAP002", "VMAP002", "VMAP003", "VMAP003", "VMAP004", "VMAP004", "VMAP005", "VMAP005", "VMAP006", "VMAP006", "VMAP008", "VMAP008", "VMAP009", "VMAP009", "VMAP010", "VMAP010", "VMAP901"],
            suppressor.SupportedSuppressions.Select(s => s.SuppressedDiagnosticId).Order(StringComparer.Ordinal));
        // A rule may have one descriptor per message shape (same id, link, severity and category).
        var rules = analyzers.SelectMany(a => a.SupportedDiagnostics).DistinctBy(d => d.Id).OrderBy(d => d.Id, StringComparer.Ordinal).ToList();
        string[] ids = [RuleIds.VMAP001, RuleIds.VMAP002, RuleIds.VMAP003, RuleIds.VMAP004, RuleIds.VMAP005, RuleIds.VMAP006, RuleIds.VMAP007, RuleIds.VMAP008, RuleIds.VMAP009, RuleIds.VMAP010, RuleIds.VMAP900, RuleIds.VMAP901];
        Assert.Equal(
            ids.Select(id => (
                id,
                $"https://github.com/vmapanalyzers/vmapanalyzers/blob/main/docs/rules/{id}.md",
                id == RuleIds.VMAP901 ? DiagnosticSeverity.Info : DiagnosticSeverity.Warning,
                id.StartsWith("VMAP9", StringComparison.Ordinal) ? "Baseline" : "Reliability")),
            rules.Select(d => (d.Id, d.HelpLinkUri, d.DefaultSeverity, d.Category)));
        // The help links point at main; the pages must exist in the repository that is packed.
        Assert.All(ids, id => Assert.True(File.Exists(Path.Combine(RepositoryLayout.Root, "docs", "rules", $"{id}.md")), $"docs/rules/{id}.md is missing."));
    }

    [Fact]
    public void Code_fixes_are_exported_to_the_CSharp_IDE_for_every_pairing_rule()
    {
        var components = PackagedComponents.Extract(package, Path.Combine(package.WorkDirectory, "analyzers-for-fixes"));

        var providers = components.Instantiate<CodeFixProvider>("Vmap.CodeFixes.dll");

        Assert.NotEmpty(providers);
        Assert.All(providers, provider =>
            Assert.Equal([LanguageNames.CSharp], provider.GetType().GetCustomAttribute<ExportCodeFixProviderAttribute>()?.Languages ?? []));
        // One provider per rule; VMAP007 (a bad .editorconfig entry) has no fix: its page says what to write instead.
        Assert.Equal(9, providers.Count);
        Assert.Equal(
            [RuleIds.VMAP001, RuleIds.VMAP002, RuleIds.VMAP003, RuleIds.VMAP004, RuleIds.VMAP005, RuleIds.VMAP006, RuleIds.VMAP008, RuleIds.VMAP009, RuleIds.VMAP010],
            providers.SelectMany(p => p.FixableDiagnosticIds).Distinct().Order(StringComparer.Ordinal));
    }
}
