using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Vmap.Analyzers.Tests.Configuration;

/// <summary>Every rule links to its page, the page exists, and it says what the fixes actually do.</summary>
public class RuleDocsTests
{
    private static readonly string[] AllRuleIds = [RuleIds.VMAP001, RuleIds.VMAP002, RuleIds.VMAP003, RuleIds.VMAP004, RuleIds.VMAP005, RuleIds.VMAP006, RuleIds.VMAP007, RuleIds.VMAP008, RuleIds.VMAP009, RuleIds.VMAP010, RuleIds.VMAP900, RuleIds.VMAP901];

    private static readonly string[] Sections =
        ["## What is flagged", "## Why it matters", "## Wrong", "## Right", "## Code fix", "## Configure or suppress"];

    [Fact]
    public void The_analyzers_ship_exactly_the_ten_rules_and_the_two_of_the_baseline()
    {
        Assert.Equal(AllRuleIds, Descriptors().Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal));
    }

    [Fact]
    public void Each_help_link_points_to_the_rule_page_in_the_repository()
    {
        foreach (var descriptor in Descriptors())
        {
            Assert.Equal($"https://github.com/vmapanalyzers/vmapanalyzers/blob/main/docs/rules/{descriptor.Id}.md", descriptor.HelpLinkUri);
            const string Blob = "https://github.com/vmapanalyzers/vmapanalyzers/blob/main/";
            var page = Path.Combine(RepositoryRoot(), descriptor.HelpLinkUri[Blob.Length..].Replace('/', Path.DirectorySeparatorChar));
            Assert.True(File.Exists(page), $"{descriptor.Id}: {page} does not exist");
        }
    }

    [Fact]
    public void Each_page_is_titled_with_its_rule_id_and_title()
    {
        foreach (var descriptor in Descriptors())
        {
            Assert.Equal($"# {descriptor.Id}: {descriptor.Title}", File.ReadLines(PagePath(descriptor.Id)).First());
        }
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_page_has_every_section_and_shows_how_to_configure_its_rule(string id)
    {
        var text = File.ReadAllText(PagePath(id));
        Assert.StartsWith($"# {id}: ", text, StringComparison.Ordinal);
        foreach (var section in Sections)
        {
            Assert.Contains("\n" + section + "\n", text, StringComparison.Ordinal);
        }

        Assert.Contains($"dotnet_diagnostic.{id}.severity = error", text, StringComparison.Ordinal);
        Assert.Contains($"#pragma warning disable {id}", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void A_page_promises_a_code_fix_exactly_when_a_fix_provider_exists(string id)
    {
        var fixedIds = FixProviders().SelectMany(p => p.FixableDiagnosticIds).ToHashSet();
        var header = File.ReadAllLines(PagePath(id)).Single(l => l.StartsWith("| Code fix |", StringComparison.Ordinal));
        Assert.Equal(fixedIds.Contains(id), header.StartsWith("| Code fix | Yes", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_fixable_rule_has_exactly_one_fix_provider_with_fix_all_in_every_scope()
    {
        // dotnet format asks every provider of an id in turn with one analysis for all of them,
        // so a second provider of a rule would plan on code the first has already changed.
        var providers = FixProviders();
        var ids = providers.SelectMany(p => p.FixableDiagnosticIds).ToList();
        Assert.Equal(
            new[] { RuleIds.VMAP001, RuleIds.VMAP002, RuleIds.VMAP003, RuleIds.VMAP004, RuleIds.VMAP005, RuleIds.VMAP006, RuleIds.VMAP008, RuleIds.VMAP009, RuleIds.VMAP010 },
            ids.Order(StringComparer.Ordinal));
        foreach (var provider in providers)
        {
            Assert.Single(provider.FixableDiagnosticIds);
            Assert.Subset(AllRuleIds.ToHashSet(), provider.FixableDiagnosticIds.ToHashSet());
            Assert.Equal(
                new[] { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution },
                provider.GetFixAllProvider()!.GetSupportedFixAllScopes());
        }
    }

    public static TheoryData<string> Rules() => new(AllRuleIds);

    private static string PagePath(string id) => Path.Combine(RepositoryRoot(), "docs", "rules", id + ".md");

    private static IReadOnlyList<DiagnosticDescriptor> Descriptors()
        => VmapAnalyzers.All()
            .SelectMany(a => a.SupportedDiagnostics)
            .DistinctBy(d => d.Id)
            .ToList();

    private static IReadOnlyList<CodeFixProvider> FixProviders()
        => typeof(Vmap.CodeFixes.VmapCodeFixProvider).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t) && t.GetCustomAttribute<ExportCodeFixProviderAttribute>() is not null)
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
            .ToList();

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "VmapAnalyzers.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("VmapAnalyzers.sln not found above " + AppContext.BaseDirectory);
    }
}
