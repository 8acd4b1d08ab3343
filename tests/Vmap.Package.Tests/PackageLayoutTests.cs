using System.Xml.Linq;
using Vmap.Package.Tests.Infrastructure;

namespace Vmap.Package.Tests;

[Collection(PackedVmapCollection.Name)]
public sealed class PackageLayoutTests(PackedVmap package)
{
    [Fact]
    public void Package_holds_the_library_per_framework_the_analyzers_the_baseline_targets_and_the_readme_and_nothing_else()
    {
        using var zip = package.OpenPackage();
        var files = zip.Entries
            .Select(e => e.FullName)
            .Where(name => !IsPackagingPart(name))
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(
            [
                "README.md",
                "Vmap.nuspec",
                "analyzers/dotnet/cs/Vmap.Analyzers.dll",
                "analyzers/dotnet/cs/Vmap.CodeFixes.dll",
                "build/Vmap.Baseline.targets",
                "build/Vmap.targets",
                "buildMultiTargeting/Vmap.targets",
                "lib/net10.0/Vmap.dll",
                "lib/net10.0/Vmap.xml",
                "lib/net8.0/Vmap.dll",
                "lib/net8.0/Vmap.xml",
            ],
            files);
    }

    [Theory]
    [InlineData("lib/net8.0/Vmap.dll", ".NETCoreApp,Version=v8.0")]
    [InlineData("lib/net10.0/Vmap.dll", ".NETCoreApp,Version=v10.0")]
    public void Each_library_is_the_build_for_its_folder_and_carries_the_package_version(string entry, string targetFramework)
    {
        var facts = AssemblyFacts.Read(package.ReadEntry(entry));

        Assert.Equal((targetFramework, package.Version), (facts.TargetFramework, ReleaseVersion(facts)));
    }

    [Theory]
    [InlineData("analyzers/dotnet/cs/Vmap.Analyzers.dll")]
    [InlineData("analyzers/dotnet/cs/Vmap.CodeFixes.dll")]
    public void Each_analyzer_is_a_netstandard2_0_build_and_carries_the_package_version(string entry)
    {
        var facts = AssemblyFacts.Read(package.ReadEntry(entry));

        // The SDK writes no TargetFrameworkAttribute for .NET Standard; the facade it binds to says it.
        Assert.Equal((new Version(2, 0, 0, 0), package.Version), (facts.References["netstandard"], ReleaseVersion(facts)));
    }

    [Fact]
    public void Packed_readme_is_the_repository_readme()
    {
        Assert.Equal(File.ReadAllBytes(RepositoryLayout.Readme), package.ReadEntry("README.md"));
    }

    [Fact]
    public void Nuspec_declares_license_readme_repository_tags_and_description()
    {
        var metadata = NuspecMetadata();

        Assert.Equal("Vmap", Value(metadata, "id"));
        Assert.Equal(package.Version, Value(metadata, "version"));
        var license = Element(metadata, "license");
        Assert.Equal(("expression", "MIT"), ((string?)license.Attribute("type"), license.Value));
        Assert.Equal("README.md", Value(metadata, "readme"));
        Assert.Equal(ProjectProperty("Description"), Value(metadata, "description"));
        Assert.Equal(
            ["analyzers", "code-fixes", "memory-mapping", "native-memory", "roslyn", "vmalloc", "vmap"],
            Value(metadata, "tags").Split(' ').Order(StringComparer.Ordinal));
        var repository = Element(metadata, "repository");
        Assert.Equal(("git", "https://github.com/vmapanalyzers/vmapanalyzers"), ((string?)repository.Attribute("type"), (string?)repository.Attribute("url")));
    }

    [Fact]
    public void Analyzer_projects_do_not_become_package_dependencies()
    {
        var groups = Element(NuspecMetadata(), "dependencies").Elements().ToList();

        Assert.Equal(
            [("net10.0", 0), ("net8.0", 0)],
            groups.Select(g => ((string?)g.Attribute("targetFramework"), g.Elements().Count())).Order());
    }

    [Fact]
    public void Packing_through_an_artifacts_folder_writes_the_host_composition_stand_in_there_and_nothing_into_the_source_tree()
    {
        var artifacts = Path.Combine(package.WorkDirectory, "artifacts");
        Assert.True(
            File.Exists(Path.Combine(artifacts, "obj", "Vmap.CodeFixes", "release", "host", "System.Composition.AttributedModel.dll")),
            $"the stand-in is not under {artifacts}");

        // The absolute intermediate path once got appended to the project folder, so each run left
        // src/Vmap.CodeFixes/tmp/vmap-package-tests-*/ behind.
        var leaked = Directory.EnumerateDirectories(Path.Combine(RepositoryLayout.Root, "src"), Path.GetFileName(package.WorkDirectory), SearchOption.AllDirectories);
        Assert.Empty(leaked);
    }

    /// <summary>The informational version without the "+&lt;commit&gt;" the SDK appends when it knows the commit.</summary>
    private static string? ReleaseVersion(AssemblyFacts facts) => facts.InformationalVersion?.Split('+')[0];

    private static bool IsPackagingPart(string name) =>
        name == "[Content_Types].xml" || name.StartsWith("_rels/", StringComparison.Ordinal) || name.StartsWith("package/", StringComparison.Ordinal);

    private XElement NuspecMetadata()
    {
        using var stream = new MemoryStream(package.ReadEntry("Vmap.nuspec"));
        var root = XDocument.Load(stream).Root!;
        return root.Element(root.Name.Namespace + "metadata")!;
    }

    private static XElement Element(XElement metadata, string name) =>
        metadata.Element(metadata.Name.Namespace + name) ?? throw new Xunit.Sdk.XunitException($"The nuspec has no <{name}>.");

    private static string Value(XElement metadata, string name) => Element(metadata, name).Value;

    private static string ProjectProperty(string name) =>
        XDocument.Load(RepositoryLayout.RuntimeProject).Descendants(name).Single().Value;
}
