using Microsoft.CodeAnalysis;

namespace Vmap.Samples.Tests;

/// <summary>What the build of the sample shows: the hazardous cache flagged where the 2011 bugs are, the corrected one silent.</summary>
public class SampleDiagnosticsTests
{
    private const string Hazardous = "Hazardous/HazardousBufCache.cs";

    private static readonly string[] s_shared =
    [
        "Cache/BlockDevice.cs",
        "Cache/BufferMemory.cs",
        "Cache/XfsBuf.cs",
        "Cache/XfsBufCache.cs",
        "Log/LogRecord.cs",
        "Log/Xlog.cs",
        "Workload.cs",
    ];

    private static readonly int s_repointLine = SampleCompilation.LineOf(Hazardous, "bp.Addr = addr;");

    // At the re-pointing (XFS_BUF_SET_PTR): VMAP001, free will unmap what was never mapped, and
    // VMAP002, the buffer's own mapping is lost. At the count recovery unmaps with: VMAP005.
    private static readonly string[] s_hazardFindings =
    [
        $"VMAP001 {Hazardous}:{s_repointLine} 'bp.Addr = addr'",
        $"VMAP002 {Hazardous}:{s_repointLine} 'bp.Addr = addr'",
        $"VMAP005 {Hazardous}:{SampleCompilation.LineOf(Hazardous, "Space.UnmapRam(addr, Xlog.LogPages);")} 'Xlog.LogPages'",
    ];

    [Fact]
    public async Task Fixed_cache_has_no_VMAP_diagnostic()
    {
        IReadOnlyList<string> files = SampleCompilation.VariantFiles("Fixed");
        Assert.Equal(s_shared.Append("Fixed/FixedBufCache.cs").Order(StringComparer.Ordinal), files);

        Assert.Empty(await SampleCompilation.AnalyzeAsync(files, OutputKind.DynamicallyLinkedLibrary));
    }

    [Fact]
    public async Task Hazardous_cache_is_flagged_at_the_repointing_and_at_the_wrong_count()
    {
        IReadOnlyList<string> files = SampleCompilation.VariantFiles("Hazardous");
        Assert.Equal(s_shared.Append(Hazardous).Order(StringComparer.Ordinal), files);

        string[] diagnostics = await SampleCompilation.AnalyzeAsync(files, OutputKind.DynamicallyLinkedLibrary);

        AssertHazardFindings(diagnostics);
    }

    [Fact]
    public async Task Whole_sample_shows_only_the_hazardous_cache_findings()
    {
        Assert.Equal(
            s_shared.Concat(["Fixed/FixedBufCache.cs", Hazardous, "Program.cs"]).Order(StringComparer.Ordinal),
            SampleCompilation.AllFiles);

        string[] diagnostics = await SampleCompilation.AnalyzeAsync(SampleCompilation.AllFiles, OutputKind.ConsoleApplication);

        AssertHazardFindings(diagnostics);
    }

    private static void AssertHazardFindings(string[] diagnostics) => Assert.Equal(s_hazardFindings, diagnostics);
}
