using System.Xml.Linq;
using Vmap.Package.Tests.Infrastructure;

namespace Vmap.Package.Tests;

[Collection(PackedVmapCollection.Name)]
public sealed class PackageLayoutTests(PackedVmap package)
{
    [Fact]
    public void Runtime_package_holds_the_library_per_framework_the_props_that_keep_out_the_annotation_copies_the_baseline_for_multi_targeting_the_readme_and_the_icon()
    {
        Assert.Equal(
            [
                "README.md",
                "Vmap.nuspec",
                "buildMultiTargeting/Vmap.Baseline.targets",
                "buildMultiTargeting/Vmap.targets",
                "buildTransitive/Vmap.props",
                "icon.png",
                "lib/net10.0/Vmap.dll",
                "lib/net10.0/Vmap.xml",
                "lib/net8.0/Vmap.dll",
                "lib/net8.0/Vmap.xml",
            ],
            Files(package.Runtime));
    }

    [Fact]
    public void Analyzers_package_holds_the_analyzers_the_annotation_sources_and_the_build_files_and_no_library()
    {
        Assert.Equal(
            [
                "README.md",
                "Vmap.Analyzers.nuspec",
                "analyzers/dotnet/cs/Vmap.Analyzers.dll",
                "analyzers/dotnet/cs/Vmap.Analyzers.pdb",
                "analyzers/dotnet/cs/Vmap.CodeFixes.dll",
                "analyzers/dotnet/cs/Vmap.CodeFixes.pdb",
                "build/Vmap.Analyzers.props",
                "build/Vmap.Analyzers.targets",
                "build/annotations/MapsMemoryAttribute.cs",
                "build/annotations/TakesOwnershipAttribute.cs",
                "build/annotations/UnmapsMemoryAttribute.cs",
                "buildMultiTargeting/Vmap.Analyzers.targets",
                "buildTransitive/Vmap.Analyzers.props",
                "buildTransitive/Vmap.Analyzers.targets",
                "buildTransitive/Vmap.Baseline.targets",
                "icon.png",
            ],
            Files(package.Analyzers));
    }

    [Fact]
    public void Symbols_packages_hold_every_packed_assembly_s_pdb_beside_where_the_assembly_is()
    {
        Assert.Equal(["Vmap.nuspec", "lib/net10.0/Vmap.pdb", "lib/net8.0/Vmap.pdb"], SymbolFiles(package.Runtime));
        Assert.Equal(
            ["Vmap.Analyzers.nuspec", "analyzers/dotnet/cs/Vmap.Analyzers.pdb", "analyzers/dotnet/cs/Vmap.CodeFixes.pdb"],
            SymbolFiles(package.Analyzers));
    }

    [Fact]
    public void The_annotation_sources_are_the_files_the_runtime_compiles()
    {
        var sources = Path.Combine(Path.GetDirectoryName(RepositoryLayout.AnalyzersPackageProject)!, "Annotations");
        foreach (var file in Directory.GetFiles(sources))
        {
            Assert.Equal(File.ReadAllBytes(file), package.Analyzers.ReadEntry($"build/annotations/{Path.GetFileName(file)}"));
        }
    }

    [Theory]
    [InlineData("lib/net8.0/Vmap.dll", ".NETCoreApp,Version=v8.0")]
    [InlineData("lib/net10.0/Vmap.dll", ".NETCoreApp,Version=v10.0")]
    public void Each_library_is_the_build_for_its_folder_and_carries_the_package_version(string entry, string targetFramework)
    {
        var facts = AssemblyFacts.Read(package.Runtime.ReadEntry(entry));

        Assert.Equal((targetFramework, package.Version), (facts.TargetFramework, ReleaseVersion(facts)));
    }

    [Theory]
    [InlineData("analyzers/dotnet/cs/Vmap.Analyzers.dll")]
    [InlineData("analyzers/dotnet/cs/Vmap.CodeFixes.dll")]
    public void Each_analyzer_is_a_netstandard2_0_build_and_carries_the_package_version(string entry)
    {
        var facts = AssemblyFacts.Read(package.Analyzers.ReadEntry(entry));

        // The SDK writes no TargetFrameworkAttribute for .NET Standard; the facade it binds to says it.
        Assert.Equal((new Version(2, 0, 0, 0), package.Version), (facts.References["netstandard"], ReleaseVersion(facts)));
    }

    [Fact]
    public void Both_packages_carry_the_gallery_readme_and_the_icon()
    {
        foreach (var packed in new[] { package.Runtime, package.Analyzers })
        {
            Assert.Equal(File.ReadAllBytes(RepositoryLayout.PackageReadme), packed.ReadEntry("README.md"));
            Assert.Equal(File.ReadAllBytes(Path.Combine(RepositoryLayout.Root, "docs", "package", "icon.png")), packed.ReadEntry("icon.png"));
        }
    }

    [Theory]
    [InlineData(PackedVmap.RuntimeId)]
    [InlineData(PackedVmap.AnalyzersId)]
    public void Nuspec_declares_the_gallery_metadata(string id)
    {
        var metadata = NuspecMetadata(id);

        Assert.Equal(id, Value(metadata, "id"));
        Assert.Equal(package.Version, Value(metadata, "version"));
        Assert.Equal("VmapAnalyzers contributors", Value(metadata, "authors"));
        var license = Element(metadata, "license");
        Assert.Equal(("expression", "MIT"), ((string?)license.Attribute("type"), license.Value));
        Assert.Equal(("README.md", "icon.png"), (Value(metadata, "readme"), Value(metadata, "icon")));
        Assert.Equal("Copyright (c) 2026 VmapAnalyzers contributors", Value(metadata, "copyright"));
        Assert.Equal(BuildProperty("PackageReleaseNotes"), Value(metadata, "releaseNotes"));
        Assert.Equal(ProjectProperty(id, "Description"), Value(metadata, "description"));
        Assert.Equal(ProjectProperty(id, "PackageTags").Split(';').Order(StringComparer.Ordinal), Value(metadata, "tags").Split(' ').Order(StringComparer.Ordinal));
        // SourceLink adds the commit the package was built from.
        var repository = Element(metadata, "repository");
        Assert.Equal(("git", "https://github.com/vmapanalyzers/vmapanalyzers"), ((string?)repository.Attribute("type"), (string?)repository.Attribute("url")));
        Assert.Matches("^[0-9a-f]{40}$", (string?)repository.Attribute("commit") ?? string.Empty);
    }

    [Theory]
    [InlineData(PackedVmap.RuntimeId)]
    [InlineData(PackedVmap.AnalyzersId)]
    public void Description_and_tags_name_the_NET_APIs_the_rules_pair(string id)
    {
        var metadata = NuspecMetadata(id);
        string[] apis = ["Marshal", "NativeMemory", "ArrayPool", "GCHandle"];

        Assert.All(apis, api => Assert.Contains(api, Value(metadata, "description"), StringComparison.Ordinal));
        Assert.All(apis, api => Assert.Contains(api, Value(metadata, "tags").Split(' ')));
    }

    [Fact]
    public void Runtime_package_depends_on_the_analyzers_package_with_every_asset_so_the_rules_come_with_it()
    {
        var groups = Element(NuspecMetadata(PackedVmap.RuntimeId), "dependencies").Elements().ToList();

        Assert.Equal(
            [
                ("net10.0", $"{PackedVmap.AnalyzersId} {package.Version} All -"),
                ("net8.0", $"{PackedVmap.AnalyzersId} {package.Version} All -"),
            ],
            groups.Select(g => ((string?)g.Attribute("targetFramework"), string.Join(", ", g.Elements().Select(d => $"{d.Attribute("id")?.Value} {d.Attribute("version")?.Value} {d.Attribute("include")?.Value ?? "-"} {d.Attribute("exclude")?.Value ?? "-"}")))).Order());
    }

    [Fact]
    public void Analyzers_package_is_a_development_dependency_with_no_dependencies()
    {
        var metadata = NuspecMetadata(PackedVmap.AnalyzersId);

        Assert.Equal("true", Value(metadata, "developmentDependency"));
        Assert.Null(metadata.Element(metadata.Name.Namespace + "dependencies"));
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

    /// <summary>The package's files, without the parts every package has.</summary>
    private static string[] Files(PackageFile packed)
    {
        using var zip = packed.Open();
        return zip.Entries.Select(e => e.FullName).Where(name => !IsPackagingPart(name)).Order(StringComparer.Ordinal).ToArray();
    }

    private static string[] SymbolFiles(PackageFile packed)
    {
        using var zip = packed.OpenSymbols();
        return zip.Entries.Select(e => e.FullName).Where(name => !IsPackagingPart(name)).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The informational version without the "+&lt;commit&gt;" the SDK appends when it knows the commit.</summary>
    private static string? ReleaseVersion(AssemblyFacts facts) => facts.InformationalVersion?.Split('+')[0];

    private static bool IsPackagingPart(string name) =>
        name == "[Content_Types].xml" || name.StartsWith("_rels/", StringComparison.Ordinal) || name.StartsWith("package/", StringComparison.Ordinal);

    private XElement NuspecMetadata(string id)
    {
        var packed = id == PackedVmap.RuntimeId ? package.Runtime : package.Analyzers;
        using var stream = new MemoryStream(packed.ReadEntry($"{id}.nuspec"));
        var root = XDocument.Load(stream).Root!;
        return root.Element(root.Name.Namespace + "metadata")!;
    }

    private static XElement Element(XElement metadata, string name) =>
        metadata.Element(metadata.Name.Namespace + name) ?? throw new Xunit.Sdk.XunitException($"The nuspec has no <{name}>.");

    private static string Value(XElement metadata, string name) => Element(metadata, name).Value;

    private static string ProjectProperty(string id, string name) =>
        XDocument.Load(id == PackedVmap.RuntimeId ? RepositoryLayout.RuntimeProject : RepositoryLayout.AnalyzersPackageProject).Descendants(name).Single().Value;

    private static string BuildProperty(string name) =>
        XDocument.Load(Path.Combine(RepositoryLayout.Root, "Directory.Build.props")).Descendants(name).Single().Value;
}
