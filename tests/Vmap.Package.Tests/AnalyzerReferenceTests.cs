using Vmap.Package.Tests.Infrastructure;

namespace Vmap.Package.Tests;

/// <summary>
/// The analyzer assemblies load in the oldest host we support: Visual Studio 17.8 and the .NET 8
/// SDK, whose compiler is Roslyn 4.8. A reference to a newer Roslyn, or to a newer
/// System.Collections.Immutable / System.Reflection.Metadata than Roslyn 4.8 itself uses, fails
/// there with CS8032 and the rules silently never run.
/// </summary>
[Collection(PackedVmapCollection.Name)]
public sealed class AnalyzerReferenceTests(PackedVmap package)
{
    private const string AnalyzerFolder = "analyzers/dotnet/cs/";

    private static readonly Version s_hostRoslyn = new(4, 8, 0, 0);

    /// <summary>The versions Roslyn 4.8.0 itself is built against.</summary>
    private static readonly Version s_hostCollections = new(7, 0, 0, 0);

    /// <summary>
    /// The MEF Roslyn 4.8 itself is built against and its hosts ship. The registry serves no
    /// System.Composition 7.0.0, so the fix project compiles against a stand-in of this version
    /// (src/HostReferences); a fix assembly bound to 8.0.0 may fail to load in those hosts.
    /// </summary>
    private static readonly Version s_hostComposition = new(7, 0, 0, 0);

    /// <summary>What a compiler or IDE host loads before any analyzer.</summary>
    private static readonly HashSet<string> s_hostAssemblies =
    [
        "netstandard",
        "Microsoft.CodeAnalysis",
        "Microsoft.CodeAnalysis.CSharp",
        "Microsoft.CodeAnalysis.Workspaces",
        "Microsoft.CodeAnalysis.CSharp.Workspaces",
        "System.Collections.Immutable",
        "System.Reflection.Metadata",
        "System.Memory",
        "System.Runtime.CompilerServices.Unsafe",
        "System.Threading.Tasks.Extensions",
        "System.Text.Encoding.CodePages",
        "System.Composition.AttributedModel",
    ];

    [Theory]
    [InlineData("Vmap.Analyzers.dll")]
    [InlineData("Vmap.CodeFixes.dll")]
    public void References_Microsoft_CodeAnalysis_no_newer_than_4_8_nor_newer_collections_than_it_uses(string assembly)
    {
        var tooNew = ReferencesOf(assembly)
            .Where(r => HostCeiling(r.Key) is { } ceiling && r.Value > ceiling)
            .Select(r => $"{r.Key} {r.Value}");

        Assert.Empty(tooNew);
    }

    [Theory]
    [InlineData("Vmap.Analyzers.dll", new[] { "Microsoft.CodeAnalysis", "Microsoft.CodeAnalysis.CSharp" })]
    [InlineData("Vmap.CodeFixes.dll", new[] { "Microsoft.CodeAnalysis", "Microsoft.CodeAnalysis.CSharp", "Microsoft.CodeAnalysis.Workspaces" })]
    public void Is_compiled_against_Roslyn_4_8(string assembly, string[] roslynAssemblies)
    {
        Assert.Equal(
            roslynAssemblies.Select(name => (name, s_hostRoslyn)),
            ReferencesOf(assembly).Where(r => r.Key.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal)).Select(r => (r.Key, r.Value)).Order());
    }

    [Fact]
    public void The_fixes_reference_the_MEF_of_Roslyn_4_8_and_the_package_carries_no_copy_of_it()
    {
        Assert.Equal(
            [("System.Composition.AttributedModel", s_hostComposition)],
            ReferencesOf("Vmap.CodeFixes.dll").Where(r => r.Key.StartsWith("System.Composition", StringComparison.Ordinal)).Select(r => (r.Key, r.Value)));

        using var zip = package.Analyzers.Open();
        Assert.DoesNotContain(zip.Entries, e => e.Name.StartsWith("System.Composition", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Vmap.Analyzers.dll")]
    [InlineData("Vmap.CodeFixes.dll")]
    public void Every_reference_is_loaded_by_the_host_or_packed_beside_the_analyzer(string assembly)
    {
        using var zip = package.Analyzers.Open();
        var packedBeside = zip.Entries
            .Where(e => e.FullName.StartsWith(AnalyzerFolder, StringComparison.Ordinal))
            .Select(e => Path.GetFileNameWithoutExtension(e.Name))
            .ToHashSet();
        var references = ReferencesOf(assembly);

        // The analyzers match the annotations by metadata name so that they never need the runtime.
        Assert.DoesNotContain(references.Keys, name => !s_hostAssemblies.Contains(name) && !packedBeside.Contains(name));
    }

    private IReadOnlyDictionary<string, Version> ReferencesOf(string assembly) =>
        AssemblyFacts.Read(package.Analyzers.ReadEntry(AnalyzerFolder + assembly)).References;

    /// <summary>The newest version of <paramref name="name"/> a Roslyn 4.8 host loads; null when the host does not pin it.</summary>
    private static Version? HostCeiling(string name) =>
        name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) ? s_hostRoslyn
        : name is "System.Collections.Immutable" or "System.Reflection.Metadata" ? s_hostCollections
        : name.StartsWith("System.Composition", StringComparison.Ordinal) ? s_hostComposition
        : null;
}
