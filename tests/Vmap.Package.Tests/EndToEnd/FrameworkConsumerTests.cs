using System.Xml.Linq;
using Vmap.Package.Tests.Infrastructure;

namespace Vmap.Package.Tests.EndToEnd;

/// <summary>
/// The packages in every kind of project they promise to serve, from one build of all of them
/// (<see cref="FrameworkConsumers"/>): the rules report the same findings on netstandard2.0,
/// .NET Framework, .NET 8 and .NET 10, the annotations resolve in each, and the analyzers-only
/// package stays with the project that installed it.
/// </summary>
[Collection(PackedVmapCollection.Name)]
public sealed class FrameworkConsumerTests(PackedVmap package)
{
    private const string HelpUriBase = "https://github.com/vmapanalyzers/vmapanalyzers/blob/main/docs/rules/";

    private FrameworkConsumers Consumers => package.FrameworkConsumers;

    [Fact]
    public void The_build_of_every_consumer_succeeds_and_only_the_consumers_that_installed_a_package_report_anything()
    {
        Assert.True(Consumers.Build.ExitCode == 0, Consumers.Build.Transcript);
        Assert.Equal(
            ["Multi/net8.0", "Multi/netstandard2.0", "Net10", "Net472", "Net8", "Ns20"],
            Consumers.DiagnosticsByProject.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("Ns20", "Ns20")]
    [InlineData("Net472", "Net472")]
    [InlineData("Multi", "Multi/netstandard2.0")]
    [InlineData("Multi", "Multi/net8.0")]
    public void Analyzers_only_consumer_gets_VMAP005_on_its_annotated_pair_and_VMAP003_on_Marshal(string project, string buildKey)
    {
        var ring = Consumers.SourceFile(project, "Ring.cs");
        var map = SourcePosition.Of(ring, "IntPtr window = ring.Map(4);");
        var count = SourcePosition.Of(ring, "ring.Unmap(window, 1);", at: "1");
        var firstFree = SourcePosition.Of(ring, "Marshal.FreeHGlobal(block);");
        var secondFree = SourcePosition.Of(ring, "Marshal.FreeHGlobal(block);", at: "block", occurrence: 2);

        Assert.Equal(
            [
                Warning(ring, count, RuleIds.VMAP005, $"'window' is released with a count of '1' but Map acquired '4' pages at line {map.Line}"),
                Warning(ring, secondFree, RuleIds.VMAP003, $"'block' is freed again here; it was already freed at line {firstFree.Line}"),
            ],
            Diagnostics(buildKey));
    }

    [Theory]
    [InlineData("Net8")]
    [InlineData("Net10")]
    public void Runtime_consumer_gets_the_rules_through_the_runtime_package(string project)
    {
        Assert.Equal(RuntimeAppDiagnostics(Consumers, project), Diagnostics(project));
    }

    [Theory]
    [InlineData("Ns20", "netstandard2.0")]
    [InlineData("Net472", "net472")]
    [InlineData("Multi", "netstandard2.0")]
    [InlineData("Multi", "net8.0")]
    public void Analyzers_only_consumer_compiles_the_annotations_as_its_own_internal_types_and_references_no_Vmap_assembly(string project, string framework)
    {
        var facts = AssemblyFacts.Read(File.ReadAllBytes(Consumers.OutputAssembly(project, framework)));

        Assert.Equal(
            [("Vmap.Annotations.MapsMemoryAttribute", false), ("Vmap.Annotations.TakesOwnershipAttribute", false), ("Vmap.Annotations.UnmapsMemoryAttribute", false)],
            facts.Types.Where(t => t.FullName.StartsWith("Vmap.", StringComparison.Ordinal)).OrderBy(t => t.FullName, StringComparer.Ordinal));
        Assert.DoesNotContain(facts.References.Keys, name => name.StartsWith("Vmap", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Net8", "net8.0")]
    [InlineData("Net10", "net10.0")]
    public void Runtime_consumer_uses_the_runtime_s_public_annotations_and_compiles_no_copies(string project, string framework)
    {
        var facts = AssemblyFacts.Read(File.ReadAllBytes(Consumers.OutputAssembly(project, framework)));

        Assert.DoesNotContain(facts.Types, t => t.FullName.StartsWith("Vmap.", StringComparison.Ordinal));
        Assert.Contains("Vmap", facts.References.Keys);
        Assert.Equal(
            [$"{PackedVmap.AnalyzersId}/{package.Version}", $"{PackedVmap.RuntimeId}/{package.Version}"],
            Consumers.RestoredLibraries(project).Where(l => l.StartsWith("Vmap", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("Ns20")]
    [InlineData("Net472")]
    [InlineData("Multi")]
    public void dotnet_add_package_marks_the_development_dependency_private(string project)
    {
        var reference = Assert.Single(XDocument.Load(Consumers.ProjectFile(project)).Descendants("PackageReference"));

        Assert.Equal(
            (PackedVmap.AnalyzersId, package.Version, "all"),
            ((string?)reference.Attribute("Include"), (string?)reference.Attribute("Version"), reference.Element("PrivateAssets")?.Value));
    }

    [Fact]
    public void A_project_that_references_an_analyzers_only_consumer_gets_neither_the_package_nor_its_warnings()
    {
        // Downstream's code has the same two hazards as the library it references; the build reports nothing for it.
        Assert.True(Consumers.Build.ExitCode == 0, Consumers.Build.Transcript);
        Assert.DoesNotContain(FrameworkConsumers.Downstream, Consumers.DiagnosticsByProject.Keys);
        Assert.Equal(["Ns20/1.0.0"], Consumers.RestoredLibraries(FrameworkConsumers.Downstream));
    }

    /// <summary>
    /// What the RuntimeApp sources report: VMAP005 on the runtime's MapRam/UnmapRam, VMAP003 on
    /// Marshal, on a pair annotated with the runtime's attributes, and through a helper that
    /// frees its argument (the message names the step inside it).
    /// </summary>
    public static IReadOnlyList<BuildDiagnostic> RuntimeAppDiagnostics(FrameworkConsumers consumers, string project)
    {
        var program = consumers.SourceFile(project, "Program.cs");
        var map = SourcePosition.Of(program, "nint address = space.MapRam(pages);");
        var count = SourcePosition.Of(program, "space.UnmapRam(address, 1);", at: "1");
        var block = (First: SourcePosition.Of(program, "Marshal.FreeHGlobal(block);"), Second: SourcePosition.Of(program, "Marshal.FreeHGlobal(block);", at: "block", occurrence: 2));
        var frame = (First: SourcePosition.Of(program, "Frames.Release(frame);"), Second: SourcePosition.Of(program, "Frames.Release(frame);", at: "frame", occurrence: 2));
        var scratch = (First: SourcePosition.Of(program, "Scratch.Drop(scratch);"), Second: SourcePosition.Of(program, "Scratch.Drop(scratch);", at: "scratch", occurrence: 2));
        var drop = SourcePosition.Of(program, "=> Marshal.FreeHGlobal(block);");
        return
        [
            Warning(program, count, RuleIds.VMAP005, $"'address' is unmapped with a count of '1' but MapRam mapped 'pages.Length' (4) pages at line {map.Line}"),
            Warning(program, block.Second, RuleIds.VMAP003, $"'block' is freed again here; it was already freed at line {block.First.Line}"),
            Warning(program, frame.Second, RuleIds.VMAP003, $"'frame' is released again here; it was already released at line {frame.First.Line}"),
            Warning(program, scratch.Second, RuleIds.VMAP003, $"'scratch' is freed again here by Drop (FreeHGlobal at line {drop.Line}); it was already freed at line {scratch.First.Line} by Drop (FreeHGlobal at line {drop.Line})"),
        ];
    }

    private IReadOnlyList<BuildDiagnostic> Diagnostics(string buildKey)
    {
        Assert.True(Consumers.DiagnosticsByProject.TryGetValue(buildKey, out var diagnostics), $"No diagnostics for {buildKey}.\n{Consumers.Build.Transcript}");
        return diagnostics!.OrderBy(d => d.Line).ThenBy(d => d.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>A VMAP warning as MSBuild's console logger prints it, the rule's help link appended.</summary>
    private static BuildDiagnostic Warning(string file, (int Line, int Column) at, string id, string message) =>
        new(file, at.Line, at.Column, "warning", id, $"{message} ({HelpUriBase}{id}.md)");
}
