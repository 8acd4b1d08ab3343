using System.Text.RegularExpressions;
using Vmap.Package.Tests.Infrastructure;

namespace Vmap.Package.Tests;

public sealed partial class ReadmeTests
{
    private const string HelpUriBase = "https://github.com/vmapanalyzers/vmapanalyzers/blob/main/docs/rules/";

    [Fact]
    public void Internal_copies_shown_in_the_readme_are_the_ones_the_end_to_end_library_compiles()
    {
        // The copy under test starts with a comment that says why it exists; the README shows the rest.
        var compiled = File.ReadAllLines(Path.Combine(RepositoryLayout.ConsumerSources, "DmaLib", "Annotations.cs"))
            .SkipWhile(line => line.StartsWith("//", StringComparison.Ordinal));

        Assert.Contains(
            "```csharp\n" + string.Join('\n', compiled) + "\n```\n",
            File.ReadAllText(RepositoryLayout.Readme).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void The_readme_and_the_package_readme_list_the_same_rules_each_linking_to_its_page()
    {
        string[] ids = [RuleIds.VMAP001, RuleIds.VMAP002, RuleIds.VMAP003, RuleIds.VMAP004, RuleIds.VMAP005, RuleIds.VMAP006, RuleIds.VMAP007, RuleIds.VMAP008, RuleIds.VMAP009, RuleIds.VMAP010, RuleIds.VMAP900, RuleIds.VMAP901];
        var expected = ids.Select(id => (id, HelpUriBase + id + ".md")).ToList();

        Assert.Equal(expected, RuleTable(RepositoryLayout.Readme));
        Assert.Equal(expected, RuleTable(RepositoryLayout.PackageReadme));
    }

    [Fact]
    public void The_package_readme_links_absolutely_shows_only_PNG_images_and_starts_with_the_install_command()
    {
        var text = File.ReadAllText(RepositoryLayout.PackageReadme);

        // The gallery resolves no relative link and shows no SVG.
        Assert.All(MarkdownLink().Matches(text).Select(m => m.Groups["target"].Value), target => Assert.StartsWith("https://", target, StringComparison.Ordinal));
        Assert.All(MarkdownImage().Matches(text).Select(m => m.Groups["target"].Value), target => Assert.EndsWith(".png", target, StringComparison.Ordinal));
        Assert.DoesNotContain("<img", text, StringComparison.OrdinalIgnoreCase);
        var firstBlock = FencedBlock().Match(text).Groups["body"].Value;
        Assert.Contains($"dotnet add package {PackedVmap.AnalyzersId}", firstBlock, StringComparison.Ordinal);
    }

    [Fact]
    public void The_readme_s_local_feed_steps_pack_both_packages_with_a_fresh_version_each_time()
    {
        var readme = File.ReadAllText(RepositoryLayout.Readme);

        // The same solution filter the package tests pack; a suffix from the clock, so a cached
        // copy of an earlier pack can never stand in for this one.
        Assert.Contains("dotnet pack Vmap.Packages.slnf -c Release -o ~/vmap-feed -p:VersionSuffix=local.$(date +%s)", readme, StringComparison.Ordinal);
        Assert.True(File.Exists(RepositoryLayout.PackagesSolutionFilter));
    }

    /// <summary>The (id, link) of each row of the rules table: <c>| [VMAP001](https://...) | ... |</c>.</summary>
    private static List<(string Id, string Link)> RuleTable(string markdown) =>
        RuleRow().Matches(File.ReadAllText(markdown)).Select(m => (m.Groups["id"].Value, m.Groups["link"].Value)).ToList();

    [GeneratedRegex(@"^\| \[(?<id>VMAP\d{3})\]\((?<link>[^)]+)\) \|", RegexOptions.Multiline)]
    private static partial Regex RuleRow();

    [GeneratedRegex(@"(?<!!)\[[^\]]*\]\((?<target>[^)\s]+)[^)]*\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"!\[[^\]]*\]\((?<target>[^)\s]+)[^)]*\)")]
    private static partial Regex MarkdownImage();

    [GeneratedRegex(@"```[a-z]*\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex FencedBlock();
}
