using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.Json;
using Vmap.Package.Tests.Infrastructure;

namespace Vmap.Package.Tests;

/// <summary>
/// Every packed assembly and its PDB from the symbols package: built deterministically with the
/// build paths mapped, so neither names a folder of the machine that packed it, and with SourceLink
/// pointing each source document at the commit on GitHub.
/// </summary>
[Collection(PackedVmapCollection.Name)]
public sealed class SymbolsTests(PackedVmap package)
{
    /// <summary>The SourceLink custom debug information kind (Portable PDB specification).</summary>
    private static readonly Guid s_sourceLink = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    [Theory]
    [InlineData(PackedVmap.AnalyzersId, "analyzers/dotnet/cs/Vmap.Analyzers")]
    [InlineData(PackedVmap.AnalyzersId, "analyzers/dotnet/cs/Vmap.CodeFixes")]
    [InlineData(PackedVmap.RuntimeId, "lib/net8.0/Vmap")]
    [InlineData(PackedVmap.RuntimeId, "lib/net10.0/Vmap")]
    public void Assembly_and_PDB_name_no_machine_path_and_the_PDB_links_its_sources_to_the_commit(string id, string entry)
    {
        var packed = id == PackedVmap.RuntimeId ? package.Runtime : package.Analyzers;
        var assembly = packed.ReadEntry(entry + ".dll");
        var pdb = packed.ReadSymbolsEntry(entry + ".pdb");

        // The assembly names its PDB (and the PDB's id) in its CodeView record.
        using var pe = new PEReader(ImmutableArray.Create(assembly));
        var codeView = pe.ReadCodeViewDebugDirectoryData(Assert.Single(pe.ReadDebugDirectory(), e => e.Type == DebugDirectoryEntryType.CodeView));
        Assert.StartsWith("/_/", codeView.Path, StringComparison.Ordinal);

        using var provider = MetadataReaderProvider.FromPortablePdbImage(ImmutableArray.Create(pdb));
        var reader = provider.GetMetadataReader();
        Assert.Equal(codeView.Guid, new BlobContentId(reader.DebugMetadataHeader!.Id).Guid);
        var documents = reader.Documents.Select(d => reader.GetString(reader.GetDocument(d).Name)).ToList();
        Assert.NotEmpty(documents);
        Assert.All(documents, document => Assert.Matches("^/_[0-9]*/", document));

        var sourceLink = reader.GetCustomDebugInformation(EntityHandle.ModuleDefinition)
            .Select(reader.GetCustomDebugInformation)
            .Single(information => reader.GetGuid(information.Kind) == s_sourceLink);
        using var json = JsonDocument.Parse(reader.GetBlobBytes(sourceLink.Value));
        var map = json.RootElement.GetProperty("documents").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Matches("^https://raw\\.githubusercontent\\.com/vmapanalyzers/vmapanalyzers/[0-9a-f]{40}/\\*$", map["/_/*"]);

        // Nor anywhere else in either file: the folders this run built in.
        foreach (var machinePath in new[] { RepositoryLayout.Root, package.WorkDirectory })
        {
            var bytes = Encoding.UTF8.GetBytes(machinePath);
            Assert.True(assembly.AsSpan().IndexOf(bytes) < 0, $"{entry}.dll names {machinePath}");
            Assert.True(pdb.AsSpan().IndexOf(bytes) < 0, $"{entry}.pdb names {machinePath}");
        }
    }
}
